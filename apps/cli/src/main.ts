/**
 * learnstream <command>: operations from the shell.
 *
 *   migrate                          run pending migrations
 *   projections status               checkpoint, lag and dead letters of each projection
 *   projections rebuild <name>       empty a read model and replay the log into it
 *   projections dead-letters [name]  events parked by a projection, with their error
 *   projections retry <id>           apply a parked event again
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '@learnstream/config';
import { CoreModule, JsonLogger, resolveDatabase } from '@learnstream/core';
import { EVENT_TYPES, readModels } from '@learnstream/composition';
import { ProjectionRunner, ProjectionsModule } from '@learnstream/projections';
import { Module, type DynamicModule } from '@nestjs/common';
import type { CoreOptions } from '@learnstream/core';

@Module({})
class CliModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return { module: CliModule, imports: [CoreModule.forRoot({ ...options, events: EVENT_TYPES }), ProjectionsModule.forRoot({ run: false, http: false, ...readModels() })] };
  }
}

const USAGE = `usage: learnstream <command>
  migrate                          run pending migrations
  projections status               checkpoint, lag and dead letters of each projection
  projections rebuild <name>       empty a read model and replay the log into it
  projections dead-letters [name]  events a projection parked, with their error
  projections retry <id>           apply a parked event again (after a fix)`;

function table(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '(none)';
  const keys = Object.keys(rows[0]);
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k] ?? '').length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  return [line(keys), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(keys.map((k) => String(r[k] ?? ''))))].join('\n');
}

export async function runCli(argv: string[], out: (s: string) => void = console.log): Promise<number> {
  const [command, sub, arg] = argv;
  const known = command === 'migrate' || (command === 'projections' && ['status', 'rebuild', 'dead-letters', 'retry'].includes(sub ?? ''));
  if (!known || (sub === 'rebuild' && !arg) || (sub === 'retry' && !/^\d+$/.test(arg ?? ''))) {
    out(USAGE);
    return 64; // EX_USAGE
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      out(error.message);
      return 78;
    }
    throw error;
  }
  const logger = new JsonLogger(config.logLevelSet ? config.logLevel : 'warn');
  const database = await resolveDatabase(config, logger);
  let app;
  try {
    // Migrations run when the context starts.
    app = await NestFactory.createApplicationContext(CliModule.forRoot({ config, databaseUrl: database.url }), { logger, abortOnError: false });
    if (command === 'migrate') {
      out('migrations are up to date');
      return 0;
    }
    const runner = app.get(ProjectionRunner);
    if (sub === 'status') {
      const rows = await runner.status();
      out(table(rows.map(({ name, position, lag, lagCapped, eventsHandled, deadLetters, generation, updatedAt, rebuildStartedAt }) => ({
        name, position, lag: lagCapped ? `${lag}+` : lag, eventsHandled, deadLetters, generation, updatedAt, rebuilding: rebuildStartedAt ? 'yes' : '',
      }))));
    } else if (sub === 'rebuild') {
      await runner.rebuild(arg!);
      out(`rebuild of ${arg} started: the running projector replays the log into it (follow with: projections status)`);
    } else if (sub === 'retry') {
      const result = await runner.retryDeadLetter(Number(arg));
      out(result.retried ? `dead letter ${arg} applied to ${result.projection} and removed` : `dead letter ${arg} failed again: ${result.error}`);
      return result.retried ? 0 : 1;
    } else {
      out(table((await runner.deadLetters(arg)).map((d) => ({ ...d }))));
    }
    return 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    out(code ? `${code}: ${(error as Error).message}` : String(error));
    return 1;
  } finally {
    await app?.close();
    await database.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
