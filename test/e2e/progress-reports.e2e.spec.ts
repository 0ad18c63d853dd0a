/**
 * The progress reports over HTTP: the learner profile, the class report and
 * the school report, each checked against figures worked out HERE from the
 * commands the test sends (tables of answers, grades and views below; no
 * production code is called to compute an expected value), then role by role
 * (who may read what, and that a refusal returns no data and records
 * nothing), in CSV, and after a rebuild of the projections from zero.
 *
 * A small term: school A, teacher 1 (Mathematics, grade 7: a quiz whose five
 * questions are tagged with skills, an essay, a page), teacher 2 (Science,
 * grade 8), learners 1–8 in Mathematics, learners 7 and 8 in Science.
 */
import pg from 'pg';
import request from 'supertest';
import { envelopeFor } from '../../libs/access/src';
import { EventLog } from '../../libs/event-store/src';
import type { ClassReportView, LearnerProfileView } from '../../libs/progress/src';
import { ProjectionRunner } from '../../libs/projections/src';
import { appendsNothing, createSchool, openAccount, registerUser, signInAdmin, type Session } from '../support/auth';
import { caughtUp, createCourse, takeQuiz } from '../support/courses';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
const http = () => request(t.app.getHttpServer());
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
const DAY_MS = 86_400_000;

let schoolA: string;
let schoolB: string;
let adminA: Session;
let adminB: Session;
let teacher1: Session;
let teacher2: Session;
let learners: Session[];
const learner = (i: number) => learners[i - 1];
let parent: Session;
let strangerParent: Session;

let maths: string;
let science: string;
let page: string;
let quiz: { quizId: string; questions: { questionId: string; kind: string }[] };
let essay: string;
/** When the first phase (attempts, essays, grading) was over and the second (views) had not begun. */
let mid: number;

const settled = () => caughtUp(t);

// ============================ THE TERM, BY HAND ============================
// Questions (6 points): skills are what the reports group by.
const QUESTIONS = [
  { kind: 'true_false', text: 'Every square is a rectangle.', points: 1, skills: ['logic'], correct: true },
  { kind: 'multiple_choice_single', text: 'Half of 1/2 is', points: 1, skills: ['fractions', 'logic'], choices: [{ id: 'a', text: '1/3' }, { id: 'b', text: '1/4' }], correct: 'b' },
  { kind: 'numeric', text: '3/4 as a decimal?', points: 2, skills: ['fractions'], answer: 0.75, tolerance: 0 },
  { kind: 'short_answer', text: '1/2 in words?', points: 1, skills: ['fractions', 'vocabulary'], accepted: ['one half'], caseSensitive: false },
  { kind: 'true_false', text: 'Every rectangle is a square.', points: 1, skills: ['logic'], correct: false },
];
const RIGHT = [true, 'b', 0.75, 'one half', false];
const WRONG = [false, 'a', 0.5, 'two', true];
const POINTS = QUESTIONS.map((q) => q.points);

/** Right (1) or wrong (0) per question, per attempt (quiz: 2 attempts allowed, highest grade counts, max 10, pass 5). Learner 8 never attempts. */
const ATTEMPTS: Record<number, number[][]> = {
  1: [[1, 1, 1, 1, 1]], // 6/6
  2: [[1, 1, 1, 0, 1]], // 5/6
  3: [[1, 0, 1, 1, 0]], // 4/6
  4: [[0, 1, 0, 1, 1]], // 3/6: grade 5, passes exactly
  5: [[1, 0, 0, 0, 1], [1, 1, 1, 1, 0]], // 2/6 then 5/6
  6: [[0, 0, 0, 1, 0], [0, 1, 0, 0, 1]], // 1/6 then 2/6
  7: [[0, 0, 0, 0, 0]], // 0/6
};
const scoreOf = (pattern: number[]) => pattern.reduce((sum, right, q) => sum + right * POINTS[q], 0);
const round5 = (x: number) => Math.round(x * 1e5) / 1e5;
/** Quiz grade of an attempt: score / 6 × 10, 5 decimals. */
const attemptGrade = (pattern: number[]) => round5((scoreOf(pattern) / 6) * 10);
/** Essay (max 100, pass 50): learners 1–6 hand it in; teacher 1 grades it. */
const ESSAY: Record<number, number> = { 1: 90, 2: 70, 3: 40, 4: 60, 5: 30, 6: 20 };

/** Current total: quiz item (weight 50, max 10) and essay item (weight 50, max 100); an ungraded item is left out. */
function expectedTotal(i: number): number | null {
  const parts: number[] = [];
  if (ATTEMPTS[i]) parts.push((Math.max(...ATTEMPTS[i].map(attemptGrade)) / 10) * 100);
  if (ESSAY[i] !== undefined) parts.push(ESSAY[i]);
  return parts.length ? parts.reduce((a, b) => a + b, 0) / parts.length : null;
}
// e.g. learner 5: quiz max(3.33333, 8.33333) = 8.33333 → 83.3333 %, essay 30 → (83.3333 + 30) / 2 = 56.6667
//      learner 7: quiz 0, no essay → 0; learner 8: nothing → null.
const quizPassed = (i: number) => (ATTEMPTS[i] ?? []).some((p) => attemptGrade(p) >= 5);
/** Completion: quiz passed and essay submitted. */
const completedActivities = (i: number) => Number(quizPassed(i)) + Number(ESSAY[i] !== undefined);
const COMPLETED = range(1, 8).filter((i) => completedActivities(i) === 2); // 1 2 3 4 5

