/**
 * learnstream <command>: operations from the shell (main.ts starts it).
 *
 *   migrate                          run pending migrations
 *   projections status               checkpoint, lag and dead letters of each projection
 *   projections rebuild <name>       empty a read model and replay the log into it
 *   projections dead-letters [name]  events parked by a projection, with their error
 *   projections retry <id>           apply a parked event again
 *   import moodle-logs|moodle-grades  Moodle imports (libs/interop)
 *   privacy sweep [--dry-run]        the retention sweep: shred cancelled accounts past their hold, expired IPs
 *   privacy reapply-erasures         carry every erasure of the ledger out again (after a restore; every start does it too)
 *   seed demo                        a small demo term through the real API (sign-ins printed)
 *   early-warning train              fit the at-risk model on a history (libs/early-warning)
 */
import { CoreModule } from '@learnstream/core';
import { EVENT_TYPES, readModels } from '@learnstream/composition';
import { IMPORT_USAGE, OuladImporter } from '@learnstream/interop';
import { EventLog } from '@learnstream/event-store';
import { PasswordHasher } from '@learnstream/identity';
import { randomBytes } from 'node:crypto';
import { ErasureReplay, PrivacyRetentionModule, RetentionSweep } from '@learnstream/privacy';
import { ProjectionRunner, ProjectionsModule } from '@learnstream/projections';
import { Module, type DynamicModule } from '@nestjs/common';
import type { CoreOptions } from '@learnstream/core';
import { TRAIN_USAGE, trainCommand } from '@learnstream/early-warning';
import { cliConfig, cliLogger, inContext } from './context';
import { isMoodleImport, runMoodleImport } from './import-command';
import { seedDemoCommand } from './seed-demo';

@Module({})
class CliModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return { module: CliModule, imports: [CoreModule.forRoot({ ...options, events: EVENT_TYPES }), ProjectionsModule.forRoot({ run: false, http: false, ...readModels(options.config) }), PrivacyRetentionModule] };
  }
}

const USAGE = `usage: learnstream <command>
  migrate                          run pending migrations
  projections status               checkpoint, lag and dead letters of each projection
  projections rebuild <name>       empty a read model and replay the log into it
  projections dead-letters [name]  events a projection parked, with their error
  projections retry <id>           apply a parked event again (after a fix)
${IMPORT_USAGE}
  import oulad DIR --school ID --as USER_ID [--start 2013-10-01]
                                   a history in the OULAD layout (docs/early-warning.md) into a school at its
                                   historic times: accounts, courses, assignments, enrolments, results;
                                   --as: the integration account (a school admin of the school)
  privacy sweep [--dry-run]        retention sweep: shred cancelled accounts past their legal hold
                                   and request metadata (IP, user agent) past retention; --dry-run
                                   only says what it would shred
  privacy reapply-erasures         carry every erasure of the ledger (ERASURE_LEDGER_PATH and the key
                                   store) out again: after restoring a backup (every start does it too)
  seed demo                        a small demo term (schools, people, courses, quizzes, grades,
                                   activity) through the real API; prints sign-ins and curl examples
${TRAIN_USAGE}`;

function table(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '(none)';
  const keys = Object.keys(rows[0]);
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k] ?? '').length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  return [line(keys), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(keys.map((k) => String(r[k] ?? ''))))].join('\n');
}

/** `privacy sweep [--dry-run]`: what was (or would be) shredded, and why. */
async function runSweep(sweep: RetentionSweep, dryRun: boolean, out: (s: string) => void): Promise<number> {
  const r = await sweep.run({ dryRun });
  if (r.skipped) {
    out('another retention sweep is running: nothing done');
    return 1;
  }
  const verb = dryRun ? 'would shred' : 'shredded';
  out(`retention sweep${dryRun ? ' (dry run: nothing changed)' : ''} at ${r.at}`);
  out(`legal holds expired: ${r.expiredHolds.length}`);
  out(`people ${verb}: ${r.erasures.length}`);
  if (r.erasures.length) out(table(r.erasures.map((e) => ({ userId: e.userId, why: e.why, requestId: e.requestId ?? '', cancelledAt: e.cancelledAt ?? '', shredAfter: e.shredAfter ?? '' }))));
  if (r.blocked.length) out(`kept under a legal hold: ${r.blocked.length}\n${table(r.blocked.map((b) => ({ ...b, until: b.until ?? 'until lifted' })))}`);
  out(`request metadata keys (IP, user agent) of months before ${r.requestMetadata.before} ${verb}: ${r.requestMetadata.keys}`);
  if (r.requestMetadata.months.length) out(table(r.requestMetadata.months.map((m) => ({ ...m }))));
  for (const e of r.errors) out(`error for ${e.userId}: ${e.error}`);
  return r.errors.length ? 1 : 0;
}

