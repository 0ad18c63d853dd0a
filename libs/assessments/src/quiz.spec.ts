import { spec } from '../../domain/src/testing/given-when-then';
import { quizDecider, quizGradingOf, quizSnapshotOf, type CreateQuiz, type QuizCommand } from './quiz';
import type { Question } from './question';
import type { QuizCreated, QuizEvent } from './quiz.events';
import { failureOf } from './testing/errors';
import { multi, single, trueFalse } from './testing/sample-questions';

const quizId = '11111111-1111-4111-8111-111111111111';
const courseId = '22222222-2222-4222-8222-222222222222';
const teacher = '33333333-3333-4333-8333-333333333333';
const now = '2025-03-01T08:00:00.000Z';

const create: CreateQuiz = {
  type: 'CreateQuiz',
  quizId,
  courseId,
  title: 'Numbers, week 1',
  opensAt: '2025-03-10T08:00:00.000Z',
  closesAt: '2025-03-17T08:00:00.000Z',
  timeLimitSeconds: 1800,
  attemptsAllowed: 2,
  gradingMethod: 'highest',
  maxGrade: 10,
  passGrade: 5,
  now,
  by: teacher,
};

const created: QuizCreated = {
  type: 'QuizCreated',
  data: {
    quizId,
    courseId,
    title: 'Numbers, week 1',
    opensAt: '2025-03-10T08:00:00.000Z',
    closesAt: '2025-03-17T08:00:00.000Z',
    timeLimitSeconds: 1800,
    attemptsAllowed: 2,
    gradingMethod: 'highest',
    maxGrade: 10,
    passGrade: 5,
    by: teacher,
    at: now,
  },
};

const added = (question: Question): QuizEvent => ({ type: 'QuestionAdded', data: { quizId, courseId, question, by: teacher, at: now } });
const meta = { now, by: teacher };

function problemsOf(command: QuizCommand, ...given: QuizEvent[]): unknown {
  const error = failureOf(() => spec(quizDecider).given(...given).when(command).events());
  expect(error.code).toBe('QUIZ_INVALID');
  expect(error.kind).toBe('invalid');
  return error.details;
}