/** Views in the second phase (Mathematics): course page views and page (resource) views. Learner 8 views Science once. */
const COURSE_VIEWS: Record<number, number> = { 1: 2, 2: 1, 3: 1 };
const PAGE_VIEWS: Record<number, number> = { 2: 1 };

/** A learner's own events in Mathematics, by action: each attempt is started, answered, submitted and graded; the essay is submitted. */
function expectedActivity(i: number): Record<string, number> {
  const a = ATTEMPTS[i]?.length ?? 0;
  const counts: Record<string, number> = { started: a, answered: a, submitted: a + (ESSAY[i] !== undefined ? 1 : 0), graded: a, viewed: (COURSE_VIEWS[i] ?? 0) + (PAGE_VIEWS[i] ?? 0) };
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

/** Results by skill over the LATEST attempt: points earned / possible, questions counted. */
function expectedSkills(i: number): { skill: string; earned: number; possible: number; questions: number }[] {
  const latest = ATTEMPTS[i]?.[ATTEMPTS[i].length - 1];
  if (!latest) return [];
  const bySkill = new Map<string, { earned: number; possible: number; questions: number }>();
  QUESTIONS.forEach((q, k) => {
    for (const skill of q.skills) {
      const s = bySkill.get(skill) ?? { earned: 0, possible: 0, questions: 0 };
      s.earned += latest[k] * q.points;
      s.possible += q.points;
      s.questions += 1;
      bySkill.set(skill, s);
    }
  });
  return [...bySkill].map(([skill, s]) => ({ skill, ...s })).sort((a, b) => a.skill.localeCompare(b.skill));
}
/** Strength: ≥ 80 % over ≥ 3 questions; to improve: < 50 % over ≥ 3 questions. */
const verdicts = (i: number) => {
  const judged = expectedSkills(i).filter((s) => s.questions >= 3);
  return { strengths: judged.filter((s) => s.earned / s.possible >= 0.8).map((s) => s.skill), toImprove: judged.filter((s) => s.earned / s.possible < 0.5).map((s) => s.skill) };
};
// learner 3 (4/6: ✓ ✗ ✓ ✓ ✗): logic 1/3 → to improve; fractions 0+2+1 = 3/4 = 75 % → neither; vocabulary 1 question → not judged.

function pearson(xs: number[], ys: number[]): number | null {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let k = 0; k < n; k++) {
    sxy += (xs[k] - mx) * (ys[k] - my);
    sxx += (xs[k] - mx) ** 2;
    syy += (ys[k] - my) ** 2;
  }
  return n < 2 || sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

/** Per question over FIRST attempts: facility = mean(score / points); discrimination = r(score, total − score). */
function expectedQuestionStatistics() {
  const firsts = Object.values(ATTEMPTS).map((attempts) => attempts[0]);
  return QUESTIONS.map((q, k) => {
    const scores = firsts.map((p) => p[k] * q.points);
    const rest = firsts.map((p, n) => scoreOf(p) - scores[n]);
    return { position: k, learners: firsts.length, facility: scores.reduce((a, b) => a + b, 0) / q.points / firsts.length, discrimination: pearson(scores, rest) };
  });
}

const mean2 = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100;
const TOTALS = range(1, 8).map(expectedTotal).filter((x): x is number => x !== null);

// ================================ THE TERM ================================

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  const admin = await signInAdmin(t);
  schoolA = await createSchool(t, admin, 'Riverside School');
  schoolB = await createSchool(t, admin, 'Hillside School');
  [adminA, adminB] = await Promise.all([openAccount(t, admin, { schoolId: schoolA, role: 'school_admin' }), openAccount(t, admin, { schoolId: schoolB, role: 'school_admin' })]);
  [teacher1, teacher2] = await Promise.all([openAccount(t, adminA, { schoolId: schoolA, role: 'teacher' }), openAccount(t, adminA, { schoolId: schoolA, role: 'teacher' })]);
  learners = await Promise.all(range(1, 8).map((i) => openAccount(t, adminA, { schoolId: schoolA, role: 'learner', displayName: `Learner ${i}` })));
  [parent, strangerParent] = await Promise.all([registerUser(t), registerUser(t)]);
  await http().post('/api/v1/parent-links').set(adminA.auth).send({ parentId: parent.userId, childId: learner(1).userId }).expect(201);
}, 180_000);

afterAll(async () => {
  await db.end();
  await t.close();
});

async function attempt(who: Session, pattern: number[]): Promise<void> {
  const answers = quiz.questions.map((q, k) => ({ questionId: q.questionId, answer: (pattern[k] ? RIGHT : WRONG)[k] }));
  expect((await takeQuiz(t, who, quiz.quizId, answers)).totalScore).toBe(scoreOf(pattern));
}

