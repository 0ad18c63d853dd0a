/**
 * Quiz authoring, pure (STYLE.md): settings and questions of one quiz, in the
 * stream `quiz-<quizId>`.
 *
 * Questions are frozen once someone has attempted the quiz, so that every
 * attempt is graded against the questions it was taken on. Whether attempts
 * exist lives in other streams (one per learner), so the command brings it
 * from the read side as `hasAttempts`.
 */
import { DomainError, type Decider } from '@learnstream/domain';
import { changesBetween } from './changes';
import { isUuid } from './data-checks';
import { questionProblems, type Question } from './question';
import { quizSettingsProblems, type GradingMethod, type QuizEvent, type QuizSettings } from './quiz.events';
import type { QuizGrading, QuizSnapshot } from './attempt';

export interface CreateQuiz {
  type: 'CreateQuiz';
  quizId: string;
  courseId: string;
  title: string;
  opensAt?: string;
  closesAt?: string;
  timeLimitSeconds?: number;
  /** 0 = unlimited. */
  attemptsAllowed: number;
  gradingMethod: GradingMethod;
  maxGrade: number;
  passGrade?: number;
  now: string;
  by: string;
}

/** Only the settings given change; null clears an optional one (opensAt, closesAt, timeLimitSeconds, passGrade). */
export type UpdateQuizSettings = { type: 'UpdateQuizSettings'; quizId: string; now: string; by: string } & Partial<QuizSettings>;

export interface AddQuestion {
  type: 'AddQuestion';
  quizId: string;
  question: Question;
  /** From the read side: does any attempt on this quiz exist? */
  hasAttempts: boolean;
  now: string;
  by: string;
}

/** Replaces the question with the same questionId as a whole. */
export interface UpdateQuestion {
  type: 'UpdateQuestion';
  quizId: string;
  question: Question;
  hasAttempts: boolean;
  now: string;
  by: string;
}

export interface RemoveQuestion {
  type: 'RemoveQuestion';
  quizId: string;
  questionId: string;
  hasAttempts: boolean;
  now: string;
  by: string;
}

export type QuizCommand = CreateQuiz | UpdateQuizSettings | AddQuestion | UpdateQuestion | RemoveQuestion;

export type QuizState =
  | { status: 'none' }
  | { status: 'created'; quizId: string; courseId: string; settings: QuizSettings; questions: Question[] };

type CreatedQuiz = Extract<QuizState, { status: 'created' }>;

const SETTING_KEYS = ['title', 'opensAt', 'closesAt', 'timeLimitSeconds', 'attemptsAllowed', 'gradingMethod', 'maxGrade', 'passGrade'] as const satisfies readonly (keyof QuizSettings)[];

const initialState = (): QuizState => ({ status: 'none' });

function evolve(state: QuizState, event: QuizEvent): QuizState {
  if (event.type === 'QuizCreated') {
    const { quizId, courseId, by, at, ...settings } = event.data;
    return { status: 'created', quizId, courseId, settings, questions: [] };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'QuizSettingsUpdated':
      return { ...state, settings: { ...state.settings, ...event.data.changes } };
    case 'QuestionAdded':
      return { ...state, questions: [...state.questions, event.data.question] };
    case 'QuestionUpdated':
      return { ...state, questions: state.questions.map((q) => (q.questionId === event.data.question.questionId ? event.data.question : q)) };
    case 'QuestionRemoved':
      return { ...state, questions: state.questions.filter((q) => q.questionId !== event.data.questionId) };
  }
}

const invalidQuiz = (problems: string[]) => new DomainError('invalid', 'QUIZ_INVALID', 'the quiz settings are not valid', problems);

function existing(state: QuizState): CreatedQuiz {
  if (state.status === 'none') throw new DomainError('not_found', 'QUIZ_NOT_FOUND', 'no such quiz');
  return state;
}

function assertValidQuestion(question: Question): void {
  const problems = questionProblems(question);
  if (problems.length) throw new DomainError('invalid', 'QUESTION_INVALID', 'the question is not valid', problems);
}

function assertNoAttempts(hasAttempts: boolean): void {
  if (hasAttempts) {
    throw new DomainError('rule', 'QUIZ_HAS_ATTEMPTS', 'questions cannot change once the quiz has been attempted: every attempt is graded on the questions it was taken on');
  }
}

