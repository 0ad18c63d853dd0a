/**
 * The at-risk model trained on a school's own history (issue 18): a school admin trains it on the school's
 * finished (archived) courses, it is stored per school (EarlyWarningModelTrained, progress_ew_models), the
 * school's class reports score with it, and another school's admin can neither train nor read it.
 *
 * Three courses of the same 12 learners, one after the other, each with three essays due on days 10, 25 and
 * 40 of the course and a gradebook passing at 50 %. In each, some learners hand everything in with good grades
 * (pass), some stop after essay 1 (fail), some hand in with low grades (fail); in the two finished courses
 * learner 12 leaves on day 20 (withdrew). The first two are archived on day 100; the third is live, on day 30.
 */
import request from 'supertest';
import type { ClassReportView } from '../../libs/progress/src';
import { courseFeatures, scoreLearners, TRAINED_MODEL, type CourseSnapshot, type EarlyWarningModel } from '../../libs/early-warning/src';
import { ProjectionRunner } from '../../libs/projections/src';
import { countEvents, createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { caughtUp, createCourse } from '../support/courses';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const http = () => request(t.app.getHttpServer());
const DAY_MS = 86_400_000;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
const round3 = (x: number) => Math.round(x * 1000) / 1000;

let school: string;
let schoolAdmin: Session;
let otherAdmin: Session;
let teacher: Session;
let learners: Session[];
const learner = (i: number) => learners[i - 1];
let t0: number;

type Pattern = 'pass' | 'stop' | 'low';
interface Built {
  courseId: string;
  start: number;
  essays: { id: string; title: string; dueAt: number }[];
  /** Per learner: what they handed in, when, and the grade (0–1). */
  work: Map<number, { essay: number; at: number; score: number }[]>;
}
const DUE_DAYS = [10, 25, 40];

/** A course starting at `start`: its essays due on days 10, 25, 40, handed in the day before, graded then; up to day `until`. */
async function buildCourse(code: string, start: number, patterns: (i: number) => Pattern, options: { withdraw?: number; until: number }): Promise<Built> {
  t.clock.set(new Date(start));
  const courseId = await createCourse(t, teacher, { schoolId: school, code, title: code, subject: 'English', section: 'Term' });
  await http().post(`/api/v1/courses/${courseId}/enrolments/bulk`).set(teacher.auth).send({ learnerIds: learners.map((l) => l.userId) }).expect(200);
  await http().post(`/api/v1/courses/${courseId}/gradebook`).set(teacher.auth).send({}).expect(201);
  const essays: Built['essays'] = [];
  for (const [k, day] of DUE_DAYS.entries()) {
    const dueAt = start + day * DAY_MS;
    const title = `Essay ${k + 1}`;
    const id = (await http().post(`/api/v1/courses/${courseId}/assignments`).set(teacher.auth).send({ title, submissionTypes: ['text'], maxGrade: 100, passGrade: 50, dueAt: new Date(dueAt).toISOString() }).expect(201)).body.assignmentId as string;
    await http().post(`/api/v1/courses/${courseId}/gradebook/items`).set(teacher.auth).send({ source: { kind: 'assignment', id } }).expect(201);
    essays.push({ id, title, dueAt });
  }
  const work = new Map<number, { essay: number; at: number; score: number }[]>(range(1, 12).map((i) => [i, []]));
  const grade = (i: number, k: number) => ({ pass: 60 + 2 * i + k, stop: 45, low: 28 + i })[patterns(i)];
  const leaveAt = options.withdraw === undefined ? Infinity : start + options.withdraw * DAY_MS;
  let left = false;
  for (const [k, essay] of essays.entries()) {
    const at = essay.dueAt - DAY_MS;
    if (at > leaveAt && !left) {
      t.clock.set(new Date(leaveAt));
      await http().delete(`/api/v1/courses/${courseId}/enrolments/${learner(12).userId}`).set(teacher.auth).send({}).expect(204);
      left = true;
    }
    if (at > start + options.until * DAY_MS) break;
    t.clock.set(new Date(at));
    for (const i of range(1, 12)) {
      if (left && i === 12) continue;
      if (patterns(i) === 'stop' && k > 0) continue;
      await http().post(`/api/v1/assignments/${essay.id}/submissions`).set(learner(i).auth).send({ text: `${code} essay ${k + 1} of learner ${i}` }).expect(201);
      await http().post(`/api/v1/assignments/${essay.id}/submissions/${learner(i).userId}/grade`).set(teacher.auth).send({ grade: grade(i, k) }).expect(200);
      work.get(i)!.push({ essay: k, at, score: grade(i, k) / 100 });
    }
  }
  return { courseId, start, essays, work };
}

const train = (by: Session, body: object = {}) => http().post(`/api/v1/reports/schools/${school}/early-warning/model`).set(by.auth).send(body);
const readModel = (by: Session) => http().get(`/api/v1/reports/schools/${school}/early-warning/model`).set(by.auth);

let live: Built;

beforeAll(async () => {
  t = await createTestApp();
  t0 = t.clock.now().getTime();
  const admin = await signInAdmin(t);
  school = await createSchool(t, admin, 'History School');
  const other = await createSchool(t, admin, 'Other School');
  schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  otherAdmin = await openAccount(t, admin, { schoolId: other, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher' });
  learners = await Promise.all(range(1, 12).map((i) => openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', displayName: `Learner ${i}` })));
}, 180_000);

afterAll(async () => {
  await t.close();
});

it('a school admin trains on the finished courses; the class reports score with the stored weights; another school’s admin may not', async () => {
  const first = await buildCourse('HIST-1', t0 + DAY_MS, (i) => (i <= 6 ? 'pass' : i <= 9 ? 'stop' : 'low'), { withdraw: 20, until: 100 });
  t.clock.set(new Date(first.start + 100 * DAY_MS));
  await http().post(`/api/v1/courses/${first.courseId}/archive`).set(teacher.auth).expect(204);
  await caughtUp(t);

  // One finished course: nothing to hold out, nothing written.
  const before = await countEvents(t);
  expect((await train(schoolAdmin).expect(422)).body.error.code).toBe('NOT_ENOUGH_HISTORY');
  expect(await countEvents(t)).toBe(before);

  const second = await buildCourse('HIST-2', first.start + 120 * DAY_MS, (i) => (i === 1 || i === 8 ? 'stop' : i >= 9 && i <= 11 ? 'low' : 'pass'), { withdraw: 20, until: 100 });
  t.clock.set(new Date(second.start + 100 * DAY_MS));
  await http().post(`/api/v1/courses/${second.courseId}/archive`).set(teacher.auth).expect(204);
  live = await buildCourse('LIVE-1', second.start + 120 * DAY_MS, (i) => (i <= 5 ? 'pass' : i <= 8 ? 'stop' : 'low'), { until: 30 });
  t.clock.set(new Date(live.start + 30 * DAY_MS));
  await caughtUp(t);

  // Before training: the bundled model.
  expect((await readModel(schoolAdmin).expect(200)).body).toMatchObject({ schoolId: school, source: 'bundled', trained: null, trainedOn: TRAINED_MODEL.trainedOn });

  // Neither another school's admin nor a teacher may train or read it; bad input is refused; nothing is written.
  const untouched = await countEvents(t);
  expect((await train(otherAdmin).expect(403)).body.error.code).toBe('FORBIDDEN');
  expect((await readModel(otherAdmin).expect(403)).body.error.code).toBe('FORBIDDEN');
  expect((await train(teacher).expect(403)).body.error.code).toBe('FORBIDDEN');
  expect((await train(schoolAdmin, { days: ['soon'] }).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
  expect(await countEvents(t)).toBe(untouched);

  const trained = (await train(schoolAdmin).expect(201)).body;
  // Two finished courses; judged at days 30, 60 and 90: learners 1–11 of each (learner 12 had left by day 20).
  expect(trained).toMatchObject({ schoolId: school, source: 'school', atDays: [30, 60, 90], trained: { courses: 2, learners: 22 } });
  expect(trained.weights.map((w: { feature: string }) => w.feature)).toEqual(TRAINED_MODEL.features);
  await caughtUp(t);
  expect((await readModel(schoolAdmin).expect(200)).body).toEqual(trained);

  // The live course's class report scores with the stored weights: the risks worked out here from the test's own facts.
  const model: EarlyWarningModel = {
    ...TRAINED_MODEL,
    trainedOn: trained.trainedOn,
    l2: trained.l2,
    intercept: trained.intercept,
    features: trained.weights.map((w: { feature: string }) => w.feature),
    weights: trained.weights.map((w: { weight: number }) => w.weight),
    mean: trained.weights.map((w: { mean: number }) => w.mean),
    sd: trained.weights.map((w: { sd: number }) => w.sd),
  };
  const snapshot: CourseSnapshot = {
    courseId: live.courseId,
    asOf: live.start + 30 * DAY_MS,
    assessments: live.essays,
    learners: range(1, 12).map((i) => ({
      learnerId: learner(i).userId,
      enrolledAt: live.start,
      submissions: live.work.get(i)!.map((w) => ({ assessmentId: live.essays[w.essay].id, submittedAt: w.at, score: w.score })),
    })),
  };
  const expected = new Map(scoreLearners(model, courseFeatures(snapshot), 'precision-first').map((s) => [s.learnerId, round3(s.risk)]));
  const bundled = new Map(scoreLearners(TRAINED_MODEL, courseFeatures(snapshot), 'precision-first').map((s) => [s.learnerId, round3(s.risk)]));
  const report = (await http().get(`/api/v1/reports/courses/${live.courseId}?threshold=precision-first`).set(teacher.auth).expect(200)).body as ClassReportView;
  expect(report.earlyWarning).toMatchObject({ model: 'school', trainedOn: trained.trainedOn, riskAtLeast: trained.thresholds['precision-first'].riskAtLeast, expectedPrecision: trained.thresholds['precision-first'].expectedPrecision });
  const risks = new Map(report.participants.map((p) => [p.learnerId, p.atRisk!.risk]));
  expect(risks).toEqual(expected);
  expect([...risks].some(([id, r]) => r !== bundled.get(id))).toBe(true);
  const riskAtLeast = trained.thresholds['precision-first'].riskAtLeast as number;
  for (const p of report.participants) if (p.atRisk!.risk !== riskAtLeast) expect(p.atRisk!.flagged).toBe(p.atRisk!.risk > riskAtLeast);
  expect(report.participants.some((p) => p.atRisk!.flagged)).toBe(true);
  // The learner profile gives the same (the teacher's view).
  const profile = (await http().get(`/api/v1/reports/learners/${learner(7).userId}`).set(teacher.auth).expect(200)).body;
  expect(profile.courses.find((c: { courseId: string }) => c.courseId === live.courseId).atRisk.risk).toBe(expected.get(learner(7).userId));
  // The school's threshold setting answers with the school's figures.
  const set = (await http().put(`/api/v1/reports/schools/${school}/early-warning`).set(schoolAdmin.auth).send({ threshold: 'recall-first' }).expect(200)).body;
  expect(set).toMatchObject({ riskAtLeast: trained.thresholds['recall-first'].riskAtLeast, expectedRecall: trained.thresholds['recall-first'].expectedRecall });
  // Rebuilt from the log, the stored model is the same.
  await t.app.get(ProjectionRunner).rebuild('progress-early-warning');
  await caughtUp(t);
  expect((await readModel(schoolAdmin).expect(200)).body).toEqual(trained);
}, 600_000);
