/**
 * A lock held by someone else (an operator's LOCK TABLE, a long ALTER TABLE or
 * VACUUM FULL of one read model) costs the requests that need that table an
 * honest 503 DATABASE_UNAVAILABLE with Retry-After after DATABASE_LOCK_TIMEOUT_MS
 * (PostgreSQL's lock_timeout on every connection of the pool), not a wait for
 * as long as the lock is held: each waiting request holds one of the pool's
 * few connections, so a handful of them took the whole API down (sign-in,
 * /me, /health: "timeout exceeded when trying to connect") until the lock went.
 * While the lock is held, the requests that do not need the table are served.
 */
import pg from 'pg';
import request from 'supertest';
import { createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { createCourse } from '../support/courses';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let operator: pg.Client;
let teacher: Session;
let course: string;
const api = () => request(t.app.getHttpServer());

beforeAll(async () => {
  t = await createTestApp({ DATABASE_LOCK_TIMEOUT_MS: '5000' });
  operator = new pg.Client({ connectionString: t.db.url, application_name: 'database-locks-operator' });
  await operator.connect();
  const admin = await signInAdmin(t);
  const school = await createSchool(t, admin, 'Locks School');
  teacher = await openAccount(t, admin, { schoolId: school, role: 'teacher' });
  course = await createCourse(t, teacher, { schoolId: school, code: 'LOCK-1' });
  await api().get(`/api/v1/courses/${course}/logs`).set(teacher.auth).expect(200);
}, 120_000);

afterAll(async () => {
  await operator?.query('ROLLBACK').catch(() => undefined);
  await operator?.end();
  await t?.close();
});

it('while an operator holds course_log locked: its readers get 503 with Retry-After at once, everything else is served; then all works again', async () => {
  const pool = t.config.databasePoolMax;
  await operator.query('BEGIN');
  await operator.query('LOCK TABLE course_log IN ACCESS EXCLUSIVE MODE');
  // More readers of the locked table than the pool has connections, and requests that do not need it.
  const started = Date.now();
  const readers = Array.from({ length: pool + 2 }, () => api().get(`/api/v1/courses/${course}/logs`).set(teacher.auth).then((r) => r));
  const others = Array.from({ length: 3 }, () => api().get('/api/v1/me').set(teacher.auth).then((r) => r));
  // All of them are answered while the lock is still held (the operator's transaction stays open until they are,
  // or for at most 30 s: before, the readers waited for the lock and the rest for a connection).
  const deadline = new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 30_000).unref());
  const answered = await Promise.race([Promise.all([...readers, ...others]), deadline]);
  await operator.query('ROLLBACK');
  expect(answered).not.toBe('still waiting');
  const answers = answered as request.Response[];
  const refused = answers.slice(0, readers.length);
  expect(refused.map((r) => ({ status: r.status, code: r.body?.error?.code, retryAfter: r.headers['retry-after'] }))).toEqual(
    refused.map(() => ({ status: 503, code: 'DATABASE_UNAVAILABLE', retryAfter: expect.stringMatching(/^\d+$/) })),
  );
  expect(answers.slice(readers.length).map((r) => r.status)).toEqual(others.map(() => 200));
  console.log(`${readers.length} readers of a locked table refused and ${others.length} other requests served in ${Date.now() - started} ms`);
  // The lock gone, the course log is read again.
  await api().get(`/api/v1/courses/${course}/logs`).set(teacher.auth).expect(200);
}, 120_000);
