/**
 * The `learnstream import …` commands (apps/cli hands them the application
 * context): argument parsing, the progress bar on stderr, Ctrl-C to stop at
 * the next batch boundary (run the same command again to resume), and the
 * summary (or --json).
 */
import type { INestApplicationContext } from '@nestjs/common';
import { loadMapping } from './moodle/mapping-file';
import { MoodleGradesImporter } from './moodle/moodle-grades-importer';
import { MoodleLogImporter, type ImportProgress, type MoodleLogImportSummary } from './moodle/moodle-log-importer';

export const IMPORT_USAGE = `  import moodle-logs FILE [--mapping FILE.json] [--school ID] [--create-missing]
                   [--site NAME] [--as USER_ID] [--batch N] [--restart] [--json]
                   [--timezone ZONE] [--year YYYY] [--moodle-course ID]
                                   import Moodle's Logs report download (CSV, .xlsx, .ods, JSON) or a
                                   logstore_standard_log dump (resumable; Ctrl-C stops, run again to resume)
  import moodle-grades FILE.csv --course ID [--mapping FILE.json] [--as USER_ID] [--json]
                                   import a Moodle gradebook export into a course's gradebook`;

const FLAGS: Record<string, 'value' | 'switch'> = {
  '--mapping': 'value',
  '--school': 'value',
  '--create-missing': 'switch',
  '--site': 'value',
  '--as': 'value',
  '--batch': 'value',
  '--restart': 'switch',
  '--json': 'switch',
  '--course': 'value',
  '--timezone': 'value',
  '--year': 'value',
  '--moodle-course': 'value',
};

export interface ImportArgs {
  what: 'moodle-logs' | 'moodle-grades';
  file: string;
  flags: Record<string, string | true>;
}

/** The command's arguments, or a usage problem. */
export function parseImportArgs(argv: string[]): ImportArgs | { problem: string } {
  const [what, ...rest] = argv;
  if (what !== 'moodle-logs' && what !== 'moodle-grades') return { problem: `unknown import ${what ?? ''}`.trim() };
  const flags: Record<string, string | true> = {};
  const files: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const [name, inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (!name.startsWith('--')) {
      files.push(arg);
      continue;
    }
    const kind = FLAGS[name];
    if (!kind) return { problem: `unknown option ${name}` };
    if (kind === 'switch') flags[name] = true;
    else {
      const value = inline ?? rest[++i];
      if (value === undefined || value.startsWith('--')) return { problem: `${name} needs a value` };
      flags[name] = value;
    }
  }
  if (files.length !== 1) return { problem: 'name one file' };
  if (flags['--year'] !== undefined && !/^\d{4}$/.test(String(flags['--year']))) return { problem: '--year must be a year such as 2024' };
  if (flags['--moodle-course'] !== undefined && !/^[1-9]\d{0,14}$/.test(String(flags['--moodle-course']))) return { problem: '--moodle-course must be a Moodle course id' };
  if (what === 'moodle-grades' && !flags['--course']) return { problem: 'moodle-grades needs --course <id>' };
  if (flags['--batch'] !== undefined && !/^[1-9]\d{0,5}$/.test(String(flags['--batch']))) return { problem: '--batch must be a whole number from 1' };
  return { what, file: files[0], flags };
}

const number = (n: number) => n.toLocaleString('en-US');
const counts = (map: Record<string, number>) =>
  Object.entries(map)
    .filter(([, n]) => n > 0)
    .sort(([, a], [, b]) => b - a)
    .map(([k, n]) => `${k} ${number(n)}`)
    .join(', ') || 'none';