describe('a small term', () => {
  it('teachers open their courses, enrol learners, set a quiz, an essay, a gradebook and completion rules', async () => {
    const create = (by: Session, code: string, title: string, gradeLevel: string) => createCourse(t, by, { schoolId: schoolA, code, title, subject: title, gradeLevel, section: 'Term 1' });
    maths = await create(teacher1, 'MATH-7', 'Mathematics', 'Grade 7');
    science = await create(teacher2, 'SCI-8', 'Science', 'Grade 8');
    await http().post(`/api/v1/courses/${maths}/enrolments/bulk`).set(teacher1.auth).send({ learnerIds: range(1, 8).map((i) => learner(i).userId) }).expect(200);
    await http().post(`/api/v1/courses/${science}/enrolments/bulk`).set(teacher2.auth).send({ learnerIds: [7, 8].map((i) => learner(i).userId) }).expect(200);

    const q = await http()
      .post(`/api/v1/courses/${maths}/quizzes`)
      .set(teacher1.auth)
      .send({ title: 'Fractions quiz', attemptsAllowed: 2, gradingMethod: 'highest', maxGrade: 10, passGrade: 5, questions: QUESTIONS })
      .expect(201);
    quiz = q.body;
    essay = (await http().post(`/api/v1/courses/${maths}/assignments`).set(teacher1.auth).send({ title: 'Essay', submissionTypes: ['text'], maxGrade: 100, passGrade: 50 }).expect(201)).body.assignmentId;
    const course = await http().get(`/api/v1/courses/${maths}`).set(teacher1.auth).expect(200);
    page = (
      await http()
        .post(`/api/v1/courses/${maths}/resources`)
        .set(teacher1.auth)
        .send({ sectionId: course.body.sections[0].sectionId, kind: 'page', title: 'Reading: fractions', content: { body: '<p>Halves.</p>' } })
        .expect(201)
    ).body.resourceId;

    await http().post(`/api/v1/courses/${maths}/gradebook`).set(teacher1.auth).send({}).expect(201);
    const quizItem = await http().post(`/api/v1/courses/${maths}/gradebook/items`).set(teacher1.auth).send({ source: { kind: 'quiz', id: quiz.quizId }, weight: 50 }).expect(201);
    await http().post(`/api/v1/courses/${maths}/gradebook/items`).set(teacher1.auth).send({ source: { kind: 'assignment', id: essay }, weight: 50 }).expect(201);
    await http().put(`/api/v1/courses/${maths}/completion/rules/${quiz.quizId}`).set(teacher1.auth).send({ kind: 'quiz', rule: 'passed' }).expect(200);
    await http().put(`/api/v1/courses/${maths}/completion/rules/${essay}`).set(teacher1.auth).send({ kind: 'assignment', rule: 'submitted' }).expect(200);
    await http().put(`/api/v1/courses/${maths}/completion/criteria`).set(teacher1.auth).send({ requireAll: 'all' }).expect(200);
    // Only the quiz is released: learners and parents see it, and no total while the essay is hidden.
    await http().post(`/api/v1/courses/${maths}/gradebook/release`).set(teacher1.auth).send({ itemIds: [quizItem.body.createdId] }).expect(200);
  }, 240_000);

  it('phase 1: learners attempt the quiz and hand in the essay; teacher 1 grades', async () => {
    for (const i of range(1, 7)) for (const pattern of ATTEMPTS[i]) await attempt(learner(i), pattern);
    for (const i of range(1, 6)) await http().post(`/api/v1/assignments/${essay}/submissions`).set(learner(i).auth).send({ text: `Essay of learner ${i}` }).expect(201);
    for (const i of range(1, 6)) await http().post(`/api/v1/assignments/${essay}/submissions/${learner(i).userId}/grade`).set(teacher1.auth).send({ grade: ESSAY[i] }).expect(200);
    await settled();
    mid = t.clock.now().getTime();
  }, 240_000);

  it('phase 2, a moment later: some learners open the course and read the page', async () => {
    t.clock.advance(1500);
    for (const i of range(1, 8)) {
      for (let k = 0; k < (COURSE_VIEWS[i] ?? 0); k++) await http().get(`/api/v1/courses/${maths}`).set(learner(i).auth).expect(200);
      for (let k = 0; k < (PAGE_VIEWS[i] ?? 0); k++) await http().get(`/api/v1/courses/${maths}/resources/${page}`).set(learner(i).auth).expect(200);
    }
    await http().get(`/api/v1/courses/${science}`).set(learner(8).auth).expect(200);
    await settled();
  });
});

type Participant = ClassReportView['participants'][number];

