/**
 * npm run bench:bulk [-- --learners 10000 --batch 2000] — the bulk uploads over
 * HTTP against the built server on a fresh database, with the load average
 * beside each figure and the ratio to an anchor measured in the same run: a
 * raw COPY of as many rows into a scratch table (what PostgreSQL alone does
 * with them).
 *
 *   accounts     POST /api/v1/users/bulk (temporary passwords), rows/s   floor 500/s
 *   enrolments   POST /courses/{id}/enrolments/bulk with dates, rows/s    floor 5,000/s
 *   results      POST /offline-tests/{id}/results/bulk, rows/s           floor 5,000/s
 *   grades       POST /assignments/{id}/grades/bulk, rows/s              floor 5,000/s
 *
 * Each upload is sent in batches, one after the other, as an integrator
 * would; the table gives the rate over all of them, the first batch's (the
 * server's code not yet optimised by V8) and the later batches' (steady
 * state), and the server's CPU time per 1,000 rows (its own work, whatever
 * the machine's load: the wall-clock rates depend on what else runs).
 * --no-projector starts the API with PROJECTOR_IN_PROCESS=false: the uploads
 * without the report projections catching up in the same process.
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { resolve } from 'node:path';
import { ADMIN, freshDatabase, must, processCpuSeconds, signIn, startServer, summariseProfile } from './support';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const LEARNERS = arg('learners', 10000);
const BATCH = arg('batch', 2000);
/** --profile: the server runs under node --cpu-prof; the top frames are printed after the table. */
const PROFILE = process.argv.includes('--profile');
const NO_PROJECTOR = process.argv.includes('--no-projector');

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e9];
}

