/**
 * `learnstream import moodle-logs|moodle-grades`: the Moodle imports in a context of their own that loads only what
 * an import needs — the event types, the event store, the key store and cipher, the inline read models, the erasure
 * replay of every start and the importers (the libraries' `headless` parts) — not the application's controllers,
 * GraphQL, Swagger or class-validator (main.ts starts this file alone for these commands). bench:import: a start
 * cost about 2 s of CPU and 150 MiB before the first row with the whole application loaded.
 */
import { Module, type DynamicModule } from '@nestjs/common';
import { EVENT_TYPES, inlineReadModels } from '@learnstream/composition/headless';
import { CoreModule, type CoreOptions } from '@learnstream/core/headless';
import { IMPORT_USAGE, InteropImportModule, parseImportArgs, runImportCommand } from '@learnstream/interop/headless';
import { PrivacyRetentionModule } from '@learnstream/privacy/headless';
import { ProjectionsModule } from '@learnstream/projections/headless';
import { cliConfig, cliLogger, inContext } from './context';

@Module({})
class MoodleImportModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return {
      module: MoodleImportModule,
      imports: [CoreModule.forRoot({ ...options, events: EVENT_TYPES }), ProjectionsModule.forRoot({ run: false, http: false, projections: inlineReadModels() }), InteropImportModule, PrivacyRetentionModule],
    };
  }
}

/** `argv` from the command on: import moodle-logs … or import moodle-grades …. */
export const isMoodleImport = (argv: string[]) => argv[0] === 'import' && (argv[1] === 'moodle-logs' || argv[1] === 'moodle-grades');

export async function runMoodleImport(argv: string[], out: (s: string) => void = console.log): Promise<number> {
  const args = parseImportArgs(argv.slice(1));
  if ('problem' in args) {
    out(`${args.problem}\nusage: learnstream\n${IMPORT_USAGE}`);
    return 64; // EX_USAGE
  }
  const config = cliConfig(out);
  if (typeof config === 'number') return config;
  return inContext(config, cliLogger(config), (options) => MoodleImportModule.forRoot(options), out, (app) => runImportCommand(app, argv.slice(1), out));
}