describe('class report (teacher 1, Mathematics)', () => {
  const participant = (body: { participants: Participant[] }, i: number) => body.participants.find((p) => p.learnerId === learner(i).userId)!;

  it('participants: activity by action, last access, completion and current grade are the ones worked out by hand', async () => {
    const { body } = await http().get(`/api/v1/reports/courses/${maths}`).set(teacher1.auth).expect(200);
    expect(body).toMatchObject({ courseId: maths, title: 'Mathematics', subject: 'Mathematics', gradeLevel: 'Grade 7' });
    expect(body.participants).toHaveLength(8);
    for (const i of range(1, 8)) {
      const p = participant(body, i);
      const total = expectedTotal(i);
      expect({ i, displayName: p.displayName, activity: p.activity, events: p.events, completion: p.completion.progress, completed: p.completion.courseCompleted }).toEqual({
        i,
        displayName: `Learner ${i}`,
        activity: expectedActivity(i),
        events: Object.values(expectedActivity(i)).reduce((a, b) => a + b, 0),
        completion: { completed: completedActivities(i), required: 2, percentage: Math.floor((completedActivities(i) * 100) / 2) },
        completed: COMPLETED.includes(i),
      });
      if (total === null) expect(p.grade).toEqual({ percentage: null, letter: null, passed: null });
      else {
        expect(p.grade!.percentage).toBeCloseTo(total, 3);
        expect(p.grade!.passed).toBe(total >= 50);
      }
      // Last access: phase 2 for learners who viewed, phase 1 for the others, never for learner 8.
      if (i <= 3) expect(Date.parse(p.lastAccessAt!)).toBeGreaterThan(mid);
      else if (i <= 7) expect(Date.parse(p.lastAccessAt!)).toBeLessThan(mid);
      else expect(p.lastAccessAt).toBeNull();
    }
    expect(body.summary).toMatchObject({ learners: 8, completed: COMPLETED.length, completionRate: 62.5, graded: 7, passing: TOTALS.filter((x) => x >= 50).length });
    expect(body.summary.meanGrade).toBeCloseTo(mean2(TOTALS), 2);
  });

  it('grade distribution: bins of 10 points over the current totals', async () => {
    const { body } = await http().get(`/api/v1/reports/courses/${maths}`).set(teacher1.auth).expect(200);
    const counts = Array(10).fill(0);
    for (const total of TOTALS) counts[Math.min(9, Math.floor(total / 10))] += 1;
    // 95 → 90s; 76.7 → 70s; 53.3, 55, 56.7 → 50s; 26.7 → 20s; 0 → 0s.
    expect(counts).toEqual([1, 0, 1, 0, 0, 3, 0, 1, 0, 1]);
    expect(body.gradeDistribution.map((b: { count: number }) => b.count)).toEqual(counts);
    expect(body.gradeDistribution[5]).toEqual({ from: 50, to: 60, count: 3 });
  });

  it('per-question statistics over first attempts: facility and discrimination (rest-of-test correlation)', async () => {
    const { body } = await http().get(`/api/v1/reports/courses/${maths}`).set(teacher1.auth).expect(200);
    const expected = expectedQuestionStatistics();
    // By hand, question 1 over the 7 first attempts: x = 1 1 1 0 1 0 0 (facility 4/7 = 0.571); totals 6 5 4 3 2 1 0,
    // rest y = 5 4 3 3 1 1 0; Σ(x−x̄)(y−ȳ) = 3.286, Σ(x−x̄)² = 1.714, Σ(y−ȳ)² = 19.714 → r = 3.286 / √(1.714 × 19.714) = 0.565.
    expect(expected[0].facility).toBeCloseTo(0.571, 3);
    expect(expected[0].discrimination).toBeCloseTo(0.565, 3);
    expect(body.questions).toHaveLength(5);
    body.questions.forEach((q: ClassReportView['questions'][number], k: number) => {
      expect(q).toMatchObject({ quizId: quiz.quizId, quizTitle: 'Fractions quiz', position: k, questionId: quiz.questions[k].questionId, skills: QUESTIONS[k].skills, points: QUESTIONS[k].points, learners: 7 });
      expect(q.facility).toBeCloseTo(expected[k].facility, 2);
      if (expected[k].discrimination === null) expect(q.discrimination).toBeNull();
      else expect(q.discrimination).toBeCloseTo(expected[k].discrimination!, 2);
    });
    expect(body.rules.questions).toMatch(/Pearson correlation/);
  });

  it('at risk, the two rules kept as the baseline: a failing current grade (default: 7 days without activity flags nobody yet), with the reason', async () => {
    const { body } = await http().get(`/api/v1/reports/courses/${maths}`).set(teacher1.auth).expect(200);
    const flagged = range(1, 8).filter((i) => participant(body, i).atRisk!.baseline.flagged);
    expect(flagged).toEqual(range(1, 8).filter((i) => (expectedTotal(i) ?? 100) < 50)); // 6 and 7
    expect(flagged).toEqual([6, 7]);
    expect(participant(body, 6).atRisk!.baseline.reasons).toEqual([expect.objectContaining({ rule: 'failing', passPercentage: 50, text: expect.stringMatching(/^current grade 26\.67% is below the pass mark of 50%$/) })]);
    expect(body.rules).toMatchObject({ inactiveDays: 7, atRisk: expect.stringContaining('7 days or more') });
  });

  it('at risk, baseline: no activity for N days (here: since the middle of the term), counted from the enrolment for learners who never acted', async () => {
    const inactiveDays = (t.clock.now().getTime() - mid) / DAY_MS;
    const { body } = await http().get(`/api/v1/reports/courses/${maths}?inactiveDays=${inactiveDays}`).set(teacher1.auth).expect(200);
    const inactive = range(1, 8).filter((i) => participant(body, i).atRisk!.baseline.reasons.some((r: { rule: string }) => r.rule === 'inactive'));
    expect(inactive).toEqual([4, 5, 6, 7, 8]);
    expect(participant(body, 8).atRisk!.baseline.reasons[0]).toMatchObject({ rule: 'inactive', neverActive: true });
    expect(participant(body, 7).atRisk!.baseline.reasons.map((r: { rule: string }) => r.rule)).toEqual(['inactive', 'failing']);
    expect(body.summary.atRiskBaseline).toBe(5);
  });
});

