/**
 * The LMS over GraphQL (POST /graphql): a teacher builds a course, enrols two
 * learners, sets a quiz that a learner attempts, submits and gets graded;
 * grades are read by the learner (released only) and the teacher; an
 * assignment is handed in and graded; completion, the course log and the
 * usage report are read. Reads append the same read events as REST (the same
 * queries run). Refusals and rule violations carry REST's stable codes in
 * `extensions.code`; bad input is VALIDATION_FAILED. The school, its staff
 * and its learners are set up over REST (the identity and affiliations
 * GraphQL API has its own test).
 */
import pg from 'pg';
import request from 'supertest';
import { EVENT_STORE, type EventStore } from '../../libs/event-store/src';
import { ProjectionRunner } from '../../libs/projections/src';
import { createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;

interface GraphqlError {
  message: string;
  path?: string[];
  extensions: { code: string; status: number; details?: { field: string; message: string }[] };
}

/** Posts one operation; `as` signs it with that session's access token. */
async function gql(query: string, variables: Record<string, unknown> = {}, as?: Session) {
  const req = request(t.app.getHttpServer()).post('/graphql');
  if (as) req.set('Authorization', `Bearer ${as.accessToken}`);
  const res = await req.send({ query, variables });
  return { status: res.status, data: res.body.data as Record<string, unknown> | null | undefined, errors: (res.body.errors ?? []) as GraphqlError[] };
}

/** The field's data, failing the test with the errors when there are any. */
async function ok<T = unknown>(query: string, variables: Record<string, unknown>, as: Session): Promise<T> {
  const res = await gql(query, variables, as);
  expect(res.errors).toEqual([]);
  return Object.values(res.data!)[0] as T;
}

/** The one error of a refused field: its path and extensions (the field itself is null). */
async function refused(query: string, variables: Record<string, unknown>, as?: Session) {
  const res = await gql(query, variables, as);
  expect(res.status).toBe(200);
  expect(Object.values(res.data ?? {})).toEqual([null]);
  expect(res.errors).toHaveLength(1);
  return res.errors[0].extensions;
}

/** Waits until every projection has applied every event appended so far. */
async function settle(): Promise<void> {
  const head = await t.app.get<EventStore>(EVENT_STORE).headPosition();
  if (head) await t.app.get(ProjectionRunner).waitFor(head, 120_000);
}

/** The events `actor` appends while `work` runs: their types and data. */
async function eventsDuring(actor: Session, work: () => Promise<unknown>): Promise<{ type: string; data: unknown }[]> {
  const { rows: [{ head }] } = await db.query('SELECT coalesce(max(global_position), 0)::bigint AS head FROM events');
  await work();
  const { rows } = await db.query(
    `SELECT event_type, data FROM events WHERE global_position > $1 AND metadata->>'actorId' = $2 ORDER BY global_position`,
    [head, actor.userId],
  );
  return rows.map((r) => ({ type: r.event_type, data: r.data }));
}

let admin: Session;
let teacher: Session;
let learner1: Session;
let learner2: Session;
let outsider: Session;
let courseId: string;
let sectionId: string;
let quiz: { quizId: string; questions: { questionId: string; kind: string }[] };
let itemId: string;

const TRUE_FALSE = { kind: 'true_false', text: 'Every square is a rectangle.', points: 1, skills: ['logic'], correct: true };
const SINGLE = { kind: 'multiple_choice_single', text: '0.5 is', points: 1, skills: ['fractions'], choices: [{ id: 'a', text: '1/3' }, { id: 'b', text: '1/2' }], correct: 'b' };
const MULTI = {
  kind: 'multiple_choice_multi',
  text: 'Even numbers?',
  points: 2,
  skills: ['numbers'],
  choices: [{ id: 'a', text: '2' }, { id: 'b', text: '4' }, { id: 'c', text: '5' }],
  correct: ['a', 'b'],
};
const NUMERIC = { kind: 'numeric', text: 'Pi to two decimals?', points: 1, skills: ['geometry'], answer: 3.14, tolerance: 0.01 };

const QUESTION_FIELDS = `__typename questionId kind text points
  ... on TrueFalseQuestion { correct }
  ... on MultipleChoiceSingleQuestion { choices { id text } correctChoice }
  ... on MultipleChoiceMultiQuestion { choices { id } correctChoices }
  ... on NumericQuestion { answer tolerance }`;

const COURSE = `query ($id: ID!) { course(id: $id) { courseId title viewer { role enrolled teaches } sections { sectionId title resources { resourceId kind title visible } } } }`;
const ENROL = `mutation ($c: ID!, $input: EnrolInput!) { enrol(courseId: $c, input: $input) { courseId learnerId enrolmentId } }`;
const START = `mutation ($q: ID!) { startAttempt(quizId: $q) { attemptId attemptNumber deadline closedOverdue } }`;
const LEARNER_GRADES = `query ($c: ID!, $l: ID!, $final: Boolean) { learnerGrades(courseId: $c, learnerId: $l, final: $final) {
  courseId learnerId final releasedOnly items { itemId grade percentage released } total { percentage letter passed hidden } } }`;

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  admin = await signInAdmin(t);
  const school = await createSchool(t, admin, 'GraphQL LMS School');
  const schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  [teacher, learner1, learner2] = await Promise.all([
    openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher' }),
    openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', displayName: 'Learner One' }),
    openAccount(t, schoolAdmin, { schoolId: school, role: 'learner', displayName: 'Learner Two' }),
  ]);
  outsider = await openAccount(t, admin, { schoolId: await createSchool(t, admin, 'Elsewhere'), role: 'teacher' });
}, 120_000);