describe('quiz decider', () => {
  describe('CreateQuiz', () => {
    it('creates the quiz with its settings', () => {
      spec(quizDecider).given().when(create).then([created]);
    });

    it('leaves optional settings null: open at once, never closes, no time limit, no pass grade', () => {
      const { opensAt, closesAt, timeLimitSeconds, passGrade, ...required } = create;
      spec(quizDecider)
        .given()
        .when(required)
        .then([{ type: 'QuizCreated', data: { ...created.data, opensAt: null, closesAt: null, timeLimitSeconds: null, passGrade: null } }]);
    });

    it('takes 0 attempts as unlimited', () => {
      const [event] = spec(quizDecider).given().when({ ...create, attemptsAllowed: 0 }).events();
      expect(event.type === 'QuizCreated' && event.data.attemptsAllowed).toBe(0);
    });

    it('refuses to create a quiz twice', () => {
      spec(quizDecider).given(created).when(create).thenFails('QUIZ_EXISTS');
    });

    it.each([
      ['closesAt before opensAt', { closesAt: '2025-03-09T08:00:00.000Z' }, 'closesAt must be after opensAt'],
      ['closesAt equal to opensAt', { closesAt: '2025-03-10T08:00:00.000Z' }, 'closesAt must be after opensAt'],
      ['a fractional attempts allowed', { attemptsAllowed: 1.5 }, 'attemptsAllowed must be an integer ≥ 0'],
      ['negative attempts allowed', { attemptsAllowed: -1 }, 'attemptsAllowed must be an integer ≥ 0'],
      ['a zero time limit', { timeLimitSeconds: 0 }, 'timeLimitSeconds must be an integer ≥ 1'],
      ['an unknown grading method', { gradingMethod: 'best' }, 'gradingMethod must be one of highest, last, average, first'],
      ['a zero max grade', { maxGrade: 0 }, 'maxGrade must be a number > 0'],
      ['a pass grade above the max', { passGrade: 11 }, 'passGrade must not exceed maxGrade'],
      ['a blank title', { title: ' ' }, 'title must be a non-blank text of at most 200 characters'],
      ['an opening time that is not ISO UTC', { opensAt: '10/03/2025' }, 'opensAt must be an ISO-8601 UTC timestamp'],
      ['a course id that is not a UUID', { courseId: 'maths' }, 'courseId must be a UUID'],
    ])('refuses %s with QUIZ_INVALID', (_case, change, problem) => {
      expect(problemsOf({ ...create, ...change } as CreateQuiz)).toContain(problem);
    });

    it('lists every problem at once', () => {
      expect(problemsOf({ ...create, attemptsAllowed: -1, maxGrade: -1 })).toEqual(['attemptsAllowed must be an integer ≥ 0', 'maxGrade must be a number > 0']);
    });
  });

  describe('UpdateQuizSettings', () => {
    it('refuses an unknown quiz', () => {
      spec(quizDecider).given().when({ type: 'UpdateQuizSettings', quizId, title: 'x', ...meta }).thenFails('QUIZ_NOT_FOUND');
    });

    it('records only the settings that change', () => {
      spec(quizDecider)
        .given(created)
        .when({ type: 'UpdateQuizSettings', quizId, title: 'Numbers, week 1', attemptsAllowed: 3, passGrade: null, ...meta })
        .then([{ type: 'QuizSettingsUpdated', data: { quizId, courseId, changes: { attemptsAllowed: 3, passGrade: null }, by: teacher, at: now } }]);
    });

    it('decides nothing when nothing changes', () => {
      spec(quizDecider).given(created).when({ type: 'UpdateQuizSettings', quizId, maxGrade: 10, ...meta }).then([]);
    });

    it('checks the changes against the current settings', () => {
      const closesBeforeItOpens = { type: 'UpdateQuizSettings', quizId, closesAt: '2025-03-05T08:00:00.000Z', ...meta } as const;
      expect(problemsOf(closesBeforeItOpens, created)).toEqual(['closesAt must be after opensAt']);
      expect(problemsOf({ type: 'UpdateQuizSettings', quizId, maxGrade: 4, ...meta }, created)).toEqual(['passGrade must not exceed maxGrade']);
    });

    it('applies the changes to the state', () => {
      const changed = spec(quizDecider).given(created, {
        type: 'QuizSettingsUpdated',
        data: { quizId, courseId, changes: { opensAt: null, attemptsAllowed: 0 }, by: teacher, at: now },
      }).state;
      expect(quizSnapshotOf(changed)).toMatchObject({ opensAt: null, attemptsAllowed: 0, closesAt: created.data.closesAt });
    });
  });

  describe('AddQuestion', () => {
    const add = { type: 'AddQuestion', quizId, question: single, hasAttempts: false, ...meta } as const;

    it('adds a question', () => {
      spec(quizDecider).given(created).when(add).then([added(single)]);
    });

    it('refuses an unknown quiz', () => {
      spec(quizDecider).given().when(add).thenFails('QUIZ_NOT_FOUND');
    });

    it('refuses once the quiz has attempts', () => {
      spec(quizDecider).given(created).when({ ...add, hasAttempts: true }).thenFails('QUIZ_HAS_ATTEMPTS');
    });

    it('refuses a question already in the quiz', () => {
      spec(quizDecider).given(created, added(single)).when(add).thenFails('QUESTION_EXISTS');
    });

    it('refuses an invalid question with its problems', () => {
      const error = failureOf(() => spec(quizDecider).given(created).when({ ...add, question: { ...single, skills: [] } }).events());
      expect(error.code).toBe('QUESTION_INVALID');
      expect(error.kind).toBe('invalid');
      expect(error.details).toEqual(['question.skills must be a list of 1 to 10 items']);
    });
  });

  describe('UpdateQuestion', () => {
    const changed = { ...trueFalse, questionId: single.questionId };
    const update = { type: 'UpdateQuestion', quizId, question: changed, hasAttempts: false, ...meta } as const;

    it('replaces the question, even with another kind', () => {
      spec(quizDecider).given(created, added(single)).when(update).then([{ type: 'QuestionUpdated', data: { quizId, courseId, question: changed, by: teacher, at: now } }]);
    });

    it('refuses a question that is not in the quiz', () => {
      spec(quizDecider).given(created, added(multi)).when(update).thenFails('QUESTION_NOT_FOUND');
    });

    it('refuses once the quiz has attempts', () => {
      spec(quizDecider).given(created, added(single)).when({ ...update, hasAttempts: true }).thenFails('QUIZ_HAS_ATTEMPTS');
    });

    it('refuses an invalid question', () => {
      spec(quizDecider).given(created, added(single)).when({ ...update, question: { ...single, correct: 'z' } }).thenFails('QUESTION_INVALID');
    });
  });

  describe('RemoveQuestion', () => {
    const remove = { type: 'RemoveQuestion', quizId, questionId: single.questionId, hasAttempts: false, ...meta } as const;

    it('removes the question', () => {
      spec(quizDecider).given(created, added(single)).when(remove).then([{ type: 'QuestionRemoved', data: { quizId, courseId, questionId: single.questionId, by: teacher, at: now } }]);
    });

    it('refuses a question that is not in the quiz', () => {
      spec(quizDecider).given(created).when(remove).thenFails('QUESTION_NOT_FOUND');
    });

    it('refuses once the quiz has attempts', () => {
      spec(quizDecider).given(created, added(single)).when({ ...remove, hasAttempts: true }).thenFails('QUIZ_HAS_ATTEMPTS');
    });
  });

  describe('snapshots for attempts', () => {
    it('gives the questions in order, after updates and removals', () => {
      const replaced = { ...single, points: 3 };
      const { state } = spec(quizDecider).given(
        created,
        added(single),
        added(multi),
        added(trueFalse),
        { type: 'QuestionUpdated', data: { quizId, courseId, question: replaced, by: teacher, at: now } },
        { type: 'QuestionRemoved', data: { quizId, courseId, questionId: multi.questionId, by: teacher, at: now } },
      );
      expect(quizSnapshotOf(state)).toEqual({
        opensAt: '2025-03-10T08:00:00.000Z',
        closesAt: '2025-03-17T08:00:00.000Z',
        timeLimitSeconds: 1800,
        attemptsAllowed: 2,
        questionIds: [single.questionId, trueFalse.questionId],
      });
      expect(quizGradingOf(state)).toEqual({ questions: [replaced, trueFalse], maxGrade: 10, passGrade: 5 });
    });

    it('refuses a snapshot of an unknown quiz', () => {
      expect(failureOf(() => quizSnapshotOf(quizDecider.initialState())).code).toBe('QUIZ_NOT_FOUND');
    });
  });
});