/** The anchor: COPY of `n` rows of about the upload's width into a scratch table. */
async function copyAnchor(url: string, n: number): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TEMP TABLE bench_copy (id uuid, learner uuid, at timestamptz, grade float8, note text)');
    const [, s] = await timed(
      () =>
        new Promise<void>((resolve, reject) => {
          const stream = client.query(copyFrom('COPY bench_copy FROM STDIN'));
          stream.on('finish', () => resolve());
          stream.on('error', reject);
          for (let i = 0; i < n; i++) stream.write(`${randomUUID()}\t${randomUUID()}\t2024-01-10T08:00:00Z\t${i % 100}\tbench\n`);
          stream.end();
        }),
    );
    return n / s;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  console.log(`bench:bulk: ${LEARNERS} learners, batches of ${BATCH}; ${cpus().length} CPUs${NO_PROJECTOR ? '; PROJECTOR_IN_PROCESS=false' : ''}`);
  const db = await freshDatabase('bulk', 54350);
  const profileDir = PROFILE ? resolve('.data/bench-bulk-profile') : undefined;
  const server = await startServer({ databaseUrl: db.url, profileDir, extraEnv: NO_PROJECTOR ? { PROJECTOR_IN_PROCESS: 'false' } : undefined });
  const rows: string[][] = [];
  /** Sends every batch of an upload in turn and adds its line to the table. */
  const upload = async (what: string, n: number, floor: number, anchor: number, batches: (() => Promise<unknown>)[]) => {
    const seconds: number[] = [];
    const cpu0 = processCpuSeconds(server.pid);
    for (const send of batches) seconds.push((await timed(send))[1]);
    const cpu = processCpuSeconds(server.pid) - cpu0;
    const total = seconds.reduce((a, b) => a + b, 0);
    const rate = n / total;
    const first = Math.min(BATCH, n) / seconds[0];
    const later = seconds.length > 1 ? (n - Math.min(BATCH, n)) / seconds.slice(1).reduce((a, b) => a + b, 0) : NaN;
    rows.push([what, String(n), total.toFixed(2), rate.toFixed(0), first.toFixed(0), Number.isNaN(later) ? '-' : later.toFixed(0), ((1e6 * cpu) / n).toFixed(0), `${(rate / anchor).toFixed(3)} of COPY`, rate >= floor ? `met (≥ ${floor})` : `NOT met (< ${floor})`, load()]);
  };
  const batchesOf = <T>(items: T[], send: (batch: T[], offset: number) => Promise<unknown>) =>
    Array.from({ length: Math.ceil(items.length / BATCH) }, (_, b) => () => send(items.slice(b * BATCH, (b + 1) * BATCH), b * BATCH));
  try {
    const anchor = await copyAnchor(db.url, LEARNERS);
    console.log(`anchor: COPY ${LEARNERS} rows ${anchor.toFixed(0)} rows/s (load ${load()})`);
    const admin = await signIn(server.base, ADMIN.username, ADMIN.password);
    const school = await must<{ schoolId: string }>(201, server.base, 'POST', '/api/v1/schools', { name: 'Bench school', code: `B${Date.now() % 1e6}`, country: 'TH' }, admin.token);
    const adminRow = await must<{ results: { userId: string; username: string; temporaryPassword: string }[] }>(200, server.base, 'POST', '/api/v1/users/bulk', {
      schoolId: school.schoolId,
      rows: [{ username: 'bench.admin', displayName: 'Bench Admin', role: 'school_admin' }],
    }, admin.token);
    const adminPassword = 'bench-school-admin-1';
    await must(204, server.base, 'POST', '/api/v1/auth/password', { username: 'bench.admin', currentPassword: adminRow.results[0].temporaryPassword, newPassword: adminPassword });
    const schoolAdmin = await signIn(server.base, 'bench.admin', adminPassword);

    // Accounts.
    const learnerIds: string[] = [];
    const numbers = Array.from({ length: LEARNERS }, (_, i) => i);
    await upload('accounts', LEARNERS, 500, anchor, batchesOf(numbers, async (batch) => {
      const res = await must<{ results: { userId: string }[] }>(200, server.base, 'POST', '/api/v1/users/bulk', {
        schoolId: school.schoolId,
        rows: batch.map((i) => ({ username: `learner${i}`, displayName: `Learner ${i}`, role: 'learner', consentObtainedFrom: 'parent', occurredAt: '2024-01-05T00:00:00Z' })),
      }, schoolAdmin.token);
      learnerIds.push(...res.results.map((r) => r.userId));
    }));

    const course = await must<{ courseId: string }>(201, server.base, 'POST', '/api/v1/courses', { schoolId: school.schoolId, title: 'Bench', code: 'BENCH-1', subject: 'Bench', selfEnrolment: { enabled: false }, occurredAt: '2024-01-08T00:00:00Z' }, schoolAdmin.token);
    await must(201, server.base, 'POST', `/api/v1/courses/${course.courseId}/sections`, { title: 'Week 1' }, schoolAdmin.token);

    // Enrolments with dates.
    await upload('enrolments', LEARNERS, 5000, anchor, batchesOf(learnerIds, (batch, k) => {
      const learners = batch.map((learnerId, i) => ({ learnerId, occurredAt: new Date(Date.parse('2024-01-10T00:00:00Z') + ((k + i) % 1000) * 60_000).toISOString() }));
      return must(200, server.base, 'POST', `/api/v1/courses/${course.courseId}/enrolments/bulk`, { learners }, schoolAdmin.token);
    }));

    // Offline-test results.
    const test = await must<{ offlineTestId: string }>(201, server.base, 'POST', `/api/v1/courses/${course.courseId}/offline-tests`, { title: 'Final', maxGrade: 100, takenOn: '2024-03-01', occurredAt: '2024-03-01T00:00:00Z' }, schoolAdmin.token);
    await upload('offline results', LEARNERS, 5000, anchor, batchesOf(learnerIds, (batch, k) => {
      const rows = batch.map((learnerId, i) => ({ learnerId, grade: (k + i) % 101, occurredAt: '2024-03-02T00:00:00Z' }));
      return must(200, server.base, 'POST', `/api/v1/offline-tests/${test.offlineTestId}/results/bulk`, { rows }, schoolAdmin.token);
    }));

    // Assignment grades (one submission stream per learner).
    const assignment = await must<{ assignmentId: string }>(201, server.base, 'POST', `/api/v1/courses/${course.courseId}/assignments`, { title: 'Essay', submissionTypes: ['text'], maxGrade: 100, dueAt: '2024-02-01T00:00:00Z', occurredAt: '2024-01-15T00:00:00Z' }, schoolAdmin.token);
    await upload('assignment grades', LEARNERS, 5000, anchor, batchesOf(learnerIds, (batch, k) => {
      const rows = batch.map((learnerId, i) => ({ learnerId, grade: (k + i) % 101, occurredAt: '2024-02-05T00:00:00Z' }));
      return must(200, server.base, 'POST', `/api/v1/assignments/${assignment.assignmentId}/grades/bulk`, { rows }, schoolAdmin.token);
    }));

    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length), 8));
    console.log(['upload', 'rows', 'seconds', 'rows/s', 'first batch', 'later', 'server CPU ms/1k rows', 'ratio', 'floor', 'load average (1 5 15)'].map((h, c) => h.padEnd(widths[c])).join('  '));
    for (const r of rows) console.log(r.map((v, c) => v.padEnd(widths[c])).join('  '));
  } finally {
    await server.stop();
    await db.drop();
  }
  if (profileDir) console.log(`\nWhere the server's time went (node --cpu-prof, the whole run):\n${summariseProfile(profileDir, 30)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
