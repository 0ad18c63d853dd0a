/**
 * The `learnstream` command's entry point; cli.ts does the work, and import-command.ts the Moodle imports alone
 * (without loading the rest of the application: its start cost most of the time of a small import).
 *
 * An import sets V8's heap growth (CLI_HEAP_GROWING_PERCENT) here, before the application's modules load: set after,
 * it took effect only from the second full collection on, and the last one of the start (about 50 MB live) had sized
 * the heap with V8's own growth, up to four times that. bench:import then ran up to 300 MiB before its first
 * collection on some runs. cli.ts sets it again for the other commands, as before.
 */
import { setFlagsFromString } from 'node:v8';
import { loadConfig } from '@learnstream/config';

const argv = process.argv.slice(2);
if (argv[0] === 'import') {
  try {
    const { cliHeapGrowingPercent } = loadConfig();
    if (cliHeapGrowingPercent > 0) setFlagsFromString(`--heap-growing-percent=${cliHeapGrowingPercent}`);
  } catch {
    // A configuration problem: runCli says what it is.
  }
}
// The Moodle imports' module loads no more than they need; every other command loads cli.ts (the whole application).
const { isMoodleImport, runMoodleImport } = await import('./import-command');
const run = isMoodleImport(argv) ? runMoodleImport : (await import('./cli')).runCli;
run(argv).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