describe('learner profile', () => {
  const course = (body: { courses: LearnerProfileView['courses'] }, courseId: string) => body.courses.find((c) => c.courseId === courseId)!;

  it('teacher 1 sees learner 3 in Mathematics: enrolment, progress, full grades, results by skill with strengths and points to improve', async () => {
    const { body } = await http().get(`/api/v1/reports/learners/${learner(3).userId}`).set(teacher1.auth).expect(200);
    expect(body).toMatchObject({ learnerId: learner(3).userId, displayName: 'Learner 3', profiling: { objected: false, note: null } });
    expect(body.courses.map((c: { courseId: string }) => c.courseId)).toEqual([maths]);
    const m = course(body, maths);
    expect(m).toMatchObject({
      title: 'Mathematics',
      enrolment: { status: 'active', method: 'bulk' },
      activity: expectedActivity(3),
      completion: { progress: { completed: 2, required: 2, percentage: 100 }, courseCompleted: true },
      grades: { releasedOnly: false, total: { passed: true, hidden: false } },
      atRisk: { baseline: { flagged: false, reasons: [] } },
    });
    expect(m.grades!.total.percentage).toBeCloseTo(expectedTotal(3)!, 3);
    expect(m.grades!.items.map((i) => [i.name, i.grade])).toEqual([['Fractions quiz', attemptGrade(ATTEMPTS[3][0])], ['Essay', 40]]);
    expect(body.skills.map((s: Record<string, unknown>) => ({ skill: s.skill, earned: s.earned, possible: s.possible, questions: s.questions }))).toEqual(expectedSkills(3));
    expect(body.skills.find((s: { skill: string }) => s.skill === 'logic')).toMatchObject({ percentage: 33.33, courseIds: [maths] });
    expect({ strengths: body.strengths, toImprove: body.toImprove }).toEqual(verdicts(3));
    expect(verdicts(3)).toEqual({ strengths: [], toImprove: ['logic'] });
    expect(body.rules.skills).toMatch(/at least 80% .* at least 3 questions/);
    // Outside the courses they teach, a teacher sees nothing: no last access to the platform.
    expect(body.lastAccessAt).toBeNull();
  });

  it('skills count each quiz once, by the latest attempt (learners 5 and 6 took it twice)', async () => {
    for (const i of [1, 5, 6]) {
      const { body } = await http().get(`/api/v1/reports/learners/${learner(i).userId}`).set(teacher1.auth).expect(200);
      expect({ i, skills: body.skills.map((s: Record<string, unknown>) => ({ skill: s.skill, earned: s.earned, possible: s.possible, questions: s.questions })) }).toEqual({ i, skills: expectedSkills(i) });
      expect({ i, strengths: body.strengths, toImprove: body.toImprove }).toEqual({ i, ...verdicts(i) });
    }
    expect(verdicts(5)).toEqual({ strengths: ['fractions'], toImprove: [] });
    expect(verdicts(6)).toEqual({ strengths: [], toImprove: ['fractions'] });
  });

  it('the profile\'s flag is the class report\'s (the model\'s risk and reasons, the baseline beside it), whoever reads it', async () => {
    const classReport = (await http().get(`/api/v1/reports/courses/${maths}`).set(teacher1.auth).expect(200)).body as ClassReportView;
    const judged = classReport.participants.filter((p) => p.atRisk);
    expect(judged.length).toBeGreaterThan(1);
    for (const p of judged) {
      const { body } = await http().get(`/api/v1/reports/learners/${p.learnerId}`).set(teacher1.auth).expect(200);
      expect({ learner: p.learnerId, atRisk: course(body, maths).atRisk }).toEqual({ learner: p.learnerId, atRisk: p.atRisk });
    }
  });

  it('the teacher sees learner 6 failing in the baseline; learner 6 themself sees only released grades, so no failing total, and the model on them', async () => {
    const staff = await http().get(`/api/v1/reports/learners/${learner(6).userId}`).set(teacher1.auth).expect(200);
    expect(course(staff.body, maths).atRisk).toMatchObject({ baseline: { flagged: true, reasons: [expect.objectContaining({ rule: 'failing' })] } });
    const own = await http().get(`/api/v1/reports/learners/${learner(6).userId}`).set(learner(6).auth).expect(200);
    const m = course(own.body, maths);
    expect(m.grades).toMatchObject({ releasedOnly: true, total: { percentage: null, hidden: true } });
    expect(m.grades!.items.map((i: { name: string }) => i.name)).toEqual(['Fractions quiz']);
    // The model too reads the released grades only for the learner (the essay's grades are withheld, the class's
    // too): test/e2e/early-warning-released.e2e.spec.ts checks its figures against the teacher's.
    expect(m.atRisk).toMatchObject({ baseline: { flagged: false, reasons: [] } });
    expect(m.atRisk!.reasons.filter((r: { text: string }) => r.text.includes('Essay'))).toEqual([]);
    // Their own profile shows their last access to the platform.
    expect(Date.parse(own.body.lastAccessAt)).toBeGreaterThan(0);
  });

  it('a linked parent sees their child (released grades only, last access) and no other child', async () => {
    const { body } = await http().get(`/api/v1/reports/learners/${learner(1).userId}`).set(parent.auth).expect(200);
    expect(course(body, maths).grades).toMatchObject({ releasedOnly: true, total: { hidden: true } });
    expect(course(body, maths).grades!.items.map((i) => i.grade)).toEqual([10]);
    expect(body.strengths).toEqual(verdicts(1).strengths);
    expect(body.lastAccessAt).not.toBeNull();
    const other = await appendsNothing(t, () => http().get(`/api/v1/reports/learners/${learner(2).userId}`).set(parent.auth).expect(403));
    expect(Object.keys(other.body)).toEqual(['error']);
  });

  it('teacher 2 sees learner 8 only within Science; learner 8 sees both courses', async () => {
    const staff = await http().get(`/api/v1/reports/learners/${learner(8).userId}`).set(teacher2.auth).expect(200);
    expect(staff.body.courses.map((c: { courseId: string }) => c.courseId)).toEqual([science]);
    expect(course(staff.body, science)).toMatchObject({ activity: { viewed: 1 }, grades: null });
    expect(staff.body.timeline.events.every((e: { courseId: string }) => e.courseId === science)).toBe(true);
    expect(staff.body.lastAccessAt).toBeNull();
    const own = await http().get(`/api/v1/reports/learners/${learner(8).userId}`).set(learner(8).auth).expect(200);
    expect(own.body.courses.map((c: { courseId: string }) => c.courseId).sort()).toEqual([maths, science].sort());
  });

  it('the timeline pages through the learner\'s events newest first: those of the courses the reader may see (teacher), everything (the learner)', async () => {
    const rawEvents = async (userId: string, courseId: string | null) =>
      (
        await db.query(
          `SELECT event_id FROM events
           WHERE (metadata->>'actorId' = $1 OR metadata->>'relatedUserId' = $1) AND ($2::text IS NULL OR metadata->>'courseId' = $2)
           ORDER BY transaction_id::text::numeric DESC, global_position DESC`,
          [userId, courseId],
        )
      ).rows.map((r) => r.event_id);
    const pages = async (who: Session, learnerId: string) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await http().get(`/api/v1/reports/learners/${learnerId}/timeline?limit=4${cursor ? `&cursor=${cursor}` : ''}`).set(who.auth).expect(200);
        expect(res.body.events.length).toBeLessThanOrEqual(4);
        ids.push(...res.body.events.map((e: { eventId: string }) => e.eventId));
        cursor = res.body.nextCursor;
      } while (cursor);
      return ids;
    };
    await settled();
    const byTeacher = await pages(teacher1, learner(5).userId);
    expect(byTeacher).toEqual(await rawEvents(learner(5).userId, maths));
    // learner 5: 2 attempts × 4 events, an essay handed in and graded, enrolled.
    expect(byTeacher).toHaveLength(2 * 4 + 2 + 1);
    await settled();
    const own = await pages(learner(5), learner(5).userId);
    // Their own pages were read as they went: the timeline reads are events too; compare with the log up to the first page read.
    const all = await rawEvents(learner(5).userId, null);
    expect(all).toEqual(expect.arrayContaining(own));
    expect(own.length).toBeGreaterThan(byTeacher.length);
    expect(own).toEqual(expect.arrayContaining(byTeacher));
  });
});