afterAll(async () => {
  await db.end();
  await t.close();
});

describe('a course over GraphQL', () => {
  it('lets a teacher create a course, add a section and resources, and read it', async () => {
    const created = await ok<{ courseId: string }>(
      `mutation ($input: CreateCourseInput!) { createCourse(input: $input) { courseId } }`,
      { input: { schoolId: (await schoolOf(teacher)), title: 'Algebra', code: 'ALG-1', subject: 'Mathematics', selfEnrolment: { enabled: false } } },
      teacher,
    );
    courseId = created.courseId;
    const section = await ok<{ sectionId: string }>(`mutation ($c: ID!) { addSection(courseId: $c, input: { title: "Week 1" }) { courseId sectionId changed } }`, { c: courseId }, teacher);
    expect(section).toMatchObject({ courseId, sectionId: expect.any(String), changed: true });
    sectionId = section.sectionId;

    const ADD = `mutation ($c: ID!, $input: AddResourceInput!) { addResource(courseId: $c, input: $input) { resourceId } }`;
    const page = await ok<{ resourceId: string }>(ADD, { c: courseId, input: { sectionId, kind: 'page', title: 'Welcome', content: { body: '<p>Hello</p>' } } }, teacher);
    const draft = await ok<{ resourceId: string }>(ADD, { c: courseId, input: { sectionId, kind: 'url', title: 'Draft link', content: { url: 'https://example.com' } } }, teacher);
    const hidden = await ok(`mutation ($c: ID!, $r: ID!) { setResourceVisibility(courseId: $c, resourceId: $r, visible: false) { changed } }`, { c: courseId, r: draft.resourceId }, teacher);
    expect(hidden).toEqual({ changed: true });
    expect(await ok(`mutation ($c: ID!) { updateCourse(courseId: $c, input: { summary: "Linear equations" }) { changed } }`, { c: courseId }, teacher)).toEqual({ changed: true });

    const course = await ok(COURSE, { id: courseId }, teacher);
    expect(course).toEqual({
      courseId,
      title: 'Algebra',
      viewer: { role: 'teacher', enrolled: false, teaches: true },
      sections: [
        {
          sectionId,
          title: 'Week 1',
          resources: [
            { resourceId: page.resourceId, kind: 'page', title: 'Welcome', visible: true },
            { resourceId: draft.resourceId, kind: 'url', title: 'Draft link', visible: false },
          ],
        },
      ],
    });
    const listed = await ok(`{ courses(mine: true) { courseId code summary viewer { role enrolled } } }`, {}, teacher);
    expect(listed).toEqual([{ courseId, code: 'ALG-1', summary: 'Linear equations', viewer: { role: 'teacher', enrolled: false } }]);
  });

  it('enrols learners one at a time and in bulk; enrolling twice is ENROLMENT_EXISTS', async () => {
    const one = await ok(ENROL, { c: courseId, input: { learnerId: learner1.userId } }, teacher);
    expect(one).toEqual({ courseId, learnerId: learner1.userId, enrolmentId: expect.any(String) });

    const again = await refused(ENROL, { c: courseId, input: { learnerId: learner1.userId } }, teacher);
    expect(again).toMatchObject({ code: 'ENROLMENT_EXISTS', status: 409 });

    const bulk = await ok(
      `mutation ($c: ID!, $input: BulkEnrolInput!) { bulkEnrol(courseId: $c, input: $input) { enrolled alreadyEnrolled refused results { learnerId status } } }`,
      { c: courseId, input: { learnerIds: [learner1.userId, learner2.userId] } },
      teacher,
    );
    expect(bulk).toEqual({
      enrolled: 1,
      alreadyEnrolled: 1,
      refused: 0,
      results: [
        { learnerId: learner1.userId, status: 'already_enrolled' },
        { learnerId: learner2.userId, status: 'enrolled' },
      ],
    });
    const participants = await ok(`query ($c: ID!) { enrolments(courseId: $c) { learnerId displayName status method } }`, { c: courseId }, teacher);
    expect(participants).toEqual([
      { learnerId: learner1.userId, displayName: 'Learner One', status: 'active', method: 'manual' },
      { learnerId: learner2.userId, displayName: 'Learner Two', status: 'active', method: 'bulk' },
    ]);
    expect(await refused(`query ($c: ID!) { enrolments(courseId: $c) { learnerId } }`, { c: courseId }, learner1)).toMatchObject({ code: 'FORBIDDEN', status: 403 });
  });

  it('shows a learner the visible resources only, and records CourseViewed as REST does', async () => {
    const viaGraphql = await eventsDuring(learner1, async () => {
      const course = await ok<{ viewer: unknown; sections: { resources: { title: string }[] }[] }>(COURSE, { id: courseId }, learner1);
      expect(course.viewer).toEqual({ role: null, enrolled: true, teaches: false });
      expect(course.sections[0].resources.map((r: { title: string }) => r.title)).toEqual(['Welcome']);
    });
    const viaRest = await eventsDuring(learner1, () => request(t.app.getHttpServer()).get(`/api/v1/courses/${courseId}`).set(learner1.auth).expect(200));
    expect(viaGraphql).toEqual([{ type: 'CourseViewed', data: { courseId, userId: learner1.userId } }]);
    expect(viaGraphql).toEqual(viaRest);

    expect(await refused(COURSE, { id: courseId }, outsider)).toMatchObject({ code: 'FORBIDDEN', status: 403 });
  });
});