/** One line of the progress bar: percent of the file, rows, rows per second. */
export function progressLine(p: ImportProgress): string {
  const fraction = p.totalBytes ? Math.min(1, p.bytes / p.totalBytes) : 1;
  const width = 30;
  const filled = Math.round(fraction * width);
  const rate = p.elapsedMs > 0 ? Math.round((p.rows * 1000) / p.elapsedMs) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}%  ${number(p.rows)} rows  ${number(rate)} rows/s`;
}

export function describeLogImport(s: MoodleLogImportSummary): string[] {
  const c = s.counts;
  return [
    `moodle-logs ${s.file} (${s.format === 'report_log' ? 'Logs report' : 'logstore_standard_log'}): ${s.status === 'already_imported' ? 'already imported: nothing appended' : s.status}${s.resumedFrom && s.status !== 'already_imported' ? ` (resumed after row ${number(s.resumedFrom.rows)})` : ''}`,
    `  this run:   ${number(s.thisRun.rows)} rows read, ${number(s.thisRun.appended)} events appended in ${(s.thisRun.elapsedMs / 1000).toFixed(1)} s`,
    `  whole file: ${number(c.rows)} rows`,
    `  imported:   ${counts(c.imported)}`,
    `  skipped:    ${counts(c.skipped)}`,
    `  read as:    ${counts(c.notes)}`,
    `  created:    ${number(c.created.users)} users, ${number(c.created.courses)} courses, ${number(c.created.resources)} resources (placeholders)`,
    ...(c.alreadyInLog ? [`  already in the log (a batch retried after a stop): ${number(c.alreadyInLog)} events`] : []),
    ...(s.status === 'interrupted' ? ['  interrupted: run the same command again to resume'] : []),
  ];
}

export async function runImportCommand(
  app: INestApplicationContext,
  argv: string[],
  out: (s: string) => void,
  err: { write(s: string): unknown; isTTY?: boolean } = process.stderr,
  signal?: AbortSignal,
): Promise<number> {
  const args = parseImportArgs(argv);
  if ('problem' in args) {
    out(`${args.problem}\nusage: learnstream\n${IMPORT_USAGE}`);
    return 64;
  }
  const flag = (name: string) => (typeof args.flags[name] === 'string' ? (args.flags[name] as string) : undefined);
  const mapping = flag('--mapping') ? await loadMapping(flag('--mapping')!) : undefined;
  const json = args.flags['--json'] === true;

  if (args.what === 'moodle-grades') {
    const summary = await app.get(MoodleGradesImporter).import({ file: args.file, courseId: flag('--course')!, mapping, as: flag('--as') });
    if (json) out(JSON.stringify(summary));
    else {
      out(`moodle-grades ${summary.file}: ${summary.rows} rows into course ${summary.courseId}`);
      out(`  items:   ${summary.items.map((i) => `${i.name} (max ${i.maxGrade}${i.created ? ', new' : ''})`).join('; ')}`);
      out(`  grades:  ${summary.grades.recorded} recorded, ${summary.grades.unchanged} unchanged`);
      out(`  skipped: ${counts(summary.skipped)}`);
    }
    return 0;
  }

  // Ctrl-C: finish the batch in progress, save the checkpoint, stop.
  const controller = new AbortController();
  const stop = () => controller.abort();
  signal?.addEventListener('abort', stop);
  process.once('SIGINT', stop);
  let lastLine = 0;
  const onProgress = (p: ImportProgress) => {
    if (err.isTTY) err.write(`\r${progressLine(p)}`);
    else if (Date.now() - lastLine > 5000 || p.bytes >= p.totalBytes) {
      lastLine = Date.now();
      err.write(`${progressLine(p)}\n`);
    }
  };
  try {
    const summary = await app.get(MoodleLogImporter).import({
      file: args.file,
      mapping,
      schoolId: flag('--school') ?? null,
      createMissing: args.flags['--create-missing'] === true,
      site: flag('--site'),
      as: flag('--as'),
      batchSize: flag('--batch') ? Number(flag('--batch')) : undefined,
      restart: args.flags['--restart'] === true,
      timeZone: flag('--timezone'),
      year: flag('--year') ? Number(flag('--year')) : undefined,
      moodleCourse: flag('--moodle-course') ? Number(flag('--moodle-course')) : undefined,
      signal: controller.signal,
      onProgress,
    });
    if (err.isTTY) err.write('\n');
    if (json) out(JSON.stringify(summary));
    else describeLogImport(summary).forEach((line) => out(line));
    return summary.status === 'interrupted' ? 130 : 0;
  } finally {
    process.removeListener('SIGINT', stop);
    signal?.removeEventListener('abort', stop);
  }
}
