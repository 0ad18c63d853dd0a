/**
 * The at-risk flag a learner sees reads released grades only (issue 18, the open question of the learner
 * profile): a grade the teacher recorded but has not released moves the class report's risk and the teacher's
 * view of the profile, not the learner's own; once released, the learner sees the class report's risk.
 *
 * A course of 8 learners, a gradebook with an item per essay; essay 1 (due day 1) is graded and released,
 * essay 2 (due day 3) is handed in by all, then graded (learner 1 lowest by far) and released later.
 */
import request from 'supertest';
import type { ClassReportView, LearnerProfileView } from '../../libs/progress/src';
import { createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { caughtUp, createCourse } from '../support/courses';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const http = () => request(t.app.getHttpServer());
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

let teacher: Session;
let learners: Session[];
const learner = (i: number) => learners[i - 1];
let course: string;
let essays: string[];
let items: string[];
let t0: number;

const classRisk = async (i: number) => {
  const r = (await http().get(`/api/v1/reports/courses/${course}`).set(teacher.auth).expect(200)).body as ClassReportView;
  return r.participants.find((p) => p.learnerId === learner(i).userId)!.atRisk!;
};
const profileRisk = async (i: number, reader: Session) => {
  const p = (await http().get(`/api/v1/reports/learners/${learner(i).userId}`).set(reader.auth).expect(200)).body as LearnerProfileView;
  return p.courses.find((c) => c.courseId === course)!.atRisk!;
};

beforeAll(async () => {
  t = await createTestApp();
  t0 = t.clock.now().getTime();
  const admin = await signInAdmin(t);
  const school = await createSchool(t, admin, 'Released School');
  const schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher' });
  learners = await Promise.all(range(1, 8).map((i) => openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', displayName: `Learner ${i}` })));
  course = await createCourse(t, teacher, { schoolId: school, code: 'REL-1', title: 'Released', subject: 'English', section: 'Term 1' });
  await http().post(`/api/v1/courses/${course}/enrolments/bulk`).set(teacher.auth).send({ learnerIds: learners.map((l) => l.userId) }).expect(200);
  await http().post(`/api/v1/courses/${course}/gradebook`).set(teacher.auth).send({}).expect(201);
  essays = [];
  items = [];
  for (const k of [1, 2]) {
    const dueAt = new Date(t0 + (2 * k - 1) * DAY_MS).toISOString();
    const essay = (await http().post(`/api/v1/courses/${course}/assignments`).set(teacher.auth).send({ title: `Essay ${k}`, submissionTypes: ['text'], maxGrade: 100, passGrade: 50, dueAt }).expect(201)).body.assignmentId as string;
    essays.push(essay);
    items.push((await http().post(`/api/v1/courses/${course}/gradebook/items`).set(teacher.auth).send({ source: { kind: 'assignment', id: essay } }).expect(201)).body.createdId as string);
  }
}, 180_000);

afterAll(async () => {
  await t.close();
});

const handIn = async (k: number) => {
  for (const i of range(1, 8)) await http().post(`/api/v1/assignments/${essays[k - 1]}/submissions`).set(learner(i).auth).send({ text: `Essay ${k} of learner ${i}` }).expect(201);
};
const grade = async (k: number, grades: (i: number) => number) => {
  for (const i of range(1, 8)) await http().post(`/api/v1/assignments/${essays[k - 1]}/submissions/${learner(i).userId}/grade`).set(teacher.auth).send({ grade: grades(i) }).expect(200);
};

it('a withheld grade moves the teacher’s risk, not the learner’s own; released, the learner sees the class report’s', async () => {
  t.clock.set(new Date(t0 + 12 * HOUR_MS));
  await handIn(1);
  await grade(1, (i) => 50 + 5 * i);
  await http().post(`/api/v1/courses/${course}/gradebook/release`).set(teacher.auth).send({ itemIds: [items[0]] }).expect(200);
  t.clock.set(new Date(t0 + 2.5 * DAY_MS));
  await handIn(2);
  t.clock.set(new Date(t0 + 3 * DAY_MS + 2 * HOUR_MS)); // essay 2 is due, handed in by all, not graded yet
  await caughtUp(t);
  const beforeGrading = await profileRisk(1, learner(1));
  // Nothing withheld yet: the learner, the teacher and the class report see the same.
  expect((await profileRisk(1, teacher)).risk).toBe(beforeGrading.risk);
  expect((await classRisk(1)).risk).toBe(beforeGrading.risk);

  await grade(2, (i) => (i === 1 ? 5 : 90));
  await caughtUp(t);
  const teacherView = await profileRisk(1, teacher);
  const own = await profileRisk(1, learner(1));
  // The class report and the teacher read the withheld grade: learner 1's latest result is the class's lowest.
  expect((await classRisk(1)).risk).toBe(teacherView.risk);
  expect(teacherView.risk).toBeGreaterThan(beforeGrading.risk);
  // The learner's own view does not move with it, and no reason speaks of it.
  expect(own).toEqual(beforeGrading);
  expect(own.reasons.filter((r) => r.text.includes('Essay 2'))).toEqual([]);

  await http().post(`/api/v1/courses/${course}/gradebook/release`).set(teacher.auth).send({ itemIds: [items[1]] }).expect(200);
  await caughtUp(t);
  const released = await profileRisk(1, learner(1));
  expect(released.risk).toBe(teacherView.risk);
  expect(released).toEqual(await profileRisk(1, teacher));
}, 240_000);

it('an offline result not released does not count as handed in for the learner’s own view (no submission but the grade)', async () => {
  // An offline test has no submission: its "handed in" is the result itself, which the learner must not see moving their risk.
  const takenOn = new Date(t0 + 4 * DAY_MS).toISOString().slice(0, 10);
  const oral = (await http().post(`/api/v1/courses/${course}/offline-tests`).set(teacher.auth).send({ title: 'Oral', maxGrade: 20, takenOn }).expect(201)).body.offlineTestId as string;
  t.clock.set(new Date(Date.parse(`${takenOn}T00:00:00Z`) + 1.5 * DAY_MS)); // past its end of day: missing for everyone
  await caughtUp(t);
  const before = await profileRisk(1, learner(1));
  expect(before).toEqual(await profileRisk(1, teacher));

  await http().put(`/api/v1/offline-tests/${oral}/results/${learner(1).userId}`).set(teacher.auth).send({ grade: 18 }).expect(200);
  await caughtUp(t);
  // The teacher reads the result (handed in, graded); the learner's own view is as it was.
  expect((await profileRisk(1, teacher)).risk).not.toBe(before.risk);
  expect(await profileRisk(1, learner(1))).toEqual(before);
}, 240_000);
