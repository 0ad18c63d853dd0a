/**
 * A Moodle import job over HTTP while the app's database backends are
 * terminated under it (pg_terminate_backend: 57P01, what a failover or an
 * operator does): the job neither fails nor imports a row twice; it goes on
 * from its checkpoint and ends `done` with every row once. A job cancelled
 * while the database drops its connections ends `cancelled`, never `failed`.
 */
import pg from 'pg';
import request from 'supertest';
import { createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
let admin: Session;
let schoolId: string;
const http = () => request(t.app.getHttpServer());
const MOODLE_COURSE = 7;

/** A standard log of `n` course views, dated from `day` (a Unix time), distinct per test by `site`. */
function log(n: number, day: number): Buffer {
  const lines = ['id,eventname,component,action,target,objecttable,objectid,crud,edulevel,contextid,contextlevel,contextinstanceid,userid,courseid,relateduserid,anonymous,other,timecreated,origin,ip,realuserid'];
  for (let i = 0; i < n; i++) lines.push(`${i + 1},\\core\\event\\course_viewed,core,viewed,course,,,r,2,1,50,${MOODLE_COURSE},${4000 + (i % 10)},${MOODLE_COURSE},,0,N;,${day + i},web,192.0.2.1,`);
  return Buffer.from(lines.join('\n'));
}

/** Ends every backend of the app's database but this test's own connection. */
async function terminateBackends(): Promise<number> {
  const { rows } = await db.query(`SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
  return rows[0].n;
}

/** The job's view, read by the test's own connection (the app's may be the ones being cut). */
async function jobRow(jobId: string): Promise<{ status: string; rows_read: string; imported: string; error: unknown }> {
  return (await db.query('SELECT status, rows_read, imported, error FROM interop_import_jobs WHERE job_id = $1', [jobId])).rows[0];
}

/** Terminates the backends every `everyMs` while the job runs (at most `times`), then waits for its end (condition-based, generous ceiling). */
async function cutWhileRunning(jobId: string, times: number, everyMs: number): Promise<{ cuts: number; row: Awaited<ReturnType<typeof jobRow>> }> {
  let cuts = 0;
  const deadline = Date.now() + 180_000;
  for (;;) {
    const row = await jobRow(jobId);
    if (!['queued', 'running'].includes(row.status)) return { cuts, row };
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${row.status} after 180 s`);
    if (cuts < times && row.status === 'running' && (await terminateBackends()) > 0) cuts++;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const viewsOf = async (day: number, n: number) =>
  (
    await db.query(
      `SELECT count(*)::int AS n FROM events WHERE event_type = 'CourseViewed' AND metadata->>'origin' = 'import' AND (metadata->>'occurredAt')::timestamptz >= to_timestamp($1) AND (metadata->>'occurredAt')::timestamptz < to_timestamp($2)`,
      [day, day + n],
    )
  ).rows[0].n;

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  db.on('error', () => undefined);
  await db.connect();
  admin = await signInAdmin(t);
  schoolId = await createSchool(t, admin, 'Import Faults School');
  const teacher = await openAccount(t, admin, { schoolId, role: 'teacher' });
  const course = await http().post('/api/v1/courses').set(teacher.auth).send({ schoolId, title: 'Faults', code: 'FLT-1', subject: 'History', selfEnrolment: { enabled: false } }).expect(201);
  expect(course.body.courseId).toBeDefined();
}, 120_000);

afterAll(async () => {
  await db?.end();
  await t?.close();
});

it('backends terminated again and again during an import: the job ends done, with every row imported once', async () => {
  const n = 12_000;
  const day = 1717200000; // 2024-06-01
  const started = await http().post(`/api/v1/imports/moodle-logs?schoolId=${schoolId}&createMissing=true&site=faults-moodle-1`).set(admin.auth).set('Content-Type', 'application/octet-stream').send(log(n, day)).expect(202);
  const { cuts, row } = await cutWhileRunning(started.body.jobId, 4, 150);
  expect(cuts).toBeGreaterThan(0);
  expect({ status: row.status, error: row.error }).toEqual({ status: 'done', error: null });
  expect(Number(row.rows_read)).toBe(n);
  expect(Number(row.imported)).toBe(n);
  expect(await viewsOf(day, n)).toBe(n);
}, 240_000);

it('a job cancelled while the backends are being terminated ends cancelled (not failed), and resumes to done without a row twice', async () => {
  const n = 12_000;
  const day = 1719792000; // 2024-07-01
  const started = await http().post(`/api/v1/imports/moodle-logs?schoolId=${schoolId}&createMissing=true&site=faults-moodle-2`).set(admin.auth).set('Content-Type', 'application/octet-stream').send(log(n, day)).expect(202);
  const jobId = started.body.jobId;
  // Wait until it is running, cut, and cancel at once (the cancel itself may meet the database down: 503, then tried again).
  for (let i = 0; i < 600 && (await jobRow(jobId)).status === 'queued'; i++) await new Promise((r) => setTimeout(r, 50));
  await terminateBackends();
  let cancel = await http().post(`/api/v1/imports/${jobId}/cancel`).set(admin.auth);
  for (let i = 0; cancel.status === 503 && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 200));
    cancel = await http().post(`/api/v1/imports/${jobId}/cancel`).set(admin.auth);
  }
  expect(cancel.status).toBe(200);
  expect(cancel.body.status).toMatch(/^(cancelled|done)$/);
  expect((await jobRow(jobId)).status).not.toBe('failed');
  if (cancel.body.status === 'cancelled') {
    await http().post(`/api/v1/imports/${jobId}/resume`).set(admin.auth).expect(202);
    const { row } = await cutWhileRunning(jobId, 2, 150);
    expect(row.status).toBe('done');
  }
  expect(await viewsOf(day, n)).toBe(n);
}, 240_000);
