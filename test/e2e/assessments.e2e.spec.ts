/**
 * Assessments over HTTP, at their edges: a quiz shows learners no answers
 * until they submit; invalid transitions are refused with a stable code and
 * append nothing (after the close time, a third attempt when two are allowed,
 * a learner who is not enrolled, an answer to another quiz's question);
 * overdue attempts are closed when their learner comes back; concurrent
 * commands on one aggregate all land; personal data is encrypted in the log;
 * and nobody reads what they should not (another learner, a teacher of
 * another course, an unlinked parent, anonymous callers).
 */
import pg from 'pg';
import request from 'supertest';
import { countEvents, createSchool, openAccount, registerUser, signInAdmin, type Session } from '../support/auth';
import { createCourse } from '../support/courses';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
const http = () => request(t.app.getHttpServer());

let schoolAdmin: Session;
let teacher: Session;
/** Non-editing teacher of course A: grades, does not edit. */
let grader: Session;
/** Teaches course B only. */
let otherTeacher: Session;
let ann: Session;
let ben: Session;
let cleo: Session;
/** In the school, not enrolled in course A. */
let outsider: Session;
let annsParent: Session;
let strangerParent: Session;
let school: string;
let courseA: string;
let courseB: string;

const Q_SINGLE = {
  kind: 'multiple_choice_single',
  text: 'Which fraction equals 0.5?',
  points: 2,
  skills: ['fractions'],
  choices: [
    { id: 'a', text: '1/3' },
    { id: 'b', text: '1/2' },
    { id: 'c', text: '2/3' },
  ],
  correct: 'b',
};
const Q_TRUE_FALSE = { kind: 'true_false', text: 'Every square is a rectangle.', points: 1, skills: ['logic'], correct: true };
const Q_NUMERIC = { kind: 'numeric', text: 'Pi to two decimals?', points: 1, skills: ['geometry'], answer: 3.14, tolerance: 0.01 };
const Q_SHORT = { kind: 'short_answer', text: 'The capital of Thailand?', points: 1, skills: ['geography'], accepted: ['Bangkok'], caseSensitive: false };

/** A time relative to the application's clock (the tests move it instead of sleeping). */
const inSeconds = (s: number) => new Date(t.clock.now().getTime() + s * 1000).toISOString();

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  const admin = await signInAdmin(t);
  school = await createSchool(t, admin, 'Assessment School');
  schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  [teacher, grader, otherTeacher] = await Promise.all([1, 2, 3].map(() => openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher' })));
  [ann, ben, cleo, outsider] = await Promise.all([1, 2, 3, 4].map(() => openAccount(t, schoolAdmin, { schoolId: school, role: 'learner' })));
  [annsParent, strangerParent] = await Promise.all([registerUser(t), registerUser(t)]);
  await http().post('/api/v1/parent-links').set(schoolAdmin.auth).send({ childId: ann.userId, parentId: annsParent.userId }).expect(201);

  courseA = await createCourse(t, teacher, { schoolId: school, code: 'ALG-1' });
  await http().put(`/api/v1/courses/${courseA}/teachers/${grader.userId}`).set(teacher.auth).send({ role: 'non_editing_teacher' }).expect(204);
  await http().post(`/api/v1/courses/${courseA}/enrolments/bulk`).set(teacher.auth).send({ learnerIds: [ann.userId, ben.userId, cleo.userId] }).expect(200);
  courseB = await createCourse(t, otherTeacher, { schoolId: school, code: 'GEO-1' });
}, 120_000);

afterAll(async () => {
  await db.end();
  await t.close();
});

async function createQuiz(by: Session, courseId: string, overrides: Record<string, unknown> = {}) {
  const res = await http()
    .post(`/api/v1/courses/${courseId}/quizzes`)
    .set(by.auth)
    .send({ title: 'Quiz', attemptsAllowed: 2, gradingMethod: 'highest', maxGrade: 10, passGrade: 5, questions: [Q_SINGLE, Q_TRUE_FALSE, Q_NUMERIC, Q_SHORT], ...overrides });
  expect(res.status).toBe(201);
  return res.body as { quizId: string; questions: { questionId: string; kind: string }[] };
}

