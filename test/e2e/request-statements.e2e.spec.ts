/**
 * A request path of few round trips (issue 15): the SQL statements one
 * `GET /api/v1/me` sends to the event database, counted on the app's own
 * connections (every pg client's query to this test's database), with the
 * session check cached as it is between two requests of a signed-in client:
 * at most 4 (BEGIN, the caller's facts and tenant scope in one, the account
 * with its classes in one, COMMIT); and those of a class report.
 */
import pg from 'pg';
import request from 'supertest';
import { createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { createCourse } from '../support/courses';
import { activityStream } from '../../libs/event-store/src';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;

beforeAll(async () => {
  // No projection runner: nothing else in the process talks to the database while a request is counted.
  t = await createTestApp({ PROJECTOR_IN_PROCESS: 'false' });
}, 60_000);

afterAll(async () => {
  await t.close();
});

/** The statements the app sends to this test's database (and, `withKeyStore`, to its key store's: `<name>_keys`) while `fn` runs. */
async function statementsOf(fn: () => Promise<unknown>, withKeyStore = false): Promise<string[]> {
  const seen: string[] = [];
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const databases = withKeyStore ? [t.db.name, `${t.db.name}_keys`] : [t.db.name];
  proto.query = function (this: pg.Client, ...args: unknown[]) {
    if (databases.includes(this.database ?? '')) {
      const q = args[0] as string | { text?: string };
      seen.push((typeof q === 'string' ? q : (q?.text ?? String(q))).replace(/\s+/g, ' ').slice(0, 120));
    }
    return original.apply(this, args);
  };
  try {
    await fn();
  } finally {
    proto.query = original;
  }
  return seen;
}

async function me(who: Session): Promise<request.Response> {
  return request(t.app.getHttpServer()).get('/api/v1/me').set(who.auth).expect(200);
}

it('GET /api/v1/me sends at most 4 statements, and answers what it did before', async () => {
  const admin = await signInAdmin(t);
  const schoolId = await createSchool(t, admin);
  const classId = (await request(t.app.getHttpServer()).post(`/api/v1/schools/${schoolId}/classes`).set(admin.auth).send({ name: 'M.1/1', gradeLevel: '7' }).expect(201)).body.classId as string;
  const learner = await openAccount(t, admin, { schoolId, role: 'learner', classId });

  for (const who of [admin, learner]) {
    await me(who); // the session check is cached from here on
    // A cached session is checked again in the background once it is due (one statement for all the sessions served
    // since, every SESSION_CACHE_MS): on a loaded machine it can fall in a request's window. Each request sends at most
    // 4 of its own and at most that one more; the best of three sends at most 4 in all (CI at load 8 saw the recheck).
    const tries: string[][] = [];
    let answer: request.Response | undefined;
    for (let i = 0; i < 3; i++) tries.push(await statementsOf(async () => (answer = await me(who))));
    const own = (statements: string[]) => statements.filter((q) => !q.startsWith('SELECT s.session_id'));
    expect(tries.every((statements) => statements.length > 0 && own(statements).length <= 4 && statements.length - own(statements).length <= 1)).toBe(true);
    const best = tries.reduce((a, b) => (b.length < a.length ? b : a));
    expect({ who: who.username, statements: best.length <= 4 ? 'at most 4' : best }).toEqual({ who: who.username, statements: 'at most 4' });
    expect(answer!.body.account).toMatchObject({ userId: who.userId, username: who.username });
  }
  const body = (await me(learner)).body;
  expect(body.memberships).toEqual([{ schoolId, role: 'learner', classId }]);
  expect(body.children).toEqual([]);
  expect(body.account.classes).toEqual([{ schoolId, role: 'learner', classId, className: 'M.1/1' }]);
}, 120_000);

it('GET /api/v1/reports/courses/:id sends at most 9 statements, the record of the read included', async () => {
  const admin = await signInAdmin(t);
  const schoolId = await createSchool(t, admin);
  const teacher = await openAccount(t, admin, { schoolId, role: 'teacher' });
  const learner = await openAccount(t, admin, { schoolId, role: 'learner' });
  const courseId = await createCourse(t, teacher, { schoolId, code: 'STMT-1' });
  await request(t.app.getHttpServer()).post(`/api/v1/courses/${courseId}/enrolments`).set(teacher.auth).send({ learnerId: learner.userId }).expect(201);
  const report = () => request(t.app.getHttpServer()).get(`/api/v1/reports/courses/${courseId}`).set(teacher.auth).expect(200);
  await report(); // the session check is cached from here on

  let answer: request.Response | undefined;
  const statements = await statementsOf(async () => (answer = await report()));
  // The access check (the caller's facts and the course's in one), the reads (BEGIN, the scope, the course and its
  // learners, the rest, the class's work, COMMIT), the objections to profiling, and the read's record (one statement).
  expect({ statements: statements.length <= 9 ? 'at most 9' : statements }).toEqual({ statements: 'at most 9' });
  expect(answer!.body).toMatchObject({ courseId, participants: [{ learnerId: learner.userId }] });
  const db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  try {
    const recorded = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE event_type = 'ClassReportViewed' AND stream_id = $1`, [activityStream(teacher.userId)]);
    expect(recorded.rows[0].n).toBe(2);
  } finally {
    await db.end();
  }
}, 120_000);

it('GET /health sends at most 3 statements to the event database and the key store together, and writes nothing', async () => {
  const sent = await statementsOf(() => request(t.app.getHttpServer()).get('/health').expect(200), true);
  expect(sent.length).toBeGreaterThan(0);
  expect(sent.length).toBeLessThanOrEqual(3);
  expect(sent.filter((q) => /^\s*(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|BEGIN|START)\b/i.test(q))).toEqual([]);
  // The key store is checked (a statement to its database), and so is the event database.
  expect(sent.some((q) => /key_store_check/.test(q))).toBe(true);
  expect(sent.some((q) => /\bevents\b/.test(q))).toBe(true);
});
