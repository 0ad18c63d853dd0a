/**
 * Taking a quiz, pure (STYLE.md): all of one learner's attempts on one quiz,
 * in the stream `quiz_attempts-<uuidV5(quizId:learnerId)>`.
 *
 * Time bounds are inclusive: a quiz can be started from opensAt to closesAt,
 * an attempt worked on and submitted until its deadline; one millisecond
 * later it is closed or overdue. The deadline is fixed when the attempt
 * starts: min(closesAt, start + time limit).
 *
 * An overdue attempt stays in progress (and blocks a new one) until
 * CloseOverdueAttempt submits what was saved, as Moodle's "open attempts are
 * submitted automatically when time expires".
 */
import { DomainError, type Decider } from '@learnstream/domain';
import { clearValueOf, ms } from './data-checks';
import { GRADE_DECIMALS, passedFor, roundTo, SCORE_DECIMALS } from './grading';
import { gradeAnswer, type AnswerGrade, type Question } from './question';
import type { GradingMethod } from './quiz.events';
import type { AttemptEvent, AttemptGraded, QuestionResult, SavedAnswer } from './attempt.events';

/** What the attempt needs to know of the quiz when it starts (quizSnapshotOf). */
export interface QuizSnapshot {
  opensAt: string | null;
  closesAt: string | null;
  timeLimitSeconds: number | null;
  /** 0 = unlimited. */
  attemptsAllowed: number;
  questionIds: string[];
}

/** What grading needs of the quiz (quizGradingOf): its question definitions and grade scale. */
export interface QuizGrading {
  /** Definitions of (at least) every question of the attempt; others are ignored. */
  questions: Question[];
  maxGrade: number;
  passGrade: number | null;
}

export interface StartAttempt {
  type: 'StartAttempt';
  attemptId: string;
  quizId: string;
  courseId: string;
  learnerId: string;
  now: string;
  quiz: QuizSnapshot;
  /** From the read side: is the learner enrolled in the course? */
  enrolled: boolean;
}

export interface SaveAnswers {
  type: 'SaveAnswers';
  attemptId: string;
  /** A question listed twice keeps its last answer. Answers arrive wrapped with personal() by the handler. */
  answers: SavedAnswer[];
  now: string;
}

/** The learner submits, in time. */
export type SubmitAttempt = { type: 'SubmitAttempt'; attemptId: string; now: string } & QuizGrading;

/** The system submits an attempt whose deadline has passed (a scheduler, or the learner coming back). */
export type CloseOverdueAttempt = { type: 'CloseOverdueAttempt'; attemptId: string; now: string } & QuizGrading;

export interface ReviewAttempt {
  type: 'ReviewAttempt';
  attemptId: string;
  by: string;
  now: string;
}

export type AttemptCommand = StartAttempt | SaveAnswers | SubmitAttempt | CloseOverdueAttempt | ReviewAttempt;

export interface Attempt {
  attemptId: string;
  attemptNumber: number;
  status: 'in_progress' | 'submitted';
  startedAt: string;
  deadline: string | null;
  questionIds: string[];
  /**
   * Last saved answer by questionId, as read back from the log: clear, or null
   * once the learner's data is erased (a `personal()` marker is unwrapped to grade).
   */
  answers: Record<string, unknown>;
  /** Set on submission. */
  automatic: boolean | null;
  /** Set when graded. */
  grade: number | null;
}

export interface QuizAttemptsState {
  quizId: string | null;
  courseId: string | null;
  learnerId: string | null;
  /** In attemptNumber order. */
  attempts: Attempt[];
}

const initialState = (): QuizAttemptsState => ({ quizId: null, courseId: null, learnerId: null, attempts: [] });

function updateAttempt(state: QuizAttemptsState, attemptId: string, change: (a: Attempt) => Partial<Attempt>): QuizAttemptsState {
  return { ...state, attempts: state.attempts.map((a) => (a.attemptId === attemptId ? { ...a, ...change(a) } : a)) };
}

function evolve(state: QuizAttemptsState, event: AttemptEvent): QuizAttemptsState {
  const d = event.data;
  switch (event.type) {
    case 'AttemptStarted': {
      const { attemptId, attemptNumber, questionIds, deadline, at } = event.data;
      const attempt: Attempt = { attemptId, attemptNumber, status: 'in_progress', startedAt: at, deadline, questionIds, answers: {}, automatic: null, grade: null };
      return { quizId: d.quizId, courseId: d.courseId, learnerId: d.learnerId, attempts: [...state.attempts, attempt] };
    }
    case 'AnswersSaved':
      return updateAttempt(state, d.attemptId, (a) => ({
        answers: { ...a.answers, ...Object.fromEntries(event.data.answers.map((s) => [s.questionId, s.answer])) },
      }));
    case 'AttemptSubmitted':
      return updateAttempt(state, d.attemptId, () => ({ status: 'submitted', automatic: event.data.automatic }));
    case 'AttemptGraded':
      return updateAttempt(state, d.attemptId, () => ({ grade: event.data.grade }));
    case 'AttemptReviewed':
      return state;
  }
}