describe('a quiz over GraphQL', () => {
  it('lets the teacher create a quiz with its questions, shown whole to the staff', async () => {
    quiz = await ok(
      `mutation ($c: ID!, $input: CreateQuizInput!) { createQuiz(courseId: $c, input: $input) { quizId courseId attemptsAllowed gradingMethod maxGrade passGrade questions { ${QUESTION_FIELDS} } } }`,
      { c: courseId, input: { title: 'Warm-up', attemptsAllowed: 1, gradingMethod: 'highest', maxGrade: 10, passGrade: 5, questions: [TRUE_FALSE, SINGLE, MULTI, NUMERIC] } },
      teacher,
    );
    expect(quiz).toMatchObject({ courseId, attemptsAllowed: 1, gradingMethod: 'highest', maxGrade: 10, passGrade: 5 });
    expect(quiz.questions).toEqual([
      { __typename: 'TrueFalseQuestion', questionId: expect.any(String), kind: 'true_false', text: TRUE_FALSE.text, points: 1, correct: true },
      { __typename: 'MultipleChoiceSingleQuestion', questionId: expect.any(String), kind: 'multiple_choice_single', text: '0.5 is', points: 1, choices: SINGLE.choices, correctChoice: 'b' },
      { __typename: 'MultipleChoiceMultiQuestion', questionId: expect.any(String), kind: 'multiple_choice_multi', text: 'Even numbers?', points: 2, choices: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], correctChoices: ['a', 'b'] },
      { __typename: 'NumericQuestion', questionId: expect.any(String), kind: 'numeric', text: NUMERIC.text, points: 1, answer: 3.14, tolerance: 0.01 },
    ]);
  });

  it('gives a learner the quiz without its right answers (the query REST uses)', async () => {
    const seen = await ok<{ questions: (Record<string, unknown> & { choices?: unknown })[] }>(`query ($id: ID!) { quiz(id: $id) { quizId questions { ${QUESTION_FIELDS} } } }`, { id: quiz.quizId }, learner1);
    expect(seen.questions.map((q: Record<string, unknown>) => [q.correct, q.correctChoice, q.correctChoices, q.answer, q.tolerance])).toEqual([
      [null, undefined, undefined, undefined, undefined],
      [undefined, null, undefined, undefined, undefined],
      [undefined, undefined, null, undefined, undefined],
      [undefined, undefined, undefined, null, null],
    ]);
    expect(seen.questions[1].choices).toEqual(SINGLE.choices);
    const rest = await request(t.app.getHttpServer()).get(`/api/v1/quizzes/${quiz.quizId}`).set(learner1.auth).expect(200);
    expect(rest.body.questions[1]).not.toHaveProperty('correct');
  });

  it('lets the learner start, answer and submit an attempt, graded at once; a second attempt is NO_ATTEMPTS_LEFT', async () => {
    const started = await ok<{ attemptId: string }>(START, { q: quiz.quizId }, learner1);
    expect(started).toEqual({ attemptId: expect.any(String), attemptNumber: 1, deadline: null, closedOverdue: [] });
    const [tf, single, multi, numeric] = quiz.questions.map((q) => q.questionId);
    const saved = await ok(
      `mutation ($a: ID!, $input: SaveAnswersInput!) { saveAnswers(attemptId: $a, input: $input) { attemptId saved } }`,
      { a: started.attemptId, input: { answers: [{ questionId: tf, answer: true }, { questionId: single, answer: 'b' }, { questionId: multi, answer: ['a'] }, { questionId: numeric, answer: 2.71 }] } },
      learner1,
    );
    expect(saved).toEqual({ attemptId: started.attemptId, saved: [tf, single, multi, numeric] });

    // 1 + 1 + half of 2 + 0 = 3 of 5 points → 6 of 10, passed (5).
    const submitted = await ok(`mutation ($a: ID!) { submitAttempt(attemptId: $a) { attemptNumber automatic totalScore totalPoints grade maxGrade passed } }`, { a: started.attemptId }, learner1);
    expect(submitted).toEqual({ attemptNumber: 1, automatic: false, totalScore: 3, totalPoints: 5, grade: 6, maxGrade: 10, passed: true });

    const review = await eventsDuring(learner1, async () => {
      const attempt = await ok<{ results: unknown; questions: unknown[] }>(
        `query ($id: ID!) { attempt(id: $id) { status answers grade passed results { questionId score correct partial } questions { ... on TrueFalseQuestion { correct } } } }`,
        { id: started.attemptId },
        learner1,
      );
      expect(attempt).toMatchObject({ status: 'submitted', grade: 6, passed: true, answers: { [tf]: true, [single]: 'b', [multi]: ['a'], [numeric]: 2.71 } });
      expect(attempt.results).toEqual([
        { questionId: tf, score: 1, correct: true, partial: false },
        { questionId: single, score: 1, correct: true, partial: false },
        { questionId: multi, score: 1, correct: false, partial: true },
        { questionId: numeric, score: 0, correct: false, partial: false },
      ]);
      // Once submitted, the learner sees the right answers.
      expect(attempt.questions[0]).toEqual({ correct: true });
    });
    expect(review.map((e) => e.type)).toEqual(['AttemptReviewed']);

    expect(await refused(START, { q: quiz.quizId }, learner1)).toMatchObject({ code: 'NO_ATTEMPTS_LEFT', status: 422 });
    const attempts = await ok(`query ($q: ID!) { attempts(quizId: $q) { learnerId attemptNumber status grade } }`, { q: quiz.quizId }, teacher);
    expect(attempts).toEqual([{ learnerId: learner1.userId, attemptNumber: 1, status: 'submitted', grade: 6 }]);
  });
});