async function start(learner: Session, quizId: string): Promise<string> {
  const res = await http().post(`/api/v1/quizzes/${quizId}/attempts`).set(learner.auth);
  expect(res.status).toBe(201);
  return res.body.attemptId;
}

async function streamEvents(streamPrefix: string, type?: string): Promise<{ type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }[]> {
  const { rows } = await db.query(
    `SELECT event_type AS type, data, metadata FROM events WHERE stream_id LIKE $1 AND ($2::text IS NULL OR event_type = $2) ORDER BY global_position`,
    [`${streamPrefix}%`, type ?? null],
  );
  return rows;
}

/** Runs `act`, which must be refused with `status` and `code`, and checks that nothing was appended. */
async function refused(act: () => request.Test, status: number, code: string): Promise<void> {
  const before = await countEvents(t);
  const res = await act();
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(await countEvents(t)).toBe(before);
}

describe('a quiz', () => {
  let quiz: { quizId: string; questions: { questionId: string; kind: string }[] };
  const answerOf = (kind: string, right: boolean) =>
    ({ multiple_choice_single: right ? 'b' : 'a', true_false: right, numeric: right ? 3.141 : 3, short_answer: right ? ' bangkok ' : 'Chiang Mai' })[kind];

  beforeAll(async () => {
    quiz = await createQuiz(teacher, courseA);
  });

  it('is placed in its course as an activity', async () => {
    const { rows } = await db.query('SELECT kind FROM course_activities WHERE activity_id = $1 AND course_id = $2', [quiz.quizId, courseA]);
    expect(rows).toEqual([{ kind: 'quiz' }]);
  });

  it('shows learners its questions without the answers, and staff with them', async () => {
    const forLearner = await http().get(`/api/v1/quizzes/${quiz.quizId}`).set(ann.auth).expect(200);
    expect(forLearner.body.questions).toHaveLength(4);
    for (const q of forLearner.body.questions) for (const secret of ['correct', 'accepted', 'answer', 'tolerance']) expect(q).not.toHaveProperty(secret);
    expect(forLearner.body.questions[0].choices).toHaveLength(3);
    const forStaff = await http().get(`/api/v1/quizzes/${quiz.quizId}`).set(grader.auth).expect(200);
    expect(forStaff.body.questions[0].correct).toBe('b');
  });

  it('is attempted, saved, submitted, graded and reviewed; right answers show only after submission', async () => {
    const attemptId = await start(ann, quiz.quizId);
    const answers = quiz.questions.map((q, i) => ({ questionId: q.questionId, answer: answerOf(q.kind, i !== 1) }));
    const saved = await http().put(`/api/v1/attempts/${attemptId}/answers`).set(ann.auth).send({ answers }).expect(200);
    expect(saved.body.saved).toHaveLength(4);

    const before = await countEvents(t);
    const inProgress = await http().get(`/api/v1/attempts/${attemptId}`).set(ann.auth).expect(200);
    expect(inProgress.body).toMatchObject({ status: 'in_progress', results: null, grade: null });
    expect(inProgress.body.answers[quiz.questions[0].questionId]).toBe('b');
    for (const q of inProgress.body.questions) expect(q).not.toHaveProperty('correct');
    expect(await countEvents(t)).toBe(before);

    // 2 + 0 (true/false wrong) + 1 + 1 = 4 of 5 points: 8 of 10.
    const submitted = await http().post(`/api/v1/attempts/${attemptId}/submit`).set(ann.auth).expect(200);
    expect(submitted.body).toMatchObject({ automatic: false, totalScore: 4, totalPoints: 5, grade: 8, maxGrade: 10, passed: true });

    const review = await http().get(`/api/v1/attempts/${attemptId}`).set(ann.auth).expect(200);
    expect(review.body).toMatchObject({ status: 'submitted', grade: 8, passed: true });
    expect(review.body.questions[0].correct).toBe('b');
    expect(review.body.results.map((r: { correct: unknown }) => r.correct)).toEqual([true, false, true, true]);
    const reviewed = await streamEvents('quiz_attempts-', 'AttemptReviewed');
    expect(reviewed.at(-1)?.data).toMatchObject({ attemptId, by: ann.userId });
    expect(reviewed.at(-1)?.metadata).toMatchObject({ action: 'reviewed', crud: 'r', actorId: ann.userId, relatedUserId: ann.userId, courseId: courseA });
  });

  it('keeps saved answers encrypted in the log', async () => {
    const saved = await streamEvents('quiz_attempts-', 'AnswersSaved');
    expect(saved.length).toBeGreaterThan(0);
    expect(JSON.stringify(saved)).not.toContain('Chiang Mai');
    expect(JSON.stringify(saved)).not.toContain('bangkok');
  });

  it('refuses a third attempt when two are allowed (422 NO_ATTEMPTS_LEFT) and appends nothing', async () => {
    const second = await start(ann, quiz.quizId);
    await http().post(`/api/v1/attempts/${second}/submit`).set(ann.auth).expect(200);
    await refused(() => http().post(`/api/v1/quizzes/${quiz.quizId}/attempts`).set(ann.auth), 422, 'NO_ATTEMPTS_LEFT');
  });

  it('refuses an answer to a question of another quiz (422 QUESTION_NOT_IN_QUIZ) and appends nothing', async () => {
    const other = await createQuiz(teacher, courseA, { questions: [Q_TRUE_FALSE] });
    const attemptId = await start(ben, quiz.quizId);
    await refused(
      () => http().put(`/api/v1/attempts/${attemptId}/answers`).set(ben.auth).send({ answers: [{ questionId: other.questions[0].questionId, answer: true }] }),
      422,
      'QUESTION_NOT_IN_QUIZ',
    );
    await refused(
      () => http().put(`/api/v1/attempts/${attemptId}/answers`).set(ben.auth).send({ answers: [{ questionId: quiz.questions[1].questionId, answer: 'yes' }] }),
      400,
      'QUESTION_ANSWER_INVALID',
    );
    await refused(() => http().post(`/api/v1/quizzes/${quiz.quizId}/attempts`).set(ben.auth), 409, 'ATTEMPT_IN_PROGRESS');
    await http().post(`/api/v1/attempts/${attemptId}/submit`).set(ben.auth).expect(200);
    await refused(() => http().post(`/api/v1/attempts/${attemptId}/submit`).set(ben.auth), 409, 'ATTEMPT_NOT_IN_PROGRESS');
  });

  it('refuses a learner who is not enrolled (403 NOT_ENROLLED) and appends nothing', async () => {
    await refused(() => http().post(`/api/v1/quizzes/${quiz.quizId}/attempts`).set(outsider.auth), 403, 'NOT_ENROLLED');
  });

  it('freezes its questions once attempted (422 QUIZ_HAS_ATTEMPTS); its settings still change', async () => {
    await refused(() => http().post(`/api/v1/quizzes/${quiz.quizId}/questions`).set(teacher.auth).send({ question: Q_TRUE_FALSE }), 422, 'QUIZ_HAS_ATTEMPTS');
    await refused(() => http().delete(`/api/v1/quizzes/${quiz.quizId}/questions/${quiz.questions[0].questionId}`).set(teacher.auth), 422, 'QUIZ_HAS_ATTEMPTS');
    const updated = await http().patch(`/api/v1/quizzes/${quiz.quizId}`).set(teacher.auth).send({ title: 'Quiz 1' }).expect(200);
    expect(updated.body.title).toBe('Quiz 1');
  });

  it('is edited by editing teachers only', async () => {
    await refused(() => http().post(`/api/v1/courses/${courseA}/quizzes`).set(grader.auth).send({ title: 'X', attemptsAllowed: 1, gradingMethod: 'last', maxGrade: 10 }), 403, 'FORBIDDEN');
    await refused(() => http().patch(`/api/v1/quizzes/${quiz.quizId}`).set(ann.auth).send({ title: 'Mine' }), 403, 'FORBIDDEN');
    await refused(() => http().post(`/api/v1/courses/${courseA}/quizzes`).set(teacher.auth).send({ title: 'X', attemptsAllowed: 1, gradingMethod: 'last', maxGrade: 10, passGrade: 11 }), 400, 'QUIZ_INVALID');
  });

  it('saves answers sent concurrently to one attempt without losing any', async () => {
    const attemptId = await start(cleo, quiz.quizId);
    const results = await Promise.all(
      quiz.questions.map((q) => http().put(`/api/v1/attempts/${attemptId}/answers`).set(cleo.auth).send({ answers: [{ questionId: q.questionId, answer: answerOf(q.kind, true) }] })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const submitted = await http().post(`/api/v1/attempts/${attemptId}/submit`).set(cleo.auth).expect(200);
    expect(submitted.body).toMatchObject({ totalScore: 5, grade: 10 });
  });
});

describe('time', () => {
  it('refuses to start a quiz after its close time (422 QUIZ_CLOSED) and appends nothing', async () => {
    const quiz = await createQuiz(teacher, courseA, { opensAt: inSeconds(-7200), closesAt: inSeconds(-3600) });
    await refused(() => http().post(`/api/v1/quizzes/${quiz.quizId}/attempts`).set(ann.auth), 422, 'QUIZ_CLOSED');
  });

  it('refuses answers after the close time (422 ATTEMPT_OVERDUE); submitting then closes the attempt with what was saved', async () => {
    const quiz = await createQuiz(teacher, courseA, { closesAt: inSeconds(60) });
    const attemptId = await start(ann, quiz.quizId);
    await http().put(`/api/v1/attempts/${attemptId}/answers`).set(ann.auth).send({ answers: [{ questionId: quiz.questions[0].questionId, answer: 'b' }] }).expect(200);
    t.clock.advance(61_000);
    await refused(
      () => http().put(`/api/v1/attempts/${attemptId}/answers`).set(ann.auth).send({ answers: [{ questionId: quiz.questions[1].questionId, answer: true }] }),
      422,
      'ATTEMPT_OVERDUE',
    );
    // Only the saved answer counts: 2 of 5 points = 4 of 10.
    const closed = await http().post(`/api/v1/attempts/${attemptId}/submit`).set(ann.auth).expect(200);
    expect(closed.body).toMatchObject({ automatic: true, totalScore: 2, grade: 4, passed: false });
  });

  it('closes an overdue attempt when its learner starts again', async () => {
    const quiz = await createQuiz(teacher, courseA, { timeLimitSeconds: 60, questions: [Q_TRUE_FALSE] });
    const first = await start(ben, quiz.quizId);
    await http().put(`/api/v1/attempts/${first}/answers`).set(ben.auth).send({ answers: [{ questionId: quiz.questions[0].questionId, answer: true }] }).expect(200);
    t.clock.advance(61_000);
    const res = await http().post(`/api/v1/quizzes/${quiz.quizId}/attempts`).set(ben.auth).expect(201);
    expect(res.body).toMatchObject({ attemptNumber: 2, closedOverdue: [first] });
    const closed = await http().get(`/api/v1/attempts/${first}`).set(ben.auth).expect(200);
    expect(closed.body).toMatchObject({ status: 'submitted', automatic: true, grade: 10 });
    const submitted = await streamEvents('quiz_attempts-', 'AttemptSubmitted');
    expect(submitted.find((e) => e.data.attemptId === first)?.metadata).toMatchObject({ actorId: null, origin: 'system' });
  });

  it('refuses a submission after the assignment’s cut-off (422 SUBMISSION_CLOSED) and appends nothing; a late one is marked late', async () => {
    const closed = await http()
      .post(`/api/v1/courses/${courseA}/assignments`)
      .set(teacher.auth)
      .send({ title: 'Closed essay', submissionTypes: ['text'], dueAt: inSeconds(-7200), cutoffAt: inSeconds(-3600), maxGrade: 100 })
      .expect(201);
    await refused(() => http().post(`/api/v1/assignments/${closed.body.assignmentId}/submissions`).set(ann.auth).send({ text: 'Too late' }), 422, 'SUBMISSION_CLOSED');
    const late = await http().post(`/api/v1/courses/${courseA}/assignments`).set(teacher.auth).send({ title: 'Late essay', submissionTypes: ['text'], dueAt: inSeconds(-60), maxGrade: 100 }).expect(201);
    const res = await http().post(`/api/v1/assignments/${late.body.assignmentId}/submissions`).set(ann.auth).send({ text: 'A bit late' }).expect(201);
    expect(res.body).toMatchObject({ late: true, submissionNumber: 1 });
  });
});

describe('an assignment', () => {
  let assignmentId: string;

  beforeAll(async () => {
    const res = await http().post(`/api/v1/courses/${courseA}/assignments`).set(teacher.auth).send({ title: 'Essay', submissionTypes: ['text'], maxGrade: 100, passGrade: 50 }).expect(201);
    assignmentId = res.body.assignmentId;
    await http().post(`/api/v1/assignments/${assignmentId}/submissions`).set(ann.auth).send({ text: 'My secret essay about Korat' }).expect(201);
  });

  it('keeps the text and feedback encrypted in the log', async () => {
    await http().post(`/api/v1/assignments/${assignmentId}/submissions/${ann.userId}/grade`).set(grader.auth).send({ grade: 60, feedback: 'Good work on Korat' }).expect(200);
    const events = await streamEvents('assignment_submission-');
    expect(events.some((e) => e.type === 'SubmissionGraded')).toBe(true);
    const raw = JSON.stringify(events);
    expect(raw).not.toContain('Korat');
    const mine = await http().get(`/api/v1/assignments/${assignmentId}/submissions/${ann.userId}`).set(ann.auth).expect(200);
    expect(mine.body).toMatchObject({ text: 'My secret essay about Korat', feedback: 'Good work on Korat', grade: 60, status: 'graded' });
  });

  it('refuses grading a learner who is not enrolled (422 NOT_ENROLLED) and appends nothing', async () => {
    await refused(() => http().post(`/api/v1/assignments/${assignmentId}/submissions/${outsider.userId}/grade`).set(teacher.auth).send({ grade: 50 }), 422, 'NOT_ENROLLED');
    await refused(() => http().post(`/api/v1/assignments/${assignmentId}/submissions/${ann.userId}/grade`).set(teacher.auth).send({ grade: 101 }), 400, 'GRADE_OUT_OF_RANGE');
  });

  it('refuses a new submission once graded until reopened', async () => {
    await refused(() => http().post(`/api/v1/assignments/${assignmentId}/submissions`).set(ann.auth).send({ text: 'v2' }), 422, 'RESUBMISSION_NOT_ALLOWED');
    await http().post(`/api/v1/assignments/${assignmentId}/submissions/${ann.userId}/reopen`).set(grader.auth).expect(200);
    const again = await http().post(`/api/v1/assignments/${assignmentId}/submissions`).set(ann.auth).send({ text: 'v2' }).expect(201);
    expect(again.body.submissionNumber).toBe(2);
  });

  it('takes two teachers grading the same submission at once, both in order', async () => {
    await http().post(`/api/v1/assignments/${assignmentId}/submissions`).set(ben.auth).send({ text: 'Ben’s essay' }).expect(201);
    const before = (await streamEvents('assignment_submission-', 'SubmissionGraded')).length;
    const [a, b] = await Promise.all([
      http().post(`/api/v1/assignments/${assignmentId}/submissions/${ben.userId}/grade`).set(teacher.auth).send({ grade: 70 }),
      http().post(`/api/v1/assignments/${assignmentId}/submissions/${ben.userId}/grade`).set(grader.auth).send({ grade: 80 }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const graded = (await streamEvents('assignment_submission-', 'SubmissionGraded')).slice(before).map((e) => e.data);
    expect(graded).toHaveLength(2);
    // Whichever landed first, the second one knows it replaced it: no update was lost.
    expect(graded[0].previousGrade).toBeNull();
    expect(graded[1].previousGrade).toBe(graded[0].grade);
    const current = await http().get(`/api/v1/assignments/${assignmentId}/submissions/${ben.userId}`).set(teacher.auth).expect(200);
    expect(current.body.grade).toBe(graded[1].grade);
  });

  it('takes two offline results recorded at once for different learners, both kept', async () => {
    const test = await http().post(`/api/v1/courses/${courseA}/offline-tests`).set(teacher.auth).send({ title: 'Oral', maxGrade: 20, passGrade: 10, takenOn: '2025-03-14' }).expect(201);
    const id = test.body.offlineTestId;
    const results = await Promise.all([
      http().put(`/api/v1/offline-tests/${id}/results/${ann.userId}`).set(teacher.auth).send({ grade: 15 }),
      http().put(`/api/v1/offline-tests/${id}/results/${ben.userId}`).set(grader.auth).send({ grade: 9 }),
      http().put(`/api/v1/offline-tests/${id}/results/${cleo.userId}`).set(teacher.auth).send({ grade: 20 }),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    const list = await http().get(`/api/v1/offline-tests/${id}/results`).set(grader.auth).expect(200);
    expect(list.body.results.map((r: { grade: number }) => r.grade).sort()).toEqual([15, 20, 9].sort());
    await refused(() => http().put(`/api/v1/offline-tests/${id}/results/${outsider.userId}`).set(teacher.auth).send({ grade: 5 }), 422, 'NOT_ENROLLED');
  });
});

describe('who reads what', () => {
  let attemptId: string;
  let assignmentId: string;

  beforeAll(async () => {
    const quiz = await createQuiz(teacher, courseA, { questions: [Q_TRUE_FALSE] });
    attemptId = await start(ann, quiz.quizId);
    await http().post(`/api/v1/attempts/${attemptId}/submit`).set(ann.auth).expect(200);
    const assignment = await http().post(`/api/v1/courses/${courseA}/assignments`).set(teacher.auth).send({ title: 'Poem', submissionTypes: ['text'], maxGrade: 10 }).expect(201);
    assignmentId = assignment.body.assignmentId;
    await http().post(`/api/v1/assignments/${assignmentId}/submissions`).set(ann.auth).send({ text: 'Roses' }).expect(201);
    await http().post(`/api/v1/courses/${courseA}/gradebook`).set(teacher.auth).send({}).expect(201);
  });

  it('the learner, their parent, the course staff and the school admin read the learner’s attempt, submission and grades', async () => {
    for (const who of [ann, annsParent, teacher, grader, schoolAdmin]) {
      await http().get(`/api/v1/attempts/${attemptId}`).set(who.auth).expect(200);
      await http().get(`/api/v1/assignments/${assignmentId}/submissions/${ann.userId}`).set(who.auth).expect(200);
      await http().get(`/api/v1/courses/${courseA}/grades/${ann.userId}`).set(who.auth).expect(200);
      await http().get(`/api/v1/courses/${courseA}/completion/${ann.userId}`).set(who.auth).expect(200);
    }
  });

  it.each([
    ['another learner', () => ben],
    ['a teacher of another course', () => otherTeacher],
    ['an unlinked parent', () => strangerParent],
  ])('%s is refused (403) and nothing is appended', async (_, who) => {
    await refused(() => http().get(`/api/v1/attempts/${attemptId}`).set(who().auth), 403, 'FORBIDDEN');
    await refused(() => http().get(`/api/v1/assignments/${assignmentId}/submissions/${ann.userId}`).set(who().auth), 403, 'FORBIDDEN');
    await refused(() => http().get(`/api/v1/courses/${courseA}/grades/${ann.userId}`).set(who().auth), 403, 'FORBIDDEN');
    await refused(() => http().get(`/api/v1/courses/${courseA}/completion/${ann.userId}`).set(who().auth), 403, 'FORBIDDEN');
    await refused(() => http().get(`/api/v1/courses/${courseA}/grades`).set(who().auth), 403, 'FORBIDDEN');
    await refused(() => http().post(`/api/v1/assignments/${assignmentId}/submissions/${ann.userId}/grade`).set(who().auth).send({ grade: 1 }), 403, 'FORBIDDEN');
  });

  it('a teacher of another course cannot touch course A, nor course A’s teacher course B', async () => {
    await refused(() => http().post(`/api/v1/courses/${courseA}/quizzes`).set(otherTeacher.auth).send({ title: 'X', attemptsAllowed: 1, gradingMethod: 'last', maxGrade: 10 }), 403, 'FORBIDDEN');
    await refused(() => http().get(`/api/v1/courses/${courseB}/grades`).set(teacher.auth), 403, 'FORBIDDEN');
  });

  it('anonymous callers get 401', async () => {
    for (const path of [`/api/v1/attempts/${attemptId}`, `/api/v1/courses/${courseA}/grades`, `/api/v1/courses/${courseA}/grades/${ann.userId}`, `/api/v1/courses/${courseA}/completion`]) {
      const res = await http().get(path).expect(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
    await http().post(`/api/v1/courses/${courseA}/quizzes`).send({}).expect(401);
  });
});

describe('the read models', () => {
  it('took every event: none was parked by a projection', async () => {
    const parked = await db.query('SELECT projection, event_type, error FROM projection_dead_letters');
    expect(parked.rows).toEqual([]);
  });
});
