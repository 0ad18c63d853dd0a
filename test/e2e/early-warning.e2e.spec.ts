/**
 * The early-warning flag over HTTP (issue 18): the class report as of a date,
 * the model's flag and reasons, the school's threshold setting, objection.
 *
 * A course of 12 learners and three essays due on days 1, 3 and 5 of the
 * term (the test moves the application's clock): everyone hands in essay 1;
 * learners 1–11 hand in essay 2; learner 12 stops after essay 1.
 */
import request from 'supertest';
import type { ClassReportView } from '../../libs/progress/src';
import { TRAINED_MODEL } from '../../libs/early-warning/src';
import { countEvents, createSchool, openAccount, registerUser, signIn, signInAdmin, type Session } from '../support/auth';
import { caughtUp, createCourse } from '../support/courses';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const http = () => request(t.app.getHttpServer());
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

let school: string;
let schoolAdmin: Session;
let teacher: Session;
let dpo: Session;
let learners: Session[];
const learner = (i: number) => learners[i - 1];
let course: string;
let essays: string[];
let t0: number;
const due = (k: number) => t0 + (2 * k - 1) * DAY_MS; // essay 1 on day 1, essay 2 on day 3, essay 3 on day 5
/** Grades out of 100: spread, learner 12 in the middle of the class. */
const grade = (i: number) => (i === 12 ? 62 : 40 + 4 * i);

const settled = () => caughtUp(t);

const report = async (query = '') => (await http().get(`/api/v1/reports/courses/${course}${query}`).set(teacher.auth).expect(200)).body as ClassReportView;
const participant = (r: ClassReportView, i: number) => r.participants.find((p) => p.learnerId === learner(i).userId)!;