const isOverdue = (attempt: Attempt, now: string) => attempt.deadline !== null && ms(now) > ms(attempt.deadline);

function deadlineOf(now: string, quiz: QuizSnapshot): string | null {
  const bounds: number[] = [];
  if (quiz.closesAt !== null) bounds.push(ms(quiz.closesAt));
  if (quiz.timeLimitSeconds !== null) bounds.push(ms(now) + quiz.timeLimitSeconds * 1000);
  return bounds.length ? new Date(Math.min(...bounds)).toISOString() : null;
}

function startAttempt(c: StartAttempt, state: QuizAttemptsState): AttemptEvent[] {
  const { quiz } = c;
  if (!c.enrolled) throw new DomainError('forbidden', 'NOT_ENROLLED', 'only learners enrolled in the course can attempt this quiz');
  if (quiz.questionIds.length === 0) throw new DomainError('rule', 'QUIZ_EMPTY', 'this quiz has no questions yet');
  if (quiz.opensAt !== null && ms(c.now) < ms(quiz.opensAt)) throw new DomainError('rule', 'QUIZ_NOT_OPEN', `this quiz opens at ${quiz.opensAt}`);
  if (quiz.closesAt !== null && ms(c.now) > ms(quiz.closesAt)) throw new DomainError('rule', 'QUIZ_CLOSED', `this quiz closed at ${quiz.closesAt}`);
  if (state.attempts.some((a) => a.attemptId === c.attemptId)) throw new DomainError('conflict', 'ATTEMPT_EXISTS', `attempt ${c.attemptId} already exists`);
  const open = state.attempts.find((a) => a.status === 'in_progress');
  if (open) {
    throw new DomainError('conflict', 'ATTEMPT_IN_PROGRESS', 'finish the attempt in progress first', { attemptId: open.attemptId, overdue: isOverdue(open, c.now) });
  }
  if (quiz.attemptsAllowed > 0 && state.attempts.length >= quiz.attemptsAllowed) {
    throw new DomainError('rule', 'NO_ATTEMPTS_LEFT', `all ${quiz.attemptsAllowed} attempts allowed have been used`);
  }
  return [
    {
      type: 'AttemptStarted',
      data: {
        attemptId: c.attemptId,
        quizId: c.quizId,
        courseId: c.courseId,
        learnerId: c.learnerId,
        attemptNumber: state.attempts.length + 1,
        questionIds: quiz.questionIds,
        deadline: deadlineOf(c.now, quiz),
        at: c.now,
      },
    },
  ];
}

function findAttempt(state: QuizAttemptsState, attemptId: string): Attempt {
  const attempt = state.attempts.find((a) => a.attemptId === attemptId);
  if (!attempt) throw new DomainError('not_found', 'ATTEMPT_NOT_FOUND', `no attempt ${attemptId}`);
  return attempt;
}

function assertInProgress(attempt: Attempt): void {
  if (attempt.status !== 'in_progress') throw new DomainError('conflict', 'ATTEMPT_NOT_IN_PROGRESS', 'this attempt has already been submitted');
}

function assertInTime(attempt: Attempt, now: string): void {
  if (isOverdue(attempt, now)) throw new DomainError('rule', 'ATTEMPT_OVERDUE', `the time for this attempt ran out at ${attempt.deadline}`);
}

/** The ids the attempt's events carry; known once the stream has an attempt. */
function idsOf(state: QuizAttemptsState, attempt: Attempt) {
  return { attemptId: attempt.attemptId, quizId: state.quizId!, courseId: state.courseId!, learnerId: state.learnerId! };
}

function saveAnswers(c: SaveAnswers, state: QuizAttemptsState): AttemptEvent[] {
  const attempt = findAttempt(state, c.attemptId);
  assertInProgress(attempt);
  assertInTime(attempt, c.now);
  const foreign = [...new Set(c.answers.map((a) => a.questionId).filter((id) => !attempt.questionIds.includes(id)))];
  if (foreign.length) {
    throw new DomainError('rule', 'QUESTION_NOT_IN_QUIZ', 'some answers are to questions that are not in this attempt', foreign.map((id) => `question ${id} is not in this attempt`));
  }
  const last = new Map(c.answers.map((a) => [a.questionId, a.answer]));
  if (last.size === 0) return [];
  const answers = [...last].map(([questionId, answer]) => ({ questionId, answer }));
  return [{ type: 'AnswersSaved', data: { ...idsOf(state, attempt), answers, at: c.now } }];
}

/**
 * A malformed saved answer refuses the learner's own submission (they are in
 * time to save a valid one) but scores 0 on an automatic close: after the
 * deadline nobody can fix it, and the attempt must not stay open forever.
 */
