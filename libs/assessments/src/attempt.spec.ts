import { personal } from '@learnstream/personal-data';
import { spec } from '../../domain/src/testing/given-when-then';
import { attemptDecider, finalGrade, type QuizSnapshot, type StartAttempt } from './attempt';
import type { AttemptEvent, AttemptGraded, AttemptStarted } from './attempt.events';
import { failureOf } from './testing/errors';
import { ALL_QUESTIONS, multi, numeric, shortAnswer, single, trueFalse } from './testing/sample-questions';

const quizId = '11111111-1111-4111-8111-111111111111';
const courseId = '22222222-2222-4222-8222-222222222222';
const learnerId = '44444444-4444-4444-8444-444444444444';
const teacher = '33333333-3333-4333-8333-333333333333';
const A1 = 'aaaaaaaa-0000-4000-8000-000000000001';
const A2 = 'aaaaaaaa-0000-4000-8000-000000000002';
const A3 = 'aaaaaaaa-0000-4000-8000-000000000003';
const ids = (attemptId: string) => ({ attemptId, quizId, courseId, learnerId });

const quiz: QuizSnapshot = {
  opensAt: '2025-03-10T08:00:00.000Z',
  closesAt: '2025-03-17T08:00:00.000Z',
  timeLimitSeconds: 1800,
  attemptsAllowed: 2,
  questionIds: ALL_QUESTIONS.map((q) => q.questionId),
};
const grading = { questions: ALL_QUESTIONS, maxGrade: 10, passGrade: 5 };

const START = '2025-03-12T09:00:00.000Z';
const DEADLINE = '2025-03-12T09:30:00.000Z';
const IN_TIME = '2025-03-12T09:20:00.000Z';
const LATE = '2025-03-12T09:30:00.001Z';

const start = (attemptId = A1, now = START): StartAttempt => ({ type: 'StartAttempt', attemptId, quizId, courseId, learnerId, now, quiz, enrolled: true });

const started = (attemptId = A1, attemptNumber = 1, at = START, deadline: string | null = DEADLINE): AttemptStarted => ({
  type: 'AttemptStarted',
  data: { ...ids(attemptId), attemptNumber, questionIds: quiz.questionIds, deadline, at },
});

const saved = (attemptId: string, answers: { questionId: string; answer: unknown }[], at = START): AttemptEvent => ({
  type: 'AnswersSaved',
  data: { ...ids(attemptId), answers, at },
});

/** A finished attempt, as far as the state cares: submitted, then graded with `grade`. */
const finished = (attemptId: string, attemptNumber: number, grade: number): AttemptEvent[] => [
  { type: 'AttemptSubmitted', data: { ...ids(attemptId), attemptNumber, automatic: false, durationSeconds: 60, at: IN_TIME } },
  {
    type: 'AttemptGraded',
    data: { ...ids(attemptId), attemptNumber, questions: [], totalScore: 0, totalPoints: 7, grade, maxGrade: 10, passed: grade >= 5, at: IN_TIME },
  },
];

const someAnswers = [
  { questionId: single.questionId, answer: 'b' },
  { questionId: multi.questionId, answer: ['a'] },
  { questionId: trueFalse.questionId, answer: false },
  { questionId: shortAnswer.questionId, answer: ' bangkok' },
];

/** The grading of someAnswers: 1 + 1 (partial) + 0 + 1 + 0 (unanswered) = 3 of 7 points. */
const someAnswersGraded: Omit<AttemptGraded['data'], 'at'> = {
  ...ids(A1),
  attemptNumber: 1,
  questions: [
    { questionId: single.questionId, score: 1, points: 1, skills: ['fractions'], correct: true },
    { questionId: multi.questionId, score: 1, points: 2, skills: ['primes', 'number-sense'], correct: 'partial' },
    { questionId: trueFalse.questionId, score: 0, points: 1, skills: ['logic'], correct: false },
    { questionId: shortAnswer.questionId, score: 1, points: 1, skills: ['geography'], correct: true },
    { questionId: numeric.questionId, score: 0, points: 2, skills: ['geometry'], correct: false },
  ],
  totalScore: 3,
  totalPoints: 7,
  grade: 4.28571,
  maxGrade: 10,
  passed: false,
};

