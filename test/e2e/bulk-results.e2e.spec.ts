/**
 * Bulk offline results decide on the test's inline read models (not a fold of
 * its stream): results recorded one at a time before count (the same grade is
 * `unchanged`, another replaces it and says so), and single results recorded
 * while an upload is decided are not lost (the upload expects the stream's
 * revision read before the rows, and is decided again).
 */
import pg from 'pg';
import request from 'supertest';
import { createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { createCourse } from '../support/courses';
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