describe('grades over GraphQL', () => {
  it('lets the teacher set up the gradebook, add the quiz as an item and release it', async () => {
    const setUp = await ok<{ letterScale: unknown[] }>(`mutation ($c: ID!) { setUpGradebook(courseId: $c) { passPercentage letterScale { letter minPercentage } changed } }`, { c: courseId }, teacher);
    expect(setUp).toMatchObject({ passPercentage: 50, changed: true });
    expect(setUp.letterScale[0]).toEqual({ letter: 'A', minPercentage: 80 });

    const added = await ok<{ createdId: string; items: unknown[] }>(
      `mutation ($c: ID!, $input: AddGradeItemInput!) { addGradeItem(courseId: $c, input: $input) { createdId items { itemId name source { kind id } maxGrade weight released } } }`,
      { c: courseId, input: { source: { kind: 'quiz', id: quiz.quizId } } },
      teacher,
    );
    itemId = added.createdId;
    expect(added.items).toEqual([{ itemId, name: 'Warm-up', source: { kind: 'quiz', id: quiz.quizId }, maxGrade: 10, weight: 1, released: false }]);

    const released = await ok<{ items: unknown[] }>(`mutation ($c: ID!) { releaseGrades(courseId: $c) { items { released } } }`, { c: courseId }, teacher);
    expect(released.items).toEqual([{ released: true }]);
    expect(await ok(`query ($c: ID!) { gradebook(courseId: $c) { courseId items { itemId } } }`, { c: courseId }, teacher)).toEqual({ courseId, items: [{ itemId }] });
  });

  it('shows the learner their released grades, and records GradesViewed as REST does', async () => {
    let own: unknown;
    const viaGraphql = await eventsDuring(learner1, async () => {
      own = await ok(LEARNER_GRADES, { c: courseId, l: learner1.userId }, learner1);
    });
    expect(own).toEqual({
      courseId,
      learnerId: learner1.userId,
      final: false,
      releasedOnly: true,
      items: [{ itemId, grade: 6, percentage: 60, released: true }],
      total: { percentage: 60, letter: 'C', passed: true, hidden: false },
    });
    const viaRest = await eventsDuring(learner1, () => request(t.app.getHttpServer()).get(`/api/v1/courses/${courseId}/grades/${learner1.userId}`).set(learner1.auth).expect(200));
    expect(viaGraphql).toEqual([{ type: 'GradesViewed', data: { courseId, learnerId: learner1.userId, final: false } }]);
    expect(viaGraphql).toEqual(viaRest);
  });

  it("refuses a learner another learner's grades (FORBIDDEN), and the course's grades", async () => {
    expect(await refused(LEARNER_GRADES, { c: courseId, l: learner2.userId }, learner1)).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect(await refused(`query ($c: ID!) { courseGrades(courseId: $c) { final } }`, { c: courseId }, learner1)).toMatchObject({ code: 'FORBIDDEN' });
  });

  it("shows the teacher every learner's grades, so far and final, and lets them override", async () => {
    const COURSE_GRADES = `query ($c: ID!, $final: Boolean) { courseGrades(courseId: $c, final: $final) { final items { itemId } learners { learnerId items { grade } total { percentage letter passed overridden hidden } } } }`;
    const soFar = await ok(COURSE_GRADES, { c: courseId }, teacher);
    expect(soFar).toEqual({
      final: false,
      items: [{ itemId }],
      learners: [
        { learnerId: learner1.userId, items: [{ grade: 6 }], total: { percentage: 60, letter: 'C', passed: true, overridden: false, hidden: null } },
        { learnerId: learner2.userId, items: [{ grade: null }], total: { percentage: null, letter: null, passed: null, overridden: false, hidden: null } },
      ],
    });
    const final = await ok<{ learners: { total: unknown }[] }>(COURSE_GRADES, { c: courseId, final: true }, teacher);
    expect(final.learners[1].total).toEqual({ percentage: 0, letter: 'F', passed: false, overridden: false, hidden: null });

    const OVERRIDE = `mutation ($c: ID!, $l: ID!, $i: ID, $input: OverrideInput!) { overrideGrade(courseId: $c, learnerId: $l, itemId: $i, input: $input) { changed } }`;
    expect(await ok(OVERRIDE, { c: courseId, l: learner2.userId, i: itemId, input: { grade: 4, reason: 'Sat the quiz on paper' } }, teacher)).toEqual({ changed: true });
    const two = await ok(LEARNER_GRADES, { c: courseId, l: learner2.userId }, teacher);
    expect(two).toMatchObject({ releasedOnly: false, items: [{ grade: 4, percentage: 40 }], total: { percentage: 40, letter: 'F', passed: false, hidden: null } });
  });

  it('reads completion for the course (teacher) and for one learner (the learner)', async () => {
    const all = await ok(`query ($c: ID!) { completion(courseId: $c) { rules { courseId activities { activityId } criteria { requireEveryActivity } } learners { learnerId courseCompleted progress { completed required percentage } } } }`, { c: courseId }, teacher);
    expect(all).toEqual({
      rules: { courseId, activities: [], criteria: null },
      learners: [
        { learnerId: learner1.userId, courseCompleted: false, progress: { completed: 0, required: 0, percentage: null } },
        { learnerId: learner2.userId, courseCompleted: false, progress: { completed: 0, required: 0, percentage: null } },
      ],
    });
    const own = await ok(`query ($c: ID!, $l: ID!) { learnerCompletion(courseId: $c, learnerId: $l) { courseId learnerId activities { activityId } courseCompleted } }`, { c: courseId, l: learner1.userId }, learner1);
    expect(own).toEqual({ courseId, learnerId: learner1.userId, activities: [], courseCompleted: false });
  });
});