describe('attempt decider', () => {
  describe('StartAttempt', () => {
    it('starts attempt 1 with the deadline at start + time limit', () => {
      spec(attemptDecider).given().when(start()).then([started()]);
    });

    it('ends the attempt at closesAt when that comes before the time limit', () => {
      spec(attemptDecider)
        .given()
        .when(start(A1, '2025-03-17T07:50:00.000Z'))
        .then([started(A1, 1, '2025-03-17T07:50:00.000Z', '2025-03-17T08:00:00.000Z')]);
    });

    it('has no deadline without a time limit or a closing time', () => {
      const open: StartAttempt = { ...start(), quiz: { ...quiz, closesAt: null, timeLimitSeconds: null } };
      spec(attemptDecider).given().when(open).then([started(A1, 1, START, null)]);
    });

    it('numbers the next attempt after a finished one', () => {
      spec(attemptDecider)
        .given(started(), ...finished(A1, 1, 6))
        .when(start(A2, IN_TIME))
        .then([started(A2, 2, IN_TIME, '2025-03-12T09:50:00.000Z')]);
    });

    it('refuses a learner who is not enrolled', () => {
      spec(attemptDecider).given().when({ ...start(), enrolled: false }).thenFails('NOT_ENROLLED');
      expect(failureOf(() => spec(attemptDecider).given().when({ ...start(), enrolled: false }).events()).kind).toBe('forbidden');
    });

    it('refuses a quiz without questions', () => {
      spec(attemptDecider).given().when({ ...start(), quiz: { ...quiz, questionIds: [] } }).thenFails('QUIZ_EMPTY');
    });

    it('refuses before opensAt and accepts at opensAt', () => {
      spec(attemptDecider).given().when(start(A1, '2025-03-10T07:59:59.999Z')).thenFails('QUIZ_NOT_OPEN');
      expect(spec(attemptDecider).given().when(start(A1, '2025-03-10T08:00:00.000Z')).events()).toHaveLength(1);
    });

    it('refuses after closesAt and accepts at closesAt', () => {
      spec(attemptDecider).given().when(start(A1, '2025-03-17T08:00:00.001Z')).thenFails('QUIZ_CLOSED');
      expect(spec(attemptDecider).given().when(start(A1, '2025-03-17T08:00:00.000Z')).events()).toHaveLength(1);
    });

    it('refuses while an attempt is in progress, naming it and whether it is overdue', () => {
      const inTime = failureOf(() => spec(attemptDecider).given(started()).when(start(A2, IN_TIME)).events());
      expect([inTime.code, inTime.kind, inTime.details]).toEqual(['ATTEMPT_IN_PROGRESS', 'conflict', { attemptId: A1, overdue: false }]);
      const overdue = failureOf(() => spec(attemptDecider).given(started()).when(start(A2, LATE)).events());
      expect(overdue.details).toEqual({ attemptId: A1, overdue: true });
    });

    it('refuses when every allowed attempt is used', () => {
      spec(attemptDecider)
        .given(started(A1), ...finished(A1, 1, 6), started(A2, 2), ...finished(A2, 2, 7))
        .when(start(A3, IN_TIME))
        .thenFails('NO_ATTEMPTS_LEFT');
    });

    it('allows any number of attempts when 0 are allowed', () => {
      const unlimited = { ...start(A3, IN_TIME), quiz: { ...quiz, attemptsAllowed: 0 } };
      const [event] = spec(attemptDecider).given(started(A1), ...finished(A1, 1, 6), started(A2, 2), ...finished(A2, 2, 7)).when(unlimited).events();
      expect(event.type === 'AttemptStarted' && event.data.attemptNumber).toBe(3);
    });

    it('refuses an attempt id used before', () => {
      spec(attemptDecider).given(started(), ...finished(A1, 1, 6)).when(start(A1, IN_TIME)).thenFails('ATTEMPT_EXISTS');
    });
  });

  describe('SaveAnswers', () => {
    const save = (answers: { questionId: string; answer: unknown }[], now = IN_TIME) => ({ type: 'SaveAnswers', attemptId: A1, answers, now }) as const;

    it('saves the answers', () => {
      spec(attemptDecider).given(started()).when(save(someAnswers)).then([saved(A1, someAnswers, IN_TIME)]);
    });

    it('keeps the last answer when a question is listed twice', () => {
      spec(attemptDecider)
        .given(started())
        .when(save([{ questionId: single.questionId, answer: 'a' }, { questionId: trueFalse.questionId, answer: true }, { questionId: single.questionId, answer: 'b' }]))
        .then([saved(A1, [{ questionId: single.questionId, answer: 'b' }, { questionId: trueFalse.questionId, answer: true }], IN_TIME)]);
    });

    it('decides nothing for no answers', () => {
      spec(attemptDecider).given(started()).when(save([])).then([]);
    });

    it('refuses an answer to a question that is not in the quiz', () => {
      const stranger = '99999999-9999-4999-8999-999999999999';
      const error = failureOf(() => spec(attemptDecider).given(started()).when(save([...someAnswers, { questionId: stranger, answer: 1 }])).events());
      expect([error.code, error.kind, error.details]).toEqual(['QUESTION_NOT_IN_QUIZ', 'rule', [`question ${stranger} is not in this attempt`]]);
    });

    it('refuses an unknown attempt', () => {
      spec(attemptDecider).given().when(save(someAnswers)).thenFails('ATTEMPT_NOT_FOUND');
    });

    it('refuses a submitted attempt', () => {
      spec(attemptDecider).given(started(), ...finished(A1, 1, 6)).when(save(someAnswers)).thenFails('ATTEMPT_NOT_IN_PROGRESS');
    });

    it('refuses after the deadline and accepts at the deadline', () => {
      spec(attemptDecider).given(started()).when(save(someAnswers, LATE)).thenFails('ATTEMPT_OVERDUE');
      expect(spec(attemptDecider).given(started()).when(save(someAnswers, DEADLINE)).events()).toHaveLength(1);
    });
  });

  describe('SubmitAttempt', () => {
    const submit = (now = IN_TIME) => ({ type: 'SubmitAttempt', attemptId: A1, now, ...grading }) as const;

    it('submits and grades the saved answers, per question with skills', () => {
      spec(attemptDecider)
        .given(started(), saved(A1, someAnswers))
        .when(submit())
        .then([
          { type: 'AttemptSubmitted', data: { ...ids(A1), attemptNumber: 1, automatic: false, durationSeconds: 1200, at: IN_TIME } },
          { type: 'AttemptGraded', data: { ...someAnswersGraded, at: IN_TIME } },
        ]);
    });

    it('grades the last saved answer of each question', () => {
      const events = spec(attemptDecider)
        .given(started(), saved(A1, someAnswers), saved(A1, [{ questionId: numeric.questionId, answer: 3.14 }, { questionId: trueFalse.questionId, answer: true }]))
        .when(submit())
        .events();
      expect(events[1]).toMatchObject({ type: 'AttemptGraded', data: { totalScore: 6, totalPoints: 7, grade: 8.57143, passed: true } });
    });

    it('scores unanswered and erased answers 0', () => {
      const erased = someAnswers.map((a) => ({ ...a, answer: null }));
      const events = spec(attemptDecider).given(started(), saved(A1, erased)).when(submit()).events();
      expect(events[1]).toMatchObject({ data: { totalScore: 0, grade: 0, passed: false } });
    });

    it('grades an answer still wrapped as personal data by its value', () => {
      const events = spec(attemptDecider)
        .given(started(), saved(A1, [{ questionId: single.questionId, answer: personal(learnerId, 'b') }]))
        .when(submit())
        .events();
      expect(events[1]).toMatchObject({ data: { totalScore: 1 } });
    });

    it('says nothing of passing when the quiz has no pass grade', () => {
      const events = spec(attemptDecider).given(started()).when({ ...submit(), passGrade: null }).events();
      expect(events[1]).toMatchObject({ data: { passed: null } });
    });

    it('accepts a submission at the deadline and refuses one after it', () => {
      expect(spec(attemptDecider).given(started()).when(submit(DEADLINE)).events()).toHaveLength(2);
      spec(attemptDecider).given(started()).when(submit(LATE)).thenFails('ATTEMPT_OVERDUE');
    });

    it('refuses to submit twice', () => {
      spec(attemptDecider).given(started(), ...finished(A1, 1, 6)).when(submit()).thenFails('ATTEMPT_NOT_IN_PROGRESS');
    });

    it('refuses an unknown attempt', () => {
      spec(attemptDecider).given().when(submit()).thenFails('ATTEMPT_NOT_FOUND');
    });

    it('refuses to grade without the definition of every question', () => {
      const error = failureOf(() => spec(attemptDecider).given(started()).when({ ...submit(), questions: [single, multi, trueFalse, shortAnswer] }).events());
      expect([error.code, error.details]).toEqual(['ATTEMPT_QUESTIONS_MISSING', [`question ${numeric.questionId} has no definition`]]);
    });

    it('refuses a saved answer of the wrong shape: the learner can still fix it', () => {
      spec(attemptDecider)
        .given(started(), saved(A1, [{ questionId: numeric.questionId, answer: 'pi' }]))
        .when(submit())
        .thenFails('QUESTION_ANSWER_INVALID');
    });
  });

  describe('CloseOverdueAttempt', () => {
    const close = (now = LATE) => ({ type: 'CloseOverdueAttempt', attemptId: A1, now, ...grading }) as const;

    it('submits what was saved, automatically, lasting until the deadline', () => {
      spec(attemptDecider)
        .given(started(), saved(A1, someAnswers))
        .when(close('2025-03-12T11:00:00.000Z'))
        .then([
          { type: 'AttemptSubmitted', data: { ...ids(A1), attemptNumber: 1, automatic: true, durationSeconds: 1800, at: '2025-03-12T11:00:00.000Z' } },
          { type: 'AttemptGraded', data: { ...someAnswersGraded, at: '2025-03-12T11:00:00.000Z' } },
        ]);
    });

    it('refuses before the deadline and at the deadline', () => {
      spec(attemptDecider).given(started()).when(close(IN_TIME)).thenFails('ATTEMPT_NOT_OVERDUE');
      spec(attemptDecider).given(started()).when(close(DEADLINE)).thenFails('ATTEMPT_NOT_OVERDUE');
    });

    it('never closes an attempt without a deadline', () => {
      spec(attemptDecider).given(started(A1, 1, START, null)).when(close('2030-01-01T00:00:00.000Z')).thenFails('ATTEMPT_NOT_OVERDUE');
    });

    it('refuses an attempt already submitted', () => {
      spec(attemptDecider).given(started(), ...finished(A1, 1, 6)).when(close()).thenFails('ATTEMPT_NOT_IN_PROGRESS');
    });

    it('scores a malformed saved answer 0 rather than leaving the attempt open', () => {
      const events = spec(attemptDecider)
        .given(started(), saved(A1, [{ questionId: single.questionId, answer: 'b' }, { questionId: numeric.questionId, answer: 'pi' }]))
        .when(close())
        .events();
      expect(events[1]).toMatchObject({ data: { totalScore: 1 } });
      expect(events[1].type === 'AttemptGraded' && events[1].data.questions[4]).toEqual({ questionId: numeric.questionId, score: 0, points: 2, skills: ['geometry'], correct: false });
    });

    it('lets the learner start their next attempt once closed', () => {
      const [submitted, graded] = spec(attemptDecider).given(started()).when(close()).events();
      const [next] = spec(attemptDecider).given(started(), submitted, graded).when(start(A2, LATE)).events();
      expect(next).toMatchObject({ type: 'AttemptStarted', data: { attemptId: A2, attemptNumber: 2 } });
    });
  });

  describe('ReviewAttempt', () => {
    const review = { type: 'ReviewAttempt', attemptId: A1, by: teacher, now: LATE } as const;

    it('records the review of a submitted attempt', () => {
      spec(attemptDecider)
        .given(started(), ...finished(A1, 1, 6))
        .when(review)
        .then([{ type: 'AttemptReviewed', data: { ...ids(A1), attemptNumber: 1, by: teacher, at: LATE } }]);
    });

    it('refuses an attempt in progress', () => {
      spec(attemptDecider).given(started()).when(review).thenFails('ATTEMPT_NOT_SUBMITTED');
    });

    it('refuses an unknown attempt', () => {
      spec(attemptDecider).given().when(review).thenFails('ATTEMPT_NOT_FOUND');
    });
  });
});

describe('finalGrade', () => {
  const three = spec(attemptDecider).given(
    started(A1, 1),
    ...finished(A1, 1, 6),
    started(A2, 2),
    ...finished(A2, 2, 8),
    started(A3, 3),
    ...finished(A3, 3, 6.5),
  ).state;

  it('is null before any attempt is graded', () => {
    expect(finalGrade(attemptDecider.initialState(), 'highest')).toBeNull();
    expect(finalGrade(spec(attemptDecider).given(started()).state, 'average')).toBeNull();
  });

  it.each([
    ['highest', 8],
    ['first', 6],
    ['last', 6.5],
    ['average', 6.83333],
  ] as const)('%s of 6, 8, 6.5 is %s', (method, grade) => {
    expect(finalGrade(three, method)).toBe(grade);
  });

  it('ignores an attempt in progress', () => {
    const state = spec(attemptDecider).given(started(A1, 1), ...finished(A1, 1, 6), started(A2, 2)).state;
    expect(finalGrade(state, 'last')).toBe(6);
    expect(finalGrade(state, 'average')).toBe(6);
  });
});