describe('objection to profiling', () => {
  it('learner 7 objects: no strengths, points to improve or at-risk flag for them, with a note; their figures stay', async () => {
    // The privacy feature emits ProfilingObjected on the user's stream (after a DPO approves the objection);
    // appended here as it would, the type registered for the test if the privacy feature is not in the build.
    const log = t.app.get(EventLog);
    if (!log.registry.get('ProfilingObjected')) log.registry.register({ type: 'ProfilingObjected', version: 1 });
    const me = { userId: learner(7).userId, realActorId: null, request: null };
    await log.append(`user-${learner(7).userId}`, [
      { type: 'ProfilingObjected', data: { userId: learner(7).userId, basis: 'objection', requestId: null, at: new Date().toISOString() }, envelope: envelopeFor(me, { action: 'objected', crud: 'u', object: { type: 'user', id: learner(7).userId }, relatedUserId: learner(7).userId }) },
    ]);
    await settled();

    const report = await http().get(`/api/v1/reports/courses/${maths}`).set(teacher1.auth).expect(200);
    const seven = report.body.participants.find((p: Participant) => p.learnerId === learner(7).userId);
    expect(seven).toMatchObject({ profilingObjected: true, atRisk: null, grade: { percentage: 0, passed: false } });
    expect(report.body.summary).toMatchObject({ atRiskBaseline: 1, profilingObjected: 1 });
    expect(report.body.rules.atRisk).toMatch(/objected to profiling are never flagged/);

    const profile = await http().get(`/api/v1/reports/learners/${learner(7).userId}`).set(teacher1.auth).expect(200);
    expect(profile.body).toMatchObject({ profiling: { objected: true, note: expect.stringMatching(/objected to profiling/) }, strengths: null, toImprove: null });
    expect(profile.body.courses.find((c: { courseId: string }) => c.courseId === maths).atRisk).toBeNull();
    expect(profile.body.skills.map((s: { skill: string }) => s.skill)).toEqual(expectedSkills(7).map((s) => s.skill));
  });
});