function findQuestion(quiz: CreatedQuiz, questionId: string): Question {
  const question = quiz.questions.find((q) => q.questionId === questionId);
  if (!question) throw new DomainError('not_found', 'QUESTION_NOT_FOUND', `question ${questionId} is not in this quiz`);
  return question;
}

function createQuiz(c: CreateQuiz, state: QuizState): QuizEvent[] {
  if (state.status !== 'none') throw new DomainError('conflict', 'QUIZ_EXISTS', 'this quiz already exists');
  const settings: QuizSettings = {
    title: c.title,
    opensAt: c.opensAt ?? null,
    closesAt: c.closesAt ?? null,
    timeLimitSeconds: c.timeLimitSeconds ?? null,
    attemptsAllowed: c.attemptsAllowed,
    gradingMethod: c.gradingMethod,
    maxGrade: c.maxGrade,
    passGrade: c.passGrade ?? null,
  };
  const problems = [
    ...(isUuid(c.quizId) ? [] : ['quizId must be a UUID']),
    ...(isUuid(c.courseId) ? [] : ['courseId must be a UUID']),
    ...quizSettingsProblems(settings),
  ];
  if (problems.length) throw invalidQuiz(problems);
  return [{ type: 'QuizCreated', data: { quizId: c.quizId, courseId: c.courseId, ...settings, by: c.by, at: c.now } }];
}

/** Settings given with their current value are not changes; no change at all decides no event. */
function updateQuizSettings(c: UpdateQuizSettings, state: QuizState): QuizEvent[] {
  const quiz = existing(state);
  const changes = changesBetween<QuizSettings>(quiz.settings, c, SETTING_KEYS);
  const problems = quizSettingsProblems({ ...quiz.settings, ...changes });
  if (problems.length) throw invalidQuiz(problems);
  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'QuizSettingsUpdated', data: { quizId: quiz.quizId, courseId: quiz.courseId, changes, by: c.by, at: c.now } }];
}

function decide(command: QuizCommand, state: QuizState): QuizEvent[] {
  switch (command.type) {
    case 'CreateQuiz':
      return createQuiz(command, state);
    case 'UpdateQuizSettings':
      return updateQuizSettings(command, state);
    case 'AddQuestion': {
      const quiz = existing(state);
      assertValidQuestion(command.question);
      assertNoAttempts(command.hasAttempts);
      if (quiz.questions.some((q) => q.questionId === command.question.questionId)) {
        throw new DomainError('conflict', 'QUESTION_EXISTS', `question ${command.question.questionId} is already in this quiz`);
      }
      return [{ type: 'QuestionAdded', data: { quizId: quiz.quizId, courseId: quiz.courseId, question: command.question, by: command.by, at: command.now } }];
    }
    case 'UpdateQuestion': {
      const quiz = existing(state);
      assertValidQuestion(command.question);
      assertNoAttempts(command.hasAttempts);
      findQuestion(quiz, command.question.questionId);
      return [{ type: 'QuestionUpdated', data: { quizId: quiz.quizId, courseId: quiz.courseId, question: command.question, by: command.by, at: command.now } }];
    }
    case 'RemoveQuestion': {
      const quiz = existing(state);
      assertNoAttempts(command.hasAttempts);
      findQuestion(quiz, command.questionId);
      return [{ type: 'QuestionRemoved', data: { quizId: quiz.quizId, courseId: quiz.courseId, questionId: command.questionId, by: command.by, at: command.now } }];
    }
  }
}

export const quizDecider: Decider<QuizCommand, QuizEvent, QuizState> = { initialState, evolve, decide };

/** What StartAttempt needs to know of the quiz, read from its state. */
export function quizSnapshotOf(state: QuizState): QuizSnapshot {
  const { settings, questions } = existing(state);
  return {
    opensAt: settings.opensAt,
    closesAt: settings.closesAt,
    timeLimitSeconds: settings.timeLimitSeconds,
    attemptsAllowed: settings.attemptsAllowed,
    questionIds: questions.map((q) => q.questionId),
  };
}

/** What SubmitAttempt and CloseOverdueAttempt need to grade, read from the quiz state. */
export function quizGradingOf(state: QuizState): QuizGrading {
  const { settings, questions } = existing(state);
  return { questions, maxGrade: settings.maxGrade, passGrade: settings.passGrade };
}
