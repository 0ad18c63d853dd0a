/**
 * Many people writing to one thing at once are never refused for it: no 409
 * CONCURRENCY_CONFLICT for a user who did nothing wrong. Four teachers record
 * 400 results on one offline test at the same time (every result lives in the
 * test's stream), learners start attempts of one quiz all at once, a teacher
 * enrols learners in one course with concurrent requests: every write lands,
 * exactly once, and the read models agree with the log.
 */
import pg from 'pg';
import request from 'supertest';
import { createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { caughtUp, createCourse } from '../support/courses';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
const http = () => request(t.app.getHttpServer());

const LEARNERS = 25;
const TEACHERS = 4;
const ROUNDS = 4; // 4 teachers × 4 rounds × 25 learners = 400 results

let school: string;
let teachers: Session[];
let learners: Session[];
let course: string;

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  const admin = await signInAdmin(t);
  school = await createSchool(t, admin, 'Contention School');
  const schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  teachers = await Promise.all(Array.from({ length: TEACHERS }, () => openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher' })));
  learners = await Promise.all(Array.from({ length: LEARNERS }, () => openAccount(t, schoolAdmin, { schoolId: school, role: 'learner' })));
  course = await createCourse(t, teachers[0], { schoolId: school, code: 'BUSY-1' });
  for (const other of teachers.slice(1)) await http().put(`/api/v1/courses/${course}/teachers/${other.userId}`).set(teachers[0].auth).send({ role: 'teacher' }).expect(204);
  await http().post(`/api/v1/courses/${course}/enrolments/bulk`).set(teachers[0].auth).send({ learnerIds: learners.map((l) => l.userId) }).expect(200);
}, 300_000);

afterAll(async () => {
  await db.end();
  await t.close();
});

it('4 teachers record 400 results on one offline test at once: none refused, each recorded once, the last one read back', async () => {
  const created = await http().post(`/api/v1/courses/${course}/offline-tests`).set(teachers[0].auth).send({ title: 'Oral exam', maxGrade: 20, passGrade: 10, takenOn: '2025-03-14' }).expect(201);
  const testId: string = created.body.offlineTestId;
  const grade = (teacher: number, round: number, learner: number) => (teacher * 5 + round * 3 + learner) % 21;
  const refused: string[] = [];
  await Promise.all(
    teachers.map(async (teacher, ti) => {
      for (let round = 0; round < ROUNDS; round++) {
        for (let li = 0; li < LEARNERS; li++) {
          const res = await http().put(`/api/v1/offline-tests/${testId}/results/${learners[li].userId}`).set(teacher.auth).send({ grade: grade(ti, round, li) });
          if (res.status !== 200) refused.push(`teacher ${ti}, round ${round}, learner ${li}: ${res.status} ${JSON.stringify(res.body)}`);
        }
      }
    }),
  );
  expect(refused).toEqual([]);

  // Each write is in the log once; the result read back is the last one the log holds for that learner.
  const { rows } = await db.query<{ learner: string; grade: number }>(
    `SELECT data->>'learnerId' AS learner, (data->>'grade')::int AS grade FROM events
     WHERE event_type = 'OfflineResultRecorded' AND data->>'offlineTestId' = $1 ORDER BY transaction_id, global_position`,
    [testId],
  );
  expect(rows).toHaveLength(TEACHERS * ROUNDS * LEARNERS);
  const last = new Map(rows.map((r) => [r.learner, r.grade]));
  await caughtUp(t, 60_000);
  const list = await http().get(`/api/v1/offline-tests/${testId}/results`).set(teachers[1].auth).expect(200);
  const results = (Array.isArray(list.body) ? list.body : list.body.results) as { learnerId: string; grade: number }[];
  expect(new Map(results.map((r) => [r.learnerId, r.grade]))).toEqual(last);
}, 600_000);

it('learners start attempts of one quiz all at once: none refused', async () => {
  const quiz = await http()
    .post(`/api/v1/courses/${course}/quizzes`)
    .set(teachers[0].auth)
    .send({ title: 'Busy quiz', attemptsAllowed: 2, gradingMethod: 'highest', maxGrade: 10, passGrade: 5, questions: [{ kind: 'true_false', text: 'Water is wet.', points: 1, skills: ['physics'], correct: true }] })
    .expect(201);
  const answers = await Promise.all(learners.map((l) => http().post(`/api/v1/quizzes/${quiz.body.quizId}/attempts`).set(l.auth)));
  expect(answers.filter((a) => a.status !== 201).map((a) => `${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE event_type = 'AttemptStarted' AND data->>'quizId' = $1`, [quiz.body.quizId]);
  expect(rows[0].n).toBe(LEARNERS);
}, 300_000);

it('a teacher enrols learners in one course with concurrent requests: none refused, each enrolled once', async () => {
  const other = await createCourse(t, teachers[0], { schoolId: school, code: 'BUSY-2' });
  const answers = await Promise.all(learners.map((l) => http().post(`/api/v1/courses/${other}/enrolments`).set(teachers[0].auth).send({ learnerId: l.userId })));
  expect(answers.filter((a) => a.status !== 201).map((a) => `${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
  const { rows } = await db.query<{ n: number }>(`SELECT count(DISTINCT learner_id)::int AS n FROM course_enrolments WHERE course_id = $1 AND status = 'active'`, [other]);
  expect(rows[0].n).toBe(LEARNERS);
}, 300_000);