describe('an assignment over GraphQL', () => {
  it('is set, handed in by a learner, listed and graded by the teacher', async () => {
    const assignment = await ok<{ assignmentId: string }>(
      `mutation ($c: ID!, $input: CreateAssignmentInput!) { createAssignment(courseId: $c, input: $input) { assignmentId courseId title submissionTypes maxGrade } }`,
      { c: courseId, input: { title: 'Essay', submissionTypes: ['text'], maxGrade: 100, passGrade: 50 } },
      teacher,
    );
    expect(assignment).toMatchObject({ courseId, title: 'Essay', submissionTypes: ['text'], maxGrade: 100 });
    const { assignmentId } = assignment;
    expect(await ok(`query ($id: ID!) { assignment(id: $id) { title } }`, { id: assignmentId }, learner2)).toEqual({ title: 'Essay' });

    const handedIn = await ok(`mutation ($a: ID!, $input: SubmitAssignmentInput!) { submitAssignment(assignmentId: $a, input: $input) { learnerId submissionNumber late } }`, { a: assignmentId, input: { text: 'My essay' } }, learner2);
    expect(handedIn).toEqual({ learnerId: learner2.userId, submissionNumber: 1, late: false });
    const listed = await ok(`query ($a: ID!) { submissions(assignmentId: $a) { learnerId status text } }`, { a: assignmentId }, teacher);
    expect(listed).toEqual([{ learnerId: learner2.userId, status: 'submitted', text: 'My essay' }]);

    const graded = await ok(
      `mutation ($a: ID!, $l: ID!, $input: GradeInput!) { gradeSubmission(assignmentId: $a, learnerId: $l, input: $input) { grade maxGrade passed previousGrade hasSubmission } }`,
      { a: assignmentId, l: learner2.userId, input: { grade: 72.5, feedback: 'Well argued' } },
      teacher,
    );
    expect(graded).toEqual({ grade: 72.5, maxGrade: 100, passed: true, previousGrade: null, hasSubmission: true });
    const tooHigh = await refused(`mutation ($a: ID!, $l: ID!) { gradeSubmission(assignmentId: $a, learnerId: $l, input: { grade: 101 }) { grade } }`, { a: assignmentId, l: learner2.userId }, teacher);
    expect(tooHigh).toMatchObject({ code: 'GRADE_OUT_OF_RANGE', status: 400 });
  });
});