function scoreOf(question: Question, answer: unknown, lenient: boolean): AnswerGrade {
  try {
    return gradeAnswer(question, answer);
  } catch (error) {
    if (lenient && error instanceof DomainError && error.code === 'QUESTION_ANSWER_INVALID') return { score: 0, correct: false };
    throw error;
  }
}

function gradeAttempt(attempt: Attempt, grading: QuizGrading, lenient: boolean) {
  const definitions = new Map(grading.questions.map((q) => [q.questionId, q]));
  const missing = attempt.questionIds.filter((id) => !definitions.has(id));
  if (missing.length) {
    throw new DomainError('invalid', 'ATTEMPT_QUESTIONS_MISSING', 'grading needs the definition of every question of the attempt', missing.map((id) => `question ${id} has no definition`));
  }
  const questions: QuestionResult[] = attempt.questionIds.map((id) => {
    const question = definitions.get(id)!;
    const answer = Object.hasOwn(attempt.answers, id) ? clearValueOf(attempt.answers[id]) : undefined;
    const { score, correct } = scoreOf(question, answer, lenient);
    return { questionId: id, score, points: question.points, skills: question.skills, correct };
  });
  const totalScore = roundTo(questions.reduce((sum, q) => sum + q.score, 0), SCORE_DECIMALS);
  const totalPoints = roundTo(questions.reduce((sum, q) => sum + q.points, 0), SCORE_DECIMALS);
  const grade = roundTo((totalScore / totalPoints) * grading.maxGrade, GRADE_DECIMALS);
  return { questions, totalScore, totalPoints, grade, maxGrade: grading.maxGrade, passed: passedFor(grade, grading.passGrade) };
}

function submit(state: QuizAttemptsState, attempt: Attempt, c: SubmitAttempt | CloseOverdueAttempt, automatic: boolean): AttemptEvent[] {
  const graded: Omit<AttemptGraded['data'], 'attemptId' | 'quizId' | 'courseId' | 'learnerId' | 'attemptNumber' | 'at'> = gradeAttempt(attempt, c, automatic);
  const end = automatic ? ms(attempt.deadline!) : ms(c.now);
  const ids = idsOf(state, attempt);
  const { attemptNumber } = attempt;
  return [
    { type: 'AttemptSubmitted', data: { ...ids, attemptNumber, automatic, durationSeconds: Math.max(0, Math.floor((end - ms(attempt.startedAt)) / 1000)), at: c.now } },
    { type: 'AttemptGraded', data: { ...ids, attemptNumber, ...graded, at: c.now } },
  ];
}

function decide(command: AttemptCommand, state: QuizAttemptsState): AttemptEvent[] {
  switch (command.type) {
    case 'StartAttempt':
      return startAttempt(command, state);
    case 'SaveAnswers':
      return saveAnswers(command, state);
    case 'SubmitAttempt': {
      const attempt = findAttempt(state, command.attemptId);
      assertInProgress(attempt);
      assertInTime(attempt, command.now);
      return submit(state, attempt, command, false);
    }
    case 'CloseOverdueAttempt': {
      const attempt = findAttempt(state, command.attemptId);
      assertInProgress(attempt);
      if (!isOverdue(attempt, command.now)) {
        throw new DomainError('rule', 'ATTEMPT_NOT_OVERDUE', attempt.deadline ? `this attempt is open until ${attempt.deadline}` : 'this attempt has no deadline');
      }
      return submit(state, attempt, command, true);
    }
    case 'ReviewAttempt': {
      const attempt = findAttempt(state, command.attemptId);
      if (attempt.status !== 'submitted') throw new DomainError('conflict', 'ATTEMPT_NOT_SUBMITTED', 'only a submitted attempt can be reviewed');
      return [{ type: 'AttemptReviewed', data: { ...idsOf(state, attempt), attemptNumber: attempt.attemptNumber, by: command.by, at: command.now } }];
    }
  }
}

export const attemptDecider: Decider<AttemptCommand, AttemptEvent, QuizAttemptsState> = { initialState, evolve, decide };

/**
 * The learner's grade for the quiz from their graded attempts, by the quiz's
 * grading method (Moodle's): the highest, the first, the last (by attempt
 * number), or the average (5 decimals). null before any attempt is graded.
 */
export function finalGrade(state: QuizAttemptsState, method: GradingMethod): number | null {
  return finalGradeOf(
    state.attempts.filter((a) => a.grade !== null).map((a) => a.grade!),
    method,
  );
}

/** finalGrade of the grades of the graded attempts, in the order of their attempt numbers. */
export function finalGradeOf(grades: readonly number[], method: GradingMethod): number | null {
  if (grades.length === 0) return null;
  switch (method) {
    case 'highest':
      return Math.max(...grades);
    case 'first':
      return grades[0];
    case 'last':
      return grades[grades.length - 1];
    case 'average':
      return roundTo(grades.reduce((sum, g) => sum + g, 0) / grades.length, GRADE_DECIMALS);
  }
}