describe('school report (school A)', () => {
  const today = () => new Date().toISOString().slice(0, 10);
  const shift = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

  it('active learners, completion and grade averages by course, subject and grade level; teacher activity from the log', async () => {
    await settled();
    const teacherEvents = async (who: Session) =>
      (
        await db.query(
          `SELECT count(*)::int AS events, count(DISTINCT ((metadata->>'occurredAt')::timestamptz AT TIME ZONE 'UTC')::date)::int AS days FROM events
           WHERE metadata->>'actorId' = $1 AND metadata->>'realActorId' IS NULL AND metadata->>'courseId' = ANY ($2)`,
          [who.userId, [maths, science]],
        )
      ).rows[0];
    const [t1, t2] = [await teacherEvents(teacher1), await teacherEvents(teacher2)];
    const from = shift(today(), -1);
    const to = shift(today(), 1);
    const { body } = await http().get(`/api/v1/reports/schools/${schoolA}?from=${from}&to=${to}`).set(adminA.auth).expect(200);
    expect(body).toMatchObject({ schoolId: schoolA, name: 'Riverside School', from, to });

    const mathsLearnerEvents = range(1, 8).reduce((n, i) => n + Object.values(expectedActivity(i)).reduce((a, b) => a + b, 0), 0);
    const m = body.courses.find((c: { courseId: string }) => c.courseId === maths);
    expect(m).toMatchObject({ subject: 'Mathematics', gradeLevel: 'Grade 7', courses: 1, enrolments: 8, activeLearners: 7, completed: 5, completedInPeriod: 5, completionRate: 62.5, graded: 7, learnerEvents: mathsLearnerEvents });
    expect(m.gradeAverage).toBeCloseTo(mean2(TOTALS), 2);
    const s = body.courses.find((c: { courseId: string }) => c.courseId === science);
    expect(s).toMatchObject({ subject: 'Science', gradeLevel: 'Grade 8', enrolments: 2, activeLearners: 1, completed: 0, completionRate: 0, graded: 0, gradeAverage: null, learnerEvents: 1 });

    expect(body.overall).toMatchObject({ courses: 2, enrolments: 10, activeLearners: 8, completed: 5, completionRate: 50, graded: 7 });
    expect(body.bySubject.map((g: Record<string, unknown>) => [g.subject, g.enrolments, g.activeLearners, g.completed])).toEqual([['Mathematics', 8, 7, 5], ['Science', 2, 1, 0]]);
    expect(body.byGradeLevel.map((g: Record<string, unknown>) => [g.gradeLevel, g.courses, g.enrolments])).toEqual([['Grade 7', 1, 8], ['Grade 8', 1, 2]]);

    expect(body.teachers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ teacherId: teacher1.userId, events: t1.events, activeDays: t1.days, courseIds: [maths] }),
        expect.objectContaining({ teacherId: teacher2.userId, events: t2.events, activeDays: t2.days, courseIds: [science] }),
      ]),
    );
    expect(body.teachers).toHaveLength(2);
    expect(body.definitions.gradeAverage).toMatch(/as of now/);
  });

  it('a period before the term has no activity and no enrolments; a reversed period is refused', async () => {
    const { body } = await http().get(`/api/v1/reports/schools/${schoolA}?from=2020-01-01&to=2020-01-31`).set(adminA.auth).expect(200);
    expect(body.overall).toMatchObject({ enrolments: 0, activeLearners: 0, completed: 0, completionRate: null });
    expect(body.teachers).toEqual([]);
    const bad = await appendsNothing(t, () => http().get(`/api/v1/reports/schools/${schoolA}?from=2020-02-01&to=2020-01-31`).set(adminA.auth).expect(400));
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('who may read what', () => {
  const profile = (i: number) => `/api/v1/reports/learners/${learner(i).userId}`;
  const cases: [string, () => Session, () => string][] = [
    ['a learner, another learner\'s profile', () => learner(2), () => profile(1)],
    ['a learner, another learner\'s timeline', () => learner(2), () => `${profile(1)}/timeline`],
    ['a learner, the class report', () => learner(1), () => `/api/v1/reports/courses/${maths}`],
    ['a learner, the school report', () => learner(1), () => `/api/v1/reports/schools/${schoolA}`],
    ['a teacher of another course, a learner of Mathematics only', () => teacher2, () => profile(1)],
    ['a teacher of another course, its class report', () => teacher2, () => `/api/v1/reports/courses/${maths}`],
    ['a teacher, the school report', () => teacher1, () => `/api/v1/reports/schools/${schoolA}`],
    ['a school admin of another school, the school report', () => adminB, () => `/api/v1/reports/schools/${schoolA}`],
    ['a school admin of another school, a learner', () => adminB, () => profile(1)],
    ['a school admin of another school, the class report', () => adminB, () => `/api/v1/reports/courses/${maths}`],
    ['an unlinked parent, a learner', () => strangerParent, () => profile(1)],
    ['an unlinked parent, the class report', () => strangerParent, () => `/api/v1/reports/courses/${maths}`],
  ];

  it.each(cases)('%s: 403, no data, nothing recorded', async (_, who, path) => {
    const res = await appendsNothing(t, () => http().get(path()).set(who().auth).expect(403));
    expect(res.body).toEqual({ error: expect.objectContaining({ code: 'FORBIDDEN' }) });
  });

  it('anonymous: 401 for every report', async () => {
    for (const path of [profile(1), `${profile(1)}/timeline`, `/api/v1/reports/courses/${maths}`, `/api/v1/reports/schools/${schoolA}`]) {
      const res = await appendsNothing(t, () => http().get(path).expect(401));
      expect(Object.keys(res.body)).toEqual(['error']);
    }
  });

  it('the school admin reads the class report and a learner of their school', async () => {
    await http().get(`/api/v1/reports/courses/${maths}`).set(adminA.auth).expect(200);
    const { body } = await http().get(profile(2)).set(adminA.auth).expect(200);
    expect(body.courses.map((c: { courseId: string }) => c.courseId)).toEqual([maths]);
    expect(body.lastAccessAt).not.toBeNull();
  });

  it('bad ids and parameters are 400s; unknown ones 404 for those who could read them', async () => {
    const platformAdmin = await signInAdmin(t);
    await http().get('/api/v1/reports/learners/not-a-uuid').set(teacher1.auth).expect(400);
    await http().get(`/api/v1/reports/courses/${maths}?inactiveDays=0`).set(teacher1.auth).expect(400);
    await http().get(`/api/v1/reports/learners/${learner(1).userId}/timeline?cursor=nope`).set(learner(1).auth).expect(400);
    const unknown = '00000000-0000-4000-8000-00000000abcd';
    expect((await http().get(`/api/v1/reports/schools/${unknown}`).set(platformAdmin.auth).expect(404)).body.error.code).toBe('SCHOOL_NOT_FOUND');
    expect((await http().get(`/api/v1/reports/courses/${unknown}`).set(platformAdmin.auth).expect(404)).body.error.code).toBe('COURSE_NOT_FOUND');
    expect((await http().get(`/api/v1/reports/learners/${unknown}`).set(platformAdmin.auth).expect(404)).body.error.code).toBe('USER_NOT_FOUND');
  });

  it('every allowed read is in the log, on the reader\'s activity stream', async () => {
    const { rows } = await db.query(
      `SELECT event_type, stream_id, data FROM events WHERE event_type IN ('LearnerProfileViewed', 'ClassReportViewed', 'SchoolReportViewed') AND metadata->>'actorId' = $1`,
      [teacher1.userId],
    );
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.every((r) => r.stream_id === `activity-${teacher1.userId}` && r.data.userId === teacher1.userId)).toBe(true);
    const parentReads = await db.query(`SELECT metadata->>'relatedUserId' AS learner FROM events WHERE event_type = 'LearnerProfileViewed' AND metadata->>'actorId' = $1`, [parent.userId]);
    expect(parentReads.rows).toEqual([{ learner: learner(1).userId }]);
  });
});

describe('CSV', () => {
  const lines = (text: string) => text.trimEnd().split('\r\n');

  it('the class report\'s participants, questions and distribution (?format=csv, or Accept: text/csv)', async () => {
    const res = await http().get(`/api/v1/reports/courses/${maths}?format=csv`).set(teacher1.auth).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const rows = lines(res.text);
    expect(rows).toHaveLength(9);
    const header = rows[0].split(',');
    expect(header).toEqual(expect.arrayContaining(['learnerId', 'displayName', 'events_viewed', 'events_submitted', 'gradePercentage', 'atRisk']));
    const one = rows.find((r) => r.includes(learner(1).userId))!.split(',');
    expect(one[header.indexOf('displayName')]).toBe('Learner 1');
    expect(Number(one[header.indexOf('events_viewed')])).toBe(2);
    const accept = await http().get(`/api/v1/reports/courses/${maths}?table=questions`).set(teacher1.auth).set('Accept', 'text/csv').expect(200);
    expect(lines(accept.text)).toHaveLength(6);
    const dist = await http().get(`/api/v1/reports/courses/${maths}?format=csv&table=distribution`).set(teacher1.auth).expect(200);
    expect(lines(dist.text).slice(1).map((l) => Number(l.split(',')[3]))).toEqual([1, 0, 1, 0, 0, 3, 0, 1, 0, 1]);
  });

  it('the learner profile\'s courses and skills, the school report\'s tables', async () => {
    const courses = await http().get(`/api/v1/reports/learners/${learner(3).userId}?format=csv`).set(teacher1.auth).expect(200);
    expect(lines(courses.text)).toHaveLength(2);
    const skills = await http().get(`/api/v1/reports/learners/${learner(3).userId}?format=csv&table=skills`).set(teacher1.auth).expect(200);
    expect(lines(skills.text).slice(1).map((l) => l.split(',').slice(1, 7))).toEqual(
      expectedSkills(3).map((s) => [s.skill, String(s.earned), String(s.possible), String(Math.round((s.earned / s.possible) * 10000) / 100), String(s.questions), verdicts(3).toImprove.includes(s.skill) ? 'to_improve' : verdicts(3).strengths.includes(s.skill) ? 'strength' : '']),
    );
    for (const table of ['courses', 'subjects', 'grade-levels', 'teachers']) {
      const res = await http().get(`/api/v1/reports/schools/${schoolA}?format=csv&table=${table}`).set(adminA.auth).expect(200);
      expect(lines(res.text).length).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('rebuild', () => {
  it('each progress projection rebuilt from zero gives the same rows', async () => {
    const runner = t.app.get(ProjectionRunner);
    const tables: Record<string, string> = {
      progress_timeline: 'user_id, event_id',
      progress_course_activity: 'course_id, user_id, action',
      progress_daily_activity: 'day, course_id, user_id',
      progress_course_members: 'course_id, user_id',
      progress_learners: 'user_id',
      progress_question_results: 'attempt_id, question_id',
      progress_question_stats: 'course_id, quiz_id, question_id, position',
      progress_ew_assessments: 'assessment_id',
      progress_ew_work: 'event_id',
      progress_ew_enrolments: 'event_id',
      progress_ew_settings: 'school_id',
    };
    const snapshot = async () => Object.fromEntries(await Promise.all(Object.entries(tables).map(async ([table, key]) => [table, (await db.query(`SELECT * FROM ${table} ORDER BY ${key}`)).rows] as const)));
    await settled();
    const live = await snapshot();
    expect(live.progress_question_results.length).toBe(Object.values(ATTEMPTS).flat().length * 5);
    expect(live.progress_learners.filter((r: { profiling_objected: boolean }) => r.profiling_objected)).toHaveLength(1);
    expect(live.progress_ew_work.filter((r: { kind: string }) => r.kind === 'graded').length).toBe(Object.values(ATTEMPTS).flat().length + Object.keys(ESSAY).length);
    for (const name of ['progress-activity', 'progress-questions', 'progress-early-warning']) {
      await runner.rebuild(name);
      await settled();
    }
    const [checkpoints] = [(await db.query(`SELECT name, generation FROM projection_checkpoints WHERE name LIKE 'progress-%' ORDER BY name`)).rows];
    expect(checkpoints).toEqual([{ name: 'progress-activity', generation: 2 }, { name: 'progress-early-warning', generation: 2 }, { name: 'progress-questions', generation: 2 }]);
    expect(await snapshot()).toEqual(live);
    const parked = await db.query(`SELECT projection, event_type, error FROM projection_dead_letters WHERE projection LIKE 'progress-%'`);
    expect(parked.rows).toEqual([]);
  }, 240_000);
});
