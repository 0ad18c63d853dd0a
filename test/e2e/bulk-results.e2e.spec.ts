/**
 * Bulk offline results decide on the test's inline read models (not a fold of
 * its stream): results recorded one at a time before count (the same grade is
 * `unchanged`, another replaces it and says so), and single results recorded
 * while an upload is decided are not lost (the upload expects the stream's
 * revision read before the rows, and is decided again). Recording one result
 * reads none of the test's events, however many it holds (it decides on the
 * test's row and that learner's result: the cost does not grow with the test).
 */
import pg from 'pg';
import request from 'supertest';
import { createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { createCourse } from '../support/courses';
import { traceRequests } from '../support/request-trace';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
const http = () => request(t.app.getHttpServer());
let teacher: Session;
let learners: Session[];
let courseId: string;

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  const admin = await signInAdmin(t);
  const schoolId = await createSchool(t, admin, 'Results School');
  const schoolAdmin = await openAccount(t, admin, { schoolId, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId, role: 'teacher' });
  learners = await Promise.all(Array.from({ length: 8 }, () => openAccount(t, schoolAdmin, { schoolId, role: 'learner' })));
  courseId = await createCourse(t, schoolAdmin, { schoolId, code: 'RES-1' });
  await http().put(`/api/v1/courses/${courseId}/teachers/${teacher.userId}`).set(schoolAdmin.auth).send({ role: 'teacher' }).expect(204);
  await http().post(`/api/v1/courses/${courseId}/enrolments/bulk`).set(teacher.auth).send({ learnerIds: learners.map((l) => l.userId) }).expect(200);
}, 120_000);

afterAll(async () => {
  await db.end();
  await t.close();
});

it('bulk results count the results recorded before, and lose none recorded meanwhile', async () => {
  const test = (await http().post(`/api/v1/courses/${courseId}/offline-tests`).set(teacher.auth).send({ title: 'Oral', maxGrade: 20, takenOn: '2024-03-01' }).expect(201)).body.offlineTestId;
  const [a, b, ...rest] = learners.map((l) => l.userId);
  await http().put(`/api/v1/offline-tests/${test}/results/${a}`).set(teacher.auth).send({ grade: 12 }).expect(200);
  await http().put(`/api/v1/offline-tests/${test}/results/${b}`).set(teacher.auth).send({ grade: 9 }).expect(200);

  const res = await http().post(`/api/v1/offline-tests/${test}/results/bulk`).set(teacher.auth).send({ rows: [{ learnerId: a, grade: 12 }, { learnerId: b, grade: 15 }] }).expect(200);
  expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['unchanged', 'recorded']);
  const { rows: recorded } = await db.query(`SELECT (data->>'previousGrade')::float AS previous FROM events WHERE event_type = 'OfflineResultRecorded' AND data->>'offlineTestId' = $1 AND data->>'learnerId' = $2 ORDER BY stream_revision`, [test, b]);
  expect(recorded.map((r) => r.previous)).toEqual([null, 9]);

  // Single results and an upload at once, for other learners: every one recorded.
  const [single, ...uploaded] = rest;
  await Promise.all([
    ...[1, 2, 3].map((n) => http().put(`/api/v1/offline-tests/${test}/results/${single}`).set(teacher.auth).send({ grade: n }).expect(200)),
    http().post(`/api/v1/offline-tests/${test}/results/bulk`).set(teacher.auth).send({ rows: uploaded.map((learnerId, i) => ({ learnerId, grade: 10 + i })) }).expect(200),
  ]);
  const { rows } = await db.query('SELECT learner_id, grade FROM offline_results WHERE offline_test_id = $1', [test]);
  const grades = new Map(rows.map((r) => [r.learner_id, r.grade]));
  uploaded.forEach((learnerId, i) => expect(grades.get(learnerId)).toBe(10 + i));
  expect([1, 2, 3]).toContain(grades.get(single));
  expect(grades.get(a)).toBe(12);
  expect(grades.get(b)).toBe(15);
  const { rows: count } = await db.query(`SELECT count(*)::int AS n FROM events WHERE event_type = 'OfflineResultRecorded' AND data->>'offlineTestId' = $1`, [test]);
  expect(count[0].n).toBe(2 + 1 + 3 + uploaded.length);
});

it('recording one result reads no event of the test, however many results it holds', async () => {
  const test = (await http().post(`/api/v1/courses/${courseId}/offline-tests`).set(teacher.auth).send({ title: 'Quiz', maxGrade: 10, takenOn: '2024-03-02' }).expect(201)).body.offlineTestId;
  const [first, ...others] = learners.map((l) => l.userId);
  await http().post(`/api/v1/offline-tests/${test}/results/bulk`).set(teacher.auth).send({ rows: others.map((learnerId, i) => ({ learnerId, grade: i })) }).expect(200);
  await http().put(`/api/v1/offline-tests/${test}/results/${first}`).set(teacher.auth).send({ grade: 4 }).expect(200);

  // The statements sent in the request's own handling (by its request id), as in username-paths.
  const statements: string[] = [];
  const trace = traceRequests(t);
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text: string };
    if (trace.requestIdNow() === 'one-result') statements.push(typeof q === 'string' ? q : q.text);
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  let res: request.Response;
  try {
    res = await http().put(`/api/v1/offline-tests/${test}/results/${first}`).set('X-Request-Id', 'one-result').set(teacher.auth).send({ grade: 7 }).expect(200);
  } finally {
    pg.Client.prototype.query = query;
    trace.restore();
  }
  expect(res.body).toMatchObject({ grade: 7, previousGrade: 4, maxGrade: 10 });
  expect(statements.some((sql) => /INSERT INTO events/.test(sql))).toBe(true);
  expect(statements.filter((sql) => /FROM events\b/.test(sql))).toEqual([]);
  const { rows } = await db.query(`SELECT (data->>'previousGrade')::float AS previous FROM events WHERE event_type = 'OfflineResultRecorded' AND data->>'offlineTestId' = $1 AND data->>'learnerId' = $2 ORDER BY stream_revision`, [test, first]);
  expect(rows.map((r) => r.previous)).toEqual([null, 4]);
});