describe('reports over GraphQL', () => {
  it("gives the teacher the course log, filtered and paged, and refuses it to a learner", async () => {
    await settle();
    const LOG = `query ($c: ID!, $filter: CourseLogFilter, $limit: Int, $cursor: String) { courseLog(courseId: $c, filter: $filter, limit: $limit, cursor: $cursor) {
      courseId nextCursor rows { eventType action crud origin object { type id } actor { userId displayName } } } }`;
    const views = await ok<{ rows: unknown[] }>(LOG, { c: courseId, filter: { eventType: 'CourseViewed', user: learner1.userId } }, teacher);
    expect(views.rows).toEqual([
      { eventType: 'CourseViewed', action: 'viewed', crud: 'r', origin: 'web', object: { type: 'course', id: courseId }, actor: { userId: learner1.userId, displayName: 'Learner One' } },
      { eventType: 'CourseViewed', action: 'viewed', crud: 'r', origin: 'web', object: { type: 'course', id: courseId }, actor: { userId: learner1.userId, displayName: 'Learner One' } },
    ]);
    const first = await ok<{ rows: unknown[]; nextCursor: string | null }>(LOG, { c: courseId, filter: { crud: 'c' }, limit: 1 }, teacher);
    expect(first.rows).toHaveLength(1);
    const second = await ok<{ rows: unknown[] }>(LOG, { c: courseId, filter: { crud: 'c' }, limit: 1, cursor: first.nextCursor }, teacher);
    expect(second.rows).toHaveLength(1);
    expect(second.rows[0]).not.toEqual(first.rows[0]);

    expect(await refused(LOG, { c: courseId }, learner1)).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    const badFilter = await refused(LOG, { c: courseId, filter: { crud: 'x' } }, teacher);
    expect(badFilter).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'crud', message: expect.any(String) }] });
  });

  it('gives platform admins the usage report, and refuses it to a teacher', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const USAGE = `query ($from: String, $to: String) { usage(from: $from, to: $to, granularity: day, by: role) {
      from to granularity by minCellSize periods { period activeUsers { total { people events suppressed } } contentAccess { courseViews { people views suppressed } } } } }`;
    const report = await ok<{ periods: { period: string }[] }>(USAGE, { from: today, to: today }, admin);
    expect(report).toMatchObject({ from: today, to: today, granularity: 'day', by: 'role', minCellSize: expect.any(Number) });
    expect(report.periods).toHaveLength(1);
    expect(report.periods[0].period).toBe(today);
    expect(await refused(USAGE, {}, teacher)).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect(await refused(USAGE, { from: today, to: '2000-01-01' }, admin)).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
  });
});