beforeAll(async () => {
  t = await createTestApp();
  t0 = t.clock.now().getTime();
  const admin = await signInAdmin(t);
  school = await createSchool(t, admin, 'Early School');
  schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher' });
  learners = await Promise.all(range(1, 12).map((i) => openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', displayName: `Learner ${String(i).padStart(2, '0')}` })));
  const d = await registerUser(t);
  await http().put(`/api/v1/users/${d.userId}/roles/dpo`).set(admin.auth).expect(204);
  dpo = await signIn(t, d.username, d.password);
  course = await createCourse(t, teacher, { schoolId: school, code: 'ESS-1', title: 'Essays', subject: 'English', section: 'Term 1' });
  await http().post(`/api/v1/courses/${course}/enrolments/bulk`).set(teacher.auth).send({ learnerIds: learners.map((l) => l.userId) }).expect(200);
  essays = [];
  for (const k of [1, 2, 3]) {
    const res = await http()
      .post(`/api/v1/courses/${course}/assignments`)
      .set(teacher.auth)
      .send({ title: `Essay ${k}`, submissionTypes: ['text'], maxGrade: 100, passGrade: 50, dueAt: new Date(due(k)).toISOString() })
      .expect(201);
    essays.push(res.body.assignmentId);
  }
}, 180_000);

afterAll(async () => {
  await t.close();
});

async function handIn(k: number, who: number[]): Promise<void> {
  for (const i of who) await http().post(`/api/v1/assignments/${essays[k - 1]}/submissions`).set(learner(i).auth).send({ text: `Essay ${k} of learner ${i}` }).expect(201);
  for (const i of who) await http().post(`/api/v1/assignments/${essays[k - 1]}/submissions/${learner(i).userId}/grade`).set(teacher.auth).send({ grade: grade(i) }).expect(200);
}

describe('a learner who stops submitting', () => {
  it('is flagged with that reason by the next due date, and not before', async () => {
    t.clock.advance(12 * HOUR_MS); // day 0.5
    await handIn(1, range(1, 12));
    t.clock.set(new Date(t0 + 2.5 * DAY_MS)); // day 2.5
    await handIn(2, range(1, 11));
    t.clock.set(new Date(due(2) + 2 * HOUR_MS)); // essay 2 is due
    await settled();

    const before = await report(`?asOf=${new Date(due(2) - HOUR_MS).toISOString()}`);
    expect(before.asOf).toBe(new Date(due(2) - HOUR_MS).toISOString());
    expect(participant(before, 12).atRisk).toMatchObject({ flagged: false, reasons: [] });

    const after = await report(`?asOf=${new Date(due(2) + HOUR_MS).toISOString()}`);
    const twelve = participant(after, 12).atRisk!;
    expect(twelve.flagged).toBe(true);
    expect(twelve.risk).toBeGreaterThanOrEqual(TRAINED_MODEL.thresholds['precision-first'].threshold);
    const missed = 'missed 1 of 2 assessments due (Essay 2), the latest one too';
    // Said once, on its own or inside "last submission … ago; missed …".
    expect(twelve.reasons.filter((r) => r.text.includes(missed))).toHaveLength(1);
    // Everyone else handed both in: nobody else is said to have missed anything.
    for (const i of range(1, 11)) expect(participant(after, i).atRisk!.reasons.filter((r) => r.text.includes('missed'))).toEqual([]);
    // The live report (now: two hours after the due date) says the same of learner 12.
    const live = participant(await report(), 12).atRisk!;
    expect(live.flagged).toBe(true);
    expect(live.reasons.filter((r) => r.text.includes(missed))).toHaveLength(1);
    expect(after.earlyWarning).toMatchObject({ threshold: 'precision-first', riskAtLeast: Math.round(TRAINED_MODEL.thresholds['precision-first'].threshold * 1000) / 1000 });
  }, 240_000);

  it('the report as of a date shows the class as it was: enrolments, submissions, grades', async () => {
    const early = await report(`?asOf=${new Date(t0 + 6 * HOUR_MS).toISOString()}`);
    // Before anyone handed anything in: nobody graded, no activity, every learner active.
    expect(early.summary).toMatchObject({ learners: 12, graded: 0 });
    expect(early.participants.every((p) => p.events === 0 && p.grade?.percentage == null)).toBe(true);
    const mid = await report(`?asOf=${new Date(t0 + DAY_MS).toISOString()}`);
    expect(participant(mid, 3).activity).toEqual({ submitted: 1 });
    expect(mid.summary.graded).toBe(0); // no gradebook: totals are null, as live
  });

  it('the report as of now equals the live report', async () => {
    await settled();
    const live = await report();
    const asOf = await report(`?asOf=${t.clock.now().toISOString()}`);
    const strip = ({ generatedAt: _g, asOf: _a, ...rest }: ClassReportView) => rest;
    expect(strip(asOf)).toEqual(strip(live));
    expect(live.asOf).toBeNull();
  });

  it('refuses an asOf in the future or that is not a date, writing nothing', async () => {
    const before = await countEvents(t);
    for (const bad of [new Date(t.clock.now().getTime() + DAY_MS).toISOString(), 'yesterday', '2025-02-30', '2025-02-30T10:00:00Z', '2025-02-29T10:00:00+07:00']) {
      const res = await http().get(`/api/v1/reports/courses/${course}?asOf=${encodeURIComponent(bad)}`).set(teacher.auth).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(await countEvents(t)).toBe(before);
  });
});

describe("the school's threshold", () => {
  it('a school admin sets recall-first; the report flags at it and shows its expected precision and recall; a teacher may not', async () => {
    const forbidden = await http().put(`/api/v1/reports/schools/${school}/early-warning`).set(teacher.auth).send({ threshold: 'recall-first' }).expect(403);
    expect(forbidden.body.error.code).toBe('FORBIDDEN');
    expect((await http().put(`/api/v1/reports/schools/${school}/early-warning`).set(schoolAdmin.auth).send({ threshold: 'sometimes' }).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    const set = await http().put(`/api/v1/reports/schools/${school}/early-warning`).set(schoolAdmin.auth).send({ threshold: 'recall-first' }).expect(200);
    const expected = TRAINED_MODEL.thresholds['recall-first'];
    const r3 = (x: number) => Math.round(x * 1000) / 1000;
    expect(set.body).toEqual({ schoolId: school, threshold: 'recall-first', riskAtLeast: r3(expected.threshold), expectedPrecision: r3(expected.expectedPrecision), expectedRecall: r3(expected.expectedRecall) });
    await settled();
    const r = await report();
    expect(r.earlyWarning).toMatchObject({ threshold: 'recall-first', riskAtLeast: r3(expected.threshold), expectedPrecision: r3(expected.expectedPrecision), expectedRecall: r3(expected.expectedRecall) });
    for (const p of r.participants) expect(p.atRisk!.flagged).toBe(p.atRisk!.risk >= r3(expected.threshold) || p.atRisk!.risk >= expected.threshold);
    // A reader may ask for the other setting.
    expect((await report('?threshold=precision-first')).earlyWarning.threshold).toBe('precision-first');
  });
});

describe('objection to profiling', () => {
  it('removes the flag: the learner is not scored', async () => {
    const filed = await http().post('/api/v1/privacy/requests').set(learner(12).auth).send({ type: 'objection' }).expect(201);
    await http().post(`/api/v1/privacy/requests/${filed.body.requestId}/approve`).set(dpo.auth).send({ reason: 'checked the identity' }).expect(200);
    await settled();
    const r = await report('?threshold=precision-first');
    expect(participant(r, 12)).toMatchObject({ profilingObjected: true, atRisk: null });
    expect(r.summary.atRisk).toBe(r.participants.filter((p) => p.atRisk?.flagged).length);
    expect(r.participants.filter((p) => p.atRisk === null).map((p) => p.learnerId)).toEqual([learner(12).userId]);
  });
});

describe('advice a learner can act on', () => {
  it('a weak skill comes with the questions missed, the quiz to retry and the page of its section; the class gets its three suggestions', async () => {
    const sections = (await http().get(`/api/v1/courses/${course}`).set(teacher.auth).expect(200)).body.sections as { sectionId: string }[];
    const page = await http()
      .post(`/api/v1/courses/${course}/resources`)
      .set(teacher.auth)
      .send({ sectionId: sections[0].sectionId, kind: 'page', title: 'Reading: commas', content: { body: '<p>Commas.</p>' } })
      .expect(201);
    const questions = [
      { kind: 'true_false', text: 'A comma joins two sentences.', points: 1, skills: ['punctuation'], correct: false },
      { kind: 'true_false', text: 'A list takes commas.', points: 1, skills: ['punctuation'], correct: true },
      { kind: 'true_false', text: 'Essays have paragraphs.', points: 1, skills: ['structure'], correct: true },
    ];
    const quiz = (await http().post(`/api/v1/courses/${course}/quizzes`).set(teacher.auth).send({ title: 'Punctuation quiz', attemptsAllowed: 2, gradingMethod: 'highest', maxGrade: 10, questions }).expect(201)).body;
    // Learner 3: both punctuation questions wrong, structure right.
    const started = await http().post(`/api/v1/quizzes/${quiz.quizId}/attempts`).set(learner(3).auth).expect(201);
    const answers = [true, false, true].map((answer, k) => ({ questionId: quiz.questions[k].questionId, answer }));
    await http().put(`/api/v1/attempts/${started.body.attemptId}/answers`).set(learner(3).auth).send({ answers }).expect(200);
    await http().post(`/api/v1/attempts/${started.body.attemptId}/submit`).set(learner(3).auth).expect(200);
    await settled();

    const profile = (await http().get(`/api/v1/reports/learners/${learner(3).userId}`).set(learner(3).auth).expect(200)).body;
    expect(profile.advice).toHaveLength(1); // structure: 1 of 1 point, not weak
    const [punctuation] = profile.advice;
    expect(punctuation).toMatchObject({
      courseId: course,
      skill: 'punctuation',
      evidence: { earned: 0, possible: 2, questions: 2, percentage: 0, text: '0 of 2 points (0 %) on 2 questions tagged "punctuation" in your latest attempt of "Punctuation quiz"' },
      resources: [{ resourceId: page.body.resourceId, kind: 'page', title: 'Reading: commas' }],
    });
    expect(punctuation.missedQuestions.map((q: { text: string }) => q.text)).toEqual(['A comma joins two sentences.', 'A list takes commas.']);
    expect(punctuation.next).toEqual(['retry the quiz "Punctuation quiz" (1 attempt left), looking again at 2 question(s) on punctuation', 'revisit "Reading: commas" (page)']);

    const r = await report('?threshold=precision-first');
    expect(r.suggestions.length).toBeGreaterThan(0);
    expect(r.suggestions.length).toBeLessThanOrEqual(3);
    // Essay 2 was due and learner 12 (now objecting, so not counted) is the only one who missed it; the quiz's punctuation questions were missed by all who took it.
    expect(r.suggestions.map((x) => x.kind)).toContain('reteach_skill');
    expect(r.suggestions.find((x) => x.kind === 'reteach_skill')!.text).toMatch(/^reteach "punctuation": the class earned 0 % of its points on its 2 question\(s\)/);
  }, 120_000);
});