/** `import oulad DIR --school ID --as USER_ID [--start YYYY-MM-DD]`. */
function parseOuladArgs(args: string[]): { dir: string; schoolId: string; by: string; start?: string } | { problem: string } {
  const flags: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (['--school', '--as', '--start'].includes(args[i])) flags[args[i]] = args[++i] ?? '';
    else rest.push(args[i]);
  }
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (rest.length !== 1) return { problem: 'one directory' };
  if (!uuid.test(flags['--school'] ?? '') || !uuid.test(flags['--as'] ?? '')) return { problem: '--school and --as take ids' };
  if (flags['--start'] !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(flags['--start'])) return { problem: '--start takes a date' };
  return { dir: rest[0], schoolId: flags['--school'].toLowerCase(), by: flags['--as'].toLowerCase(), ...(flags['--start'] && { start: flags['--start'] }) };
}

export async function runCli(argv: string[], out: (s: string) => void = console.log): Promise<number> {
  const [command, sub, arg] = argv;
  // Files in, weights out: no database.
  if (command === 'early-warning' && sub === 'train') return trainCommand(argv.slice(2), out);
  if (isMoodleImport(argv)) return runMoodleImport(argv, out);
  const ouladArgs = command === 'import' && sub === 'oulad' ? parseOuladArgs(argv.slice(2)) : null;
  const known =
    (ouladArgs !== null && !('problem' in ouladArgs)) ||
    command === 'migrate' || (command === 'projections' && ['status', 'rebuild', 'dead-letters', 'retry'].includes(sub ?? ''))
    || (command === 'privacy' && sub === 'sweep' && argv.slice(2).every((a) => a === '--dry-run'))
    || (command === 'privacy' && sub === 'reapply-erasures' && argv.length === 2)
    || (command === 'seed' && sub === 'demo' && argv.length === 2);
  if (!known || (sub === 'rebuild' && !arg) || (sub === 'retry' && !/^\d+$/.test(arg ?? ''))) {
    out(USAGE);
    return 64; // EX_USAGE
  }
  const config = cliConfig(out);
  if (typeof config === 'number') return config;
  const logger = cliLogger(config);
  if (command === 'seed') return seedDemoCommand(config, logger, out);
  return inContext(config, logger, (options) => CliModule.forRoot(options), out, async (app) => {
    if (command === 'migrate') {
      out('migrations are up to date');
      return 0;
    }
    if (ouladArgs && !('problem' in ouladArgs)) {
      const passwordHash = await new PasswordHasher(config).hash(randomBytes(24).toString('base64url'));
      const summary = await new OuladImporter(app.get(EventLog)).run({ ...ouladArgs, passwordHash, onProgress: (line) => out(`  ${line}`) });
      const { courseIds, ...counts } = summary;
      out(`imported: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      out(table(courseIds.map((c) => ({ ...c }))));
      return 0;
    }
    if (command === 'privacy' && sub === 'reapply-erasures') {
      // The start of this command carried them out already (as every start does): report both runs.
      const replay = app.get(ErasureReplay);
      const now = await replay.run();
      const keysDeleted = (replay.atStart?.keysDeleted ?? 0) + now.keysDeleted;
      const reapplied = [...(replay.atStart?.reapplied ?? []), ...now.reapplied];
      out(`erasures in the ledger: ${now.ledger}; keys deleted: ${keysDeleted}; people erased again in the event database: ${reapplied.length}`);
      if (reapplied.length) out(table(reapplied.map((e) => ({ subjectId: e.subjectId, requestId: e.requestId ?? '' }))));
      return 0;
    }
    if (command === 'privacy') return await runSweep(app.get(RetentionSweep), argv.includes('--dry-run'), out);
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
  });
}