describe('sign-in and input', () => {
  it('answers anonymous reads and writes with UNAUTHENTICATED', async () => {
    expect(await refused(`{ courses { courseId } }`, {})).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect(await refused(LEARNER_GRADES, { c: courseId, l: learner1.userId })).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect(await refused(START, { q: quiz.quizId })).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  });

  it('validates input with the REST rules: VALIDATION_FAILED naming the field', async () => {
    const enrol = await refused(ENROL, { c: courseId, input: { learnerId: 'not-a-uuid' } }, teacher);
    expect(enrol).toMatchObject({ code: 'VALIDATION_FAILED', status: 400, details: [{ field: 'learnerId', message: expect.any(String) }] });

    const id = await refused(COURSE, { id: 'not-a-uuid' }, teacher);
    expect(id).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'id', message: 'must be a UUID' }] });

    const page = await refused(`{ courses(limit: 1000) { courseId } }`, {}, teacher);
    expect(page).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'limit', message: expect.any(String) }] });

    const quizInput = await refused(
      `mutation ($c: ID!, $input: CreateQuizInput!) { createQuiz(courseId: $c, input: $input) { quizId } }`,
      { c: courseId, input: { title: '', attemptsAllowed: -1, gradingMethod: 'last', maxGrade: 10 } },
      teacher,
    );
    expect(quizInput.code).toBe('VALIDATION_FAILED');
    expect(quizInput.details!.map((d) => d.field).sort()).toEqual(['attemptsAllowed', 'title']);

    // A value outside an enum does not fit the schema: 400 before any resolver runs.
    const wrongEnum = await gql(`mutation ($c: ID!) { createQuiz(courseId: $c, input: { title: "Q", attemptsAllowed: 1, gradingMethod: best, maxGrade: 10 }) { quizId } }`, { c: courseId }, teacher);
    expect(wrongEnum.status).toBe(400);
    expect(wrongEnum.errors[0].extensions.code).toBe('VALIDATION_FAILED');
  });

  it('adds questions to a quiz; the decider\'s rules answer with their codes (QUESTION_INVALID, QUIZ_HAS_ATTEMPTS)', async () => {
    const created = await ok<{ quizId: string; questions: unknown[] }>(`mutation ($c: ID!) { createQuiz(courseId: $c, input: { title: "Draft", attemptsAllowed: 0, gradingMethod: last, maxGrade: 10 }) { quizId questions { questionId } } }`, { c: courseId }, teacher);
    expect(created.questions).toEqual([]);
    const ADD = `mutation ($q: ID!, $input: QuestionInput!) { addQuestion(quizId: $q, input: $input) { questions { ${QUESTION_FIELDS} } } }`;
    const unknownKind = await refused(ADD, { q: created.quizId, input: { question: { kind: 'essay', text: 'Why?', points: 1, skills: ['writing'] } } }, teacher);
    expect(unknownKind).toMatchObject({ code: 'QUESTION_INVALID', status: 400 });
    const added = await ok<{ questions: unknown[] }>(ADD, { q: created.quizId, input: { question: SINGLE } }, teacher);
    expect(added.questions).toEqual([{ __typename: 'MultipleChoiceSingleQuestion', questionId: expect.any(String), kind: 'multiple_choice_single', text: '0.5 is', points: 1, choices: SINGLE.choices, correctChoice: 'b' }]);
    // The warm-up quiz has an attempt: its questions are frozen.
    expect(await refused(ADD, { q: quiz.quizId, input: { question: TRUE_FALSE } }, teacher)).toMatchObject({ code: 'QUIZ_HAS_ATTEMPTS', status: 422 });
  });
});

/** The school a staff member belongs to, read through GraphQL's `me`. */
async function schoolOf(who: Session): Promise<string> {
  const me = await ok<{ memberships: { schoolId: string }[] }>(`{ me { memberships { schoolId } } }`, {}, who);
  return me.memberships[0].schoolId;
}
