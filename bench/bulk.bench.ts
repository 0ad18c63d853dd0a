/**
 * npm run bench:bulk [-- --learners 2000] — the bulk uploads over HTTP against
 * the built server on a fresh database, with the load average beside each
 * figure and the ratio to an anchor measured in the same run: a raw COPY of
 * as many rows into a scratch table (what PostgreSQL alone does with them).
 *
 *   accounts     POST /api/v1/users/bulk (temporary passwords), rows/s   floor 500/s
 *   enrolments   POST /courses/{id}/enrolments/bulk with dates, rows/s    floor 5,000/s
 *   results      POST /offline-tests/{id}/results/bulk, rows/s           floor 5,000/s
 *   grades       POST /assignments/{id}/grades/bulk, rows/s              floor 5,000/s
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { resolve } from 'node:path';
import { ADMIN, freshDatabase, must, signIn, startServer, summariseProfile } from './support';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const LEARNERS = arg('learners', 2000);
const BATCH = arg('batch', 2000);
/** --profile: the server runs under node --cpu-prof; the top frames are printed after the table. */
const PROFILE = process.argv.includes('--profile');

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
  console.log(`bench:bulk: ${LEARNERS} learners, batches of ${BATCH}; ${cpus().length} CPUs`);
  const db = await freshDatabase('bulk', 54350);
  const profileDir = PROFILE ? resolve('.data/bench-bulk-profile') : undefined;
  const server = await startServer({ databaseUrl: db.url, profileDir });
  const rows: string[][] = [];
  const report = (what: string, n: number, seconds: number, anchor: number, floor: number) => {
    const rate = n / seconds;
    rows.push([what, String(n), seconds.toFixed(2), rate.toFixed(0), `${(rate / anchor).toFixed(3)} of COPY`, rate >= floor ? `met (≥ ${floor})` : `NOT met (< ${floor})`, load()]);
  };
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
    const [, accountsS] = await timed(async () => {
      for (let k = 0; k < LEARNERS; k += BATCH) {
        const batch = Array.from({ length: Math.min(BATCH, LEARNERS - k) }, (_, i) => ({ username: `learner${k + i}`, displayName: `Learner ${k + i}`, role: 'learner', consentObtainedFrom: 'parent', occurredAt: '2024-01-05T00:00:00Z' }));
        const res = await must<{ results: { userId: string }[] }>(200, server.base, 'POST', '/api/v1/users/bulk', { schoolId: school.schoolId, rows: batch }, schoolAdmin.token);
        learnerIds.push(...res.results.map((r) => r.userId));
      }
    });
    report('accounts', LEARNERS, accountsS, anchor, 500);

    const course = await must<{ courseId: string }>(201, server.base, 'POST', '/api/v1/courses', { schoolId: school.schoolId, title: 'Bench', code: 'BENCH-1', subject: 'Bench', selfEnrolment: { enabled: false }, occurredAt: '2024-01-08T00:00:00Z' }, schoolAdmin.token);
    await must(201, server.base, 'POST', `/api/v1/courses/${course.courseId}/sections`, { title: 'Week 1' }, schoolAdmin.token);

    // Enrolments with dates.
    const [, enrolS] = await timed(async () => {
      for (let k = 0; k < LEARNERS; k += BATCH) {
        const learners = learnerIds.slice(k, k + BATCH).map((learnerId, i) => ({ learnerId, occurredAt: new Date(Date.parse('2024-01-10T00:00:00Z') + ((k + i) % 1000) * 60_000).toISOString() }));
        await must(200, server.base, 'POST', `/api/v1/courses/${course.courseId}/enrolments/bulk`, { learners }, schoolAdmin.token);
      }
    });
    report('enrolments', LEARNERS, enrolS, anchor, 5000);

    // Offline-test results.
    const test = await must<{ offlineTestId: string }>(201, server.base, 'POST', `/api/v1/courses/${course.courseId}/offline-tests`, { title: 'Final', maxGrade: 100, takenOn: '2024-03-01', occurredAt: '2024-03-01T00:00:00Z' }, schoolAdmin.token);
    const [, resultsS] = await timed(async () => {
      for (let k = 0; k < LEARNERS; k += BATCH) {
        const batch = learnerIds.slice(k, k + BATCH).map((learnerId, i) => ({ learnerId, grade: (k + i) % 101, occurredAt: '2024-03-02T00:00:00Z' }));
        await must(200, server.base, 'POST', `/api/v1/offline-tests/${test.offlineTestId}/results/bulk`, { rows: batch }, schoolAdmin.token);
      }
    });
    report('offline results', LEARNERS, resultsS, anchor, 5000);

    // Assignment grades (one submission stream per learner).
    const assignment = await must<{ assignmentId: string }>(201, server.base, 'POST', `/api/v1/courses/${course.courseId}/assignments`, { title: 'Essay', submissionTypes: ['text'], maxGrade: 100, dueAt: '2024-02-01T00:00:00Z', occurredAt: '2024-01-15T00:00:00Z' }, schoolAdmin.token);
    const [, gradesS] = await timed(async () => {
      for (let k = 0; k < LEARNERS; k += BATCH) {
        const batch = learnerIds.slice(k, k + BATCH).map((learnerId, i) => ({ learnerId, grade: (k + i) % 101, occurredAt: '2024-02-05T00:00:00Z' }));
        await must(200, server.base, 'POST', `/api/v1/assignments/${assignment.assignmentId}/grades/bulk`, { rows: batch }, schoolAdmin.token);
      }
    });
    report('assignment grades', LEARNERS, gradesS, anchor, 5000);

    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length), 8));
    console.log(['upload', 'rows', 'seconds', 'rows/s', 'ratio', 'floor', 'load average (1 5 15)'].map((h, c) => h.padEnd(widths[c])).join('  '));
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
