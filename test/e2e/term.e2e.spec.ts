/**
 * THE acceptance test: one term of a school, over HTTP only.
 *
 * A school, two teachers, thirty learners, two courses. Maths (teacher 1,
 * learners 1–30) has a quiz and an assignment; Science (teacher 2, learners
 * 11–30) has a quiz, an assignment and a page to read. Learners attempt the
 * quizzes (some twice) and hand in their work; teachers grade, override once,
 * and release grades. The final grades and the completion that come out are
 * the ones computed BY HAND below (tables of constants, with their
 * arithmetic in comments): nothing here calls the production code.
 */
import pg from 'pg';
import request from 'supertest';
import { createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { createCourse, takeQuiz } from '../support/courses';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
const http = () => request(t.app.getHttpServer());

let school: string;
let teacher1: Session;
let teacher2: Session;
/** learners[i - 1] is learner i (1 to 30). */
let learners: Session[];
const learner = (i: number) => learners[i - 1];
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

let maths: string;
let science: string;
let mathsQuiz: { quizId: string; questions: Question[] };
let mathsEssay: string;
let scienceQuiz: { quizId: string; questions: Question[] };
let scienceReport: string;
let sciencePage: string;
let mathsItems: { quiz: string; essay: string };
let scienceItems: { quiz: string; report: string };

type Question = { questionId: string; kind: string };

// --- The questions: 1 point each. A learner answering k questions right answers the first k right, the rest wrong.
const TRUE_FALSE = { kind: 'true_false', text: 'Every square is a rectangle.', points: 1, skills: ['logic'], correct: true };
const SINGLE = { kind: 'multiple_choice_single', text: '0.5 is', points: 1, skills: ['fractions'], choices: [{ id: 'a', text: '1/3' }, { id: 'b', text: '1/2' }], correct: 'b' };
const NUMERIC = { kind: 'numeric', text: 'Pi to two decimals?', points: 1, skills: ['geometry'], answer: 3.14, tolerance: 0.01 };
const SHORT = { kind: 'short_answer', text: 'The capital of Thailand?', points: 1, skills: ['geography'], accepted: ['Bangkok'], caseSensitive: false };
const FALSE_ONE = { kind: 'true_false', text: 'Every rectangle is a square.', points: 1, skills: ['logic'], correct: false };

const RIGHT: Record<string, (q: Question, index: number) => unknown> = {
  true_false: (_, index) => index !== 4, // the fifth question (FALSE_ONE) is false
  multiple_choice_single: () => 'b',
  numeric: () => 3.14,
  short_answer: () => 'bangkok',
};
const WRONG: Record<string, (q: Question, index: number) => unknown> = {
  true_false: (_, index) => index === 4,
  multiple_choice_single: () => 'a',
  numeric: () => 2.71,
  short_answer: () => 'Chiang Mai',
};
const answers = (questions: Question[], right: number) =>
  questions.map((q, index) => ({ questionId: q.questionId, answer: (index < right ? RIGHT : WRONG)[q.kind](q, index) }));

/*
 * ============================ MATHS, BY HAND ============================
 * Quiz: 5 questions of 1 point, maxGrade 10 (grade = 2 × right answers),
 * pass 5, 2 attempts, grading method HIGHEST.
 *   learner i answers k1 = i mod 6 questions right on attempt 1;
 *   learners i ≡ 0 (mod 4) make a 2nd attempt with k2 = 5 − k1 right;
 *   learners 29 and 30 never attempt (no quiz grade).
 *   quiz grade = 2 × max(k1, k2). Passed (completion) = an attempt reached 5, i.e. k ≥ 3.
 *   Learner 3 (quiz 6) gets an override of 9 on the quiz item ("re-marked").
 * Essay: maxGrade 100, pass 50. Learners i ≡ 0 (mod 7) (7, 14, 21, 28) do not hand in;
 *   teacher 1 grades every submission 40 + 2i, and learner 28 (no submission) 0;
 *   7, 14, 21 have no essay grade.
 * Gradebook: default scale (A 80, B 70, C 60, D 50, F 0), pass 50; root items
 *   quiz (max 10, weight 40) and essay (max 100, weight 60).
 *   SO FAR  = (40 × quiz% + 60 × essay%) / (weights of the graded items)
 *   FINAL   = (40 × quiz% + 60 × essay%) / 100, a missing grade counting 0.
 *   e.g. learner 1: quiz 2/10 = 20 %, essay 42 % → (40×20 + 60×42)/100 = (800 + 2520)/100 = 33.2
 *        learner 7: quiz 20 %, no essay → so far 20 (quiz alone); final (800 + 0)/100 = 8
 *        learner 29: no quiz, essay 98 → so far 98; final (0 + 5880)/100 = 58.8
 *        learner 3: override 9/10 = 90 %, essay 46 → (3600 + 2760)/100 = 63.6
 *        learner 12: attempts 0 then 5 right → highest 10/10 = 100 %; essay 64 → (4000 + 3840)/100 = 78.4
 * Completion: quiz PASSED, essay SUBMITTED, and a FINAL total ≥ 50.
 *   e.g. 19: total 54.8 but quiz 2 < 5 → not complete; 21: passed, no essay → not;
 *        28: passed, graded 0 without submission → not; 29, 30: no quiz → not.
 */
// [learner, quiz grade (attempts), quiz item points (after override), essay, total so far, final total, letter, passed, completed]
const MATHS: [number, number | null, number | null, number | null, number, number, string, boolean, boolean][] = [
  [1, 2, 2, 42, 33.2, 33.2, 'F', false, false],
  [2, 4, 4, 44, 42.4, 42.4, 'F', false, false],
  [3, 6, 9, 46, 63.6, 63.6, 'C', true, true],
  [4, 8, 8, 48, 60.8, 60.8, 'C', true, true], // attempts 4 then 1 right: highest 8
  [5, 10, 10, 50, 70.0, 70.0, 'B', true, true],
  [6, 0, 0, 52, 31.2, 31.2, 'F', false, false],
  [7, 2, 2, null, 20.0, 8.0, 'F', false, false],
  [8, 6, 6, 56, 57.6, 57.6, 'D', true, true], // attempts 2 then 3 right: highest 6
  [9, 6, 6, 58, 58.8, 58.8, 'D', true, true],
  [10, 8, 8, 60, 68.0, 68.0, 'C', true, true],
  [11, 10, 10, 62, 77.2, 77.2, 'B', true, true],
  [12, 10, 10, 64, 78.4, 78.4, 'B', true, true], // attempts 0 then 5 right
  [13, 2, 2, 66, 47.6, 47.6, 'F', false, false],
  [14, 4, 4, null, 40.0, 16.0, 'F', false, false],
  [15, 6, 6, 70, 66.0, 66.0, 'C', true, true],
  [16, 8, 8, 72, 75.2, 75.2, 'B', true, true], // attempts 4 then 1
  [17, 10, 10, 74, 84.4, 84.4, 'A', true, true],
  [18, 0, 0, 76, 45.6, 45.6, 'F', false, false],
  [19, 2, 2, 78, 54.8, 54.8, 'D', true, false],
  [20, 6, 6, 80, 72.0, 72.0, 'B', true, true], // attempts 2 then 3
  [21, 6, 6, null, 60.0, 24.0, 'F', false, false],
  [22, 8, 8, 84, 82.4, 82.4, 'A', true, true],
  [23, 10, 10, 86, 91.6, 91.6, 'A', true, true],
  [24, 10, 10, 88, 92.8, 92.8, 'A', true, true], // attempts 0 then 5
  [25, 2, 2, 90, 62.0, 62.0, 'C', true, false],
  [26, 4, 4, 92, 71.2, 71.2, 'B', true, false],
  [27, 6, 6, 94, 80.4, 80.4, 'A', true, true],
  [28, 8, 8, 0, 32.0, 32.0, 'F', false, false], // attempts 4 then 1; essay 0 without submission
  [29, null, null, 98, 98.0, 58.8, 'D', true, false],
  [30, null, null, 100, 100.0, 60.0, 'C', true, false],
];
/** Maths completed by: 3 4 5 8 9 10 11 12 15 16 17 20 22 23 24 27 (16 learners). */
const MATHS_COMPLETED = [3, 4, 5, 8, 9, 10, 11, 12, 15, 16, 17, 20, 22, 23, 24, 27];

/*
 * =========================== SCIENCE, BY HAND ===========================
 * Quiz: 4 questions of 1 point, maxGrade 20 (grade = 5 × right), pass 10, 1 attempt.
 *   learner i (11–30) answers c = i mod 5 right.
 * Report: maxGrade 20, pass 10; everyone hands in; teacher 2 grades i mod 21
 *   (11…20 for learners 11–20, 0…9 for learners 21–30).
 * Page: learners i ≡ 0 (mod 3) read it (12, 15, 18, 21, 24, 27, 30).
 * Gradebook: pass 60, scale A 85, B 70, C 55, F 0. Category "Tests" (weight 70)
 *   holds the quiz item (max 20); the report item (max 20) sits at the root
 *   with weight 30. Total = (70 × quiz% + 30 × report%) / 100 (everything is
 *   graded: so far = final).
 *   e.g. learner 13: quiz 15/20 = 75 %, report 13/20 = 65 % → (5250 + 1950)/100 = 72 → B, passed
 *        learner 23: quiz 75 %, report 2/20 = 10 % → (5250 + 300)/100 = 55.5 → C, not passed (< 60)
 * Completion: quiz SUBMITTED, report PASSED (≥ 10: learners 11–20), page VIEWED
 *   (multiples of 3) → learners 12, 15, 18.
 * Only the quiz item is released: learners see it, and no total (it counts the hidden report).
 */
// [learner, quiz, report, total, letter, passed, completed]
const SCIENCE: [number, number, number, number, string, boolean, boolean][] = [
  [11, 5, 11, 34.0, 'F', false, false],
  [12, 10, 12, 53.0, 'F', false, true],
  [13, 15, 13, 72.0, 'B', true, false],
  [14, 20, 14, 91.0, 'A', true, false],
  [15, 0, 15, 22.5, 'F', false, true],
  [16, 5, 16, 41.5, 'F', false, false],
  [17, 10, 17, 60.5, 'C', true, false],
  [18, 15, 18, 79.5, 'B', true, true],
  [19, 20, 19, 98.5, 'A', true, false],
  [20, 0, 20, 30.0, 'F', false, false],
  [21, 5, 0, 17.5, 'F', false, false],
  [22, 10, 1, 36.5, 'F', false, false],
  [23, 15, 2, 55.5, 'C', false, false],
  [24, 20, 3, 74.5, 'B', true, false],
  [25, 0, 4, 6.0, 'F', false, false],
  [26, 5, 5, 25.0, 'F', false, false],
  [27, 10, 6, 44.0, 'F', false, false],
  [28, 15, 7, 63.0, 'C', true, false],
  [29, 20, 8, 82.0, 'B', true, false],
  [30, 0, 9, 13.5, 'F', false, false],
];
const SCIENCE_COMPLETED = [12, 15, 18];

/** Runs `work` for every item, a few at a time. */
async function inBatches<T>(items: T[], work: (item: T) => Promise<unknown>, size = 10): Promise<void> {
  for (let k = 0; k < items.length; k += size) await Promise.all(items.slice(k, k + size).map(work));
}

async function attempt(who: Session, quizId: string, questions: Question[], right: number): Promise<void> {
  expect((await takeQuiz(t, who, quizId, answers(questions, right))).totalScore).toBe(right);
}

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  const admin = await signInAdmin(t);
  school = await createSchool(t, admin, 'Riverside School');
  const schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  [teacher1, teacher2] = await Promise.all([openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher' }), openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher' })]);
  learners = [];
  for (let k = 0; k < 30; k += 10) learners.push(...(await Promise.all(range(k + 1, k + 10).map((i) => openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', displayName: `Learner ${i}` })))));
}, 180_000);

afterAll(async () => {
  await db.end();
  await t.close();
});

describe('one term', () => {
  it('two teachers open their courses and enrol their learners', async () => {
    const create = (by: Session, code: string, title: string) => createCourse(t, by, { schoolId: school, code, title, subject: title, section: 'Term 1' });
    maths = await create(teacher1, 'MATH-1', 'Mathematics');
    science = await create(teacher2, 'SCI-1', 'Science');
    const m = await http().post(`/api/v1/courses/${maths}/enrolments/bulk`).set(teacher1.auth).send({ learnerIds: range(1, 30).map((i) => learner(i).userId) }).expect(200);
    expect(m.body.enrolled).toBe(30);
    const s = await http().post(`/api/v1/courses/${science}/enrolments/bulk`).set(teacher2.auth).send({ learnerIds: range(11, 30).map((i) => learner(i).userId) }).expect(200);
    expect(s.body.enrolled).toBe(20);
  });

  it('they set a quiz and an assignment, a gradebook and completion rules', async () => {
    // Maths
    const mq = await http()
      .post(`/api/v1/courses/${maths}/quizzes`)
      .set(teacher1.auth)
      .send({ title: 'Geometry quiz', attemptsAllowed: 2, gradingMethod: 'highest', maxGrade: 10, passGrade: 5, questions: [TRUE_FALSE, SINGLE, NUMERIC, SHORT, FALSE_ONE] })
      .expect(201);
    mathsQuiz = mq.body;
    const me = await http().post(`/api/v1/courses/${maths}/assignments`).set(teacher1.auth).send({ title: 'Essay', submissionTypes: ['text'], maxGrade: 100, passGrade: 50 }).expect(201);
    mathsEssay = me.body.assignmentId;
    await http().post(`/api/v1/courses/${maths}/gradebook`).set(teacher1.auth).send({}).expect(201);
    const quizItem = await http().post(`/api/v1/courses/${maths}/gradebook/items`).set(teacher1.auth).send({ source: { kind: 'quiz', id: mathsQuiz.quizId }, weight: 40 }).expect(201);
    const essayItem = await http().post(`/api/v1/courses/${maths}/gradebook/items`).set(teacher1.auth).send({ source: { kind: 'assignment', id: mathsEssay }, weight: 60 }).expect(201);
    mathsItems = { quiz: quizItem.body.createdId, essay: essayItem.body.createdId };
    expect(essayItem.body.items).toEqual([
      expect.objectContaining({ name: 'Geometry quiz', maxGrade: 10, weight: 40, released: false }),
      expect.objectContaining({ name: 'Essay', maxGrade: 100, weight: 60, released: false }),
    ]);
    await http().put(`/api/v1/courses/${maths}/completion/rules/${mathsQuiz.quizId}`).set(teacher1.auth).send({ kind: 'quiz', rule: 'passed' }).expect(200);
    await http().put(`/api/v1/courses/${maths}/completion/rules/${mathsEssay}`).set(teacher1.auth).send({ kind: 'assignment', rule: 'submitted' }).expect(200);
    await http().put(`/api/v1/courses/${maths}/completion/criteria`).set(teacher1.auth).send({ requireAll: 'all', minimumCourseGradePercentage: 50 }).expect(200);

    // Science
    const sq = await http()
      .post(`/api/v1/courses/${science}/quizzes`)
      .set(teacher2.auth)
      .send({ title: 'Cells quiz', attemptsAllowed: 1, gradingMethod: 'last', maxGrade: 20, passGrade: 10, questions: [TRUE_FALSE, SINGLE, NUMERIC, SHORT] })
      .expect(201);
    scienceQuiz = sq.body;
    const sr = await http().post(`/api/v1/courses/${science}/assignments`).set(teacher2.auth).send({ title: 'Lab report', submissionTypes: ['text'], maxGrade: 20, passGrade: 10 }).expect(201);
    scienceReport = sr.body.assignmentId;
    const course = await http().get(`/api/v1/courses/${science}`).set(teacher2.auth).expect(200);
    const page = await http()
      .post(`/api/v1/courses/${science}/resources`)
      .set(teacher2.auth)
      .send({ sectionId: course.body.sections[0].sectionId, kind: 'page', title: 'Reading: the cell', content: { body: '<p>Cells.</p>' } })
      .expect(201);
    sciencePage = page.body.resourceId;
    const scale = [
      { letter: 'A', minPercentage: 85 },
      { letter: 'B', minPercentage: 70 },
      { letter: 'C', minPercentage: 55 },
      { letter: 'F', minPercentage: 0 },
    ];
    await http().post(`/api/v1/courses/${science}/gradebook`).set(teacher2.auth).send({ passPercentage: 60, letterScale: scale }).expect(201);
    const tests = await http().post(`/api/v1/courses/${science}/gradebook/categories`).set(teacher2.auth).send({ name: 'Tests', weight: 70 }).expect(201);
    const sQuizItem = await http().post(`/api/v1/courses/${science}/gradebook/items`).set(teacher2.auth).send({ source: { kind: 'quiz', id: scienceQuiz.quizId }, categoryId: tests.body.createdId }).expect(201);
    const sReportItem = await http().post(`/api/v1/courses/${science}/gradebook/items`).set(teacher2.auth).send({ source: { kind: 'assignment', id: scienceReport }, weight: 30 }).expect(201);
    scienceItems = { quiz: sQuizItem.body.createdId, report: sReportItem.body.createdId };
    await http().put(`/api/v1/courses/${science}/completion/rules/${scienceQuiz.quizId}`).set(teacher2.auth).send({ kind: 'quiz', rule: 'submitted' }).expect(200);
    await http().put(`/api/v1/courses/${science}/completion/rules/${scienceReport}`).set(teacher2.auth).send({ kind: 'assignment', rule: 'passed' }).expect(200);
    await http().put(`/api/v1/courses/${science}/completion/rules/${sciencePage}`).set(teacher2.auth).send({ kind: 'resource', rule: 'viewed' }).expect(200);
    const criteria = await http().put(`/api/v1/courses/${science}/completion/criteria`).set(teacher2.auth).send({ requireAll: 'all' }).expect(200);
    expect(criteria.body.activities).toHaveLength(3);
  });

  it('learners attempt the quizzes (some twice), read, and hand in their work', async () => {
    await inBatches(range(1, 28), async (i) => {
      const k1 = i % 6;
      await attempt(learner(i), mathsQuiz.quizId, mathsQuiz.questions, k1);
      if (i % 4 === 0) await attempt(learner(i), mathsQuiz.quizId, mathsQuiz.questions, 5 - k1);
      if (i % 7 !== 0) await http().post(`/api/v1/assignments/${mathsEssay}/submissions`).set(learner(i).auth).send({ text: `Essay of learner ${i}` }).expect(201);
    });
    for (const i of [29, 30]) await http().post(`/api/v1/assignments/${mathsEssay}/submissions`).set(learner(i).auth).send({ text: `Essay of learner ${i}` }).expect(201);
    await inBatches(range(11, 30), async (i) => {
      await attempt(learner(i), scienceQuiz.quizId, scienceQuiz.questions, i % 5);
      if (i % 3 === 0) await http().get(`/api/v1/courses/${science}/resources/${sciencePage}`).set(learner(i).auth).expect(200);
      await http().post(`/api/v1/assignments/${scienceReport}/submissions`).set(learner(i).auth).send({ text: `Report of learner ${i}` }).expect(201);
    });
  }, 180_000);

  it('teachers grade (at the same time), override once, and release', async () => {
    const mathsGrades = range(1, 30)
      .filter((i) => i % 7 !== 0)
      .map((i) => [i, Math.min(100, 40 + 2 * i)] as const);
    await Promise.all([
      inBatches([...mathsGrades, [28, 0] as const], ([i, grade]) =>
        http().post(`/api/v1/assignments/${mathsEssay}/submissions/${learner(i).userId}/grade`).set(teacher1.auth).send({ grade, feedback: `Feedback for ${i}` }).expect(200),
      ),
      inBatches(range(11, 30), (i) => http().post(`/api/v1/assignments/${scienceReport}/submissions/${learner(i).userId}/grade`).set(teacher2.auth).send({ grade: i % 21 }).expect(200)),
    ]);
    await http().put(`/api/v1/courses/${maths}/grades/${mathsItems.quiz}/${learner(3).userId}/override`).set(teacher1.auth).send({ grade: 9, reason: 'Re-marked after an appeal' }).expect(200);
    await http().post(`/api/v1/courses/${maths}/gradebook/release`).set(teacher1.auth).send({}).expect(200);
    await http().post(`/api/v1/courses/${science}/gradebook/release`).set(teacher2.auth).send({ itemIds: [scienceItems.quiz] }).expect(200);
  }, 120_000);

  it('Maths: the final grades are the ones computed by hand', async () => {
    const final = await http().get(`/api/v1/courses/${maths}/grades?final=true`).set(teacher1.auth).expect(200);
    const soFar = await http().get(`/api/v1/courses/${maths}/grades`).set(teacher1.auth).expect(200);
    expect(final.body.learners).toHaveLength(30);
    for (const [i, , quizPoints, essay, totalSoFar, totalFinal, letter, passed] of MATHS) {
      const row = final.body.learners.find((l: { learnerId: string }) => l.learnerId === learner(i).userId);
      expect({ i, items: row.items.map((it: { grade: number | null }) => it.grade), total: row.total }).toEqual({
        i,
        items: [quizPoints, essay],
        total: { percentage: totalFinal, letter, passed, overridden: false },
      });
      const current = soFar.body.learners.find((l: { learnerId: string }) => l.learnerId === learner(i).userId);
      expect({ i, total: current.total.percentage }).toEqual({ i, total: totalSoFar });
    }
    // The override shows as one.
    const three = final.body.learners.find((l: { learnerId: string }) => l.learnerId === learner(3).userId);
    expect(three.items[0]).toMatchObject({ grade: 9, overridden: true });
  });

  it('Maths: each learner’s quiz result is their highest attempt', async () => {
    for (const [i, quizGrade] of MATHS) {
      const { rows } = await db.query('SELECT grade FROM activity_results WHERE activity_id = $1 AND learner_id = $2', [mathsQuiz.quizId, learner(i).userId]);
      expect({ i, grade: rows[0]?.grade ?? null }).toEqual({ i, grade: quizGrade });
    }
  });

  it('Science: the grades are the ones computed by hand; learners see only the released quiz', async () => {
    const res = await http().get(`/api/v1/courses/${science}/grades?final=true`).set(teacher2.auth).expect(200);
    expect(res.body.learners).toHaveLength(20);
    for (const [i, quiz, report, total, letter, passed] of SCIENCE) {
      const row = res.body.learners.find((l: { learnerId: string }) => l.learnerId === learner(i).userId);
      expect({ i, items: row.items.map((it: { grade: number }) => it.grade), total: row.total }).toEqual({ i, items: [quiz, report], total: { percentage: total, letter, passed, overridden: false } });
    }
    const own = await http().get(`/api/v1/courses/${science}/grades/${learner(13).userId}`).set(learner(13).auth).expect(200);
    expect(own.body.releasedOnly).toBe(true);
    expect(own.body.items).toEqual([expect.objectContaining({ itemId: scienceItems.quiz, grade: 15 })]);
    expect(own.body.total).toMatchObject({ percentage: null, hidden: true });
  });

  it('Maths: a learner sees their own released grades and total', async () => {
    const own = await http().get(`/api/v1/courses/${maths}/grades/${learner(12).userId}?final=true`).set(learner(12).auth).expect(200);
    expect(own.body).toMatchObject({ releasedOnly: true, total: { percentage: 78.4, letter: 'B', passed: true, hidden: false } });
    expect(own.body.items.map((i: { grade: number }) => i.grade)).toEqual([10, 64]);
  });

  it('completion is the one computed by hand', async () => {
    const m = await http().get(`/api/v1/courses/${maths}/completion`).set(teacher1.auth).expect(200);
    const completedMaths = range(1, 30).filter((i) => m.body.learners.find((l: { learnerId: string }) => l.learnerId === learner(i).userId).courseCompleted);
    expect(completedMaths).toEqual(MATHS_COMPLETED);
    expect(MATHS.filter((row) => row[8]).map((row) => row[0])).toEqual(MATHS_COMPLETED);

    const s = await http().get(`/api/v1/courses/${science}/completion`).set(teacher2.auth).expect(200);
    const completedScience = range(11, 30).filter((i) => s.body.learners.find((l: { learnerId: string }) => l.learnerId === learner(i).userId).courseCompleted);
    expect(completedScience).toEqual(SCIENCE_COMPLETED);
    expect(SCIENCE.filter((row) => row[6]).map((row) => row[0])).toEqual(SCIENCE_COMPLETED);

    // Learner 21 (Science): quiz submitted, page read, report 0 < 10 → 2 of 3 required activities.
    const own = await http().get(`/api/v1/courses/${science}/completion/${learner(21).userId}`).set(learner(21).auth).expect(200);
    expect(own.body).toMatchObject({ courseCompleted: false, progress: { completed: 2, required: 3, percentage: 66 } });
    // Learner 19 (Maths): essay submitted, quiz failed (2 < 5) → 1 of 2.
    const nineteen = await http().get(`/api/v1/courses/${maths}/completion/${learner(19).userId}`).set(learner(19).auth).expect(200);
    expect(nineteen.body).toMatchObject({ courseCompleted: false, progress: { completed: 1, required: 2, percentage: 50 } });
  });

  it('a rebuild of the assessment and grade read models from the log gives the same rows', async () => {
    const snapshot = async () => ({
      results: (await db.query('SELECT * FROM activity_results ORDER BY activity_id, learner_id')).rows,
      activities: (await db.query('SELECT * FROM activity_completions ORDER BY course_id, learner_id, activity_id')).rows,
      courses: (await db.query('SELECT * FROM course_completions ORDER BY course_id, learner_id')).rows,
      gradebooks: (await db.query('SELECT * FROM gradebooks ORDER BY course_id')).rows,
      attempts: (await db.query('SELECT * FROM quiz_attempts ORDER BY attempt_id')).rows,
      submissions: (await db.query('SELECT * FROM assignment_submissions ORDER BY assignment_id, learner_id')).rows,
    });
    const live = await snapshot();
    expect(live.courses).toHaveLength(MATHS_COMPLETED.length + SCIENCE_COMPLETED.length);
    const ops = { Authorization: `Bearer ${t.opsToken}` };
    for (const name of ['grades', 'assessments']) await http().post(`/api/v1/admin/projections/${name}/rebuild`).set(ops).expect(202);
    // Caught up again: both rebuilt (generation 2) with nothing left to apply.
    for (const until = Date.now() + 120_000; ; ) {
      const { body } = await http().get('/api/v1/admin/projections').set(ops).expect(200);
      const mine = body.projections.filter((p: { name: string }) => p.name === 'grades' || p.name === 'assessments');
      if (mine.every((p: { generation: number; lag: number }) => p.generation === 2 && p.lag === 0)) break;
      if (Date.now() > until) throw new Error(`projections did not catch up: ${JSON.stringify(mine)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await snapshot()).toEqual(live);
  }, 180_000);

  it('every read of grades and completion is in the log, and no event was parked by a projection', async () => {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM events WHERE event_type IN ('GradesViewed', 'CompletionViewed', 'AttemptReviewed')`);
    expect(rows[0].n).toBeGreaterThanOrEqual(9);
    const parked = await db.query('SELECT projection, event_type, error FROM projection_dead_letters');
    expect(parked.rows).toEqual([]);
  });
});
