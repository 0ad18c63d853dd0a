/**
 * Quiz events: the public contract of quiz authoring.
 *
 * Stream: `quiz-<quizId>` (quizStreamId) holds every event below.
 * Quiz and question texts are written by staff: they are not personal data
 * and stay in clear.
 *
 * Data shapes are type aliases, not interfaces, so that they fit the event
 * log's `Record<string, unknown>` data as they are.
 */
import type { DomainEvent } from '@learnstream/domain';
import type { EventTypeDefinition } from '@learnstream/event-store';
import {
  instant,
  nonNegativeNumber,
  nullable,
  object,
  oneOf,
  positiveInteger,
  positiveNumber,
  someOf,
  text,
  uuid,
  validator,
  wholeNumber,
  type Check,
} from './data-checks';
import { gradeLimitsProblems } from './grading';
import { questionCheck, type Question } from './question';

export const GRADING_METHODS = ['highest', 'last', 'average', 'first'] as const;
/** Which of a learner's graded attempts makes their quiz grade (see finalGrade). */
export type GradingMethod = (typeof GRADING_METHODS)[number];

export type QuizSettings = {
  title: string;
  /** First instant the quiz can be started; null: open at once. */
  opensAt: string | null;
  /** Last instant an attempt can be started or worked on; null: never closes. */
  closesAt: string | null;
  timeLimitSeconds: number | null;
  /** 0 = unlimited. */
  attemptsAllowed: number;
  gradingMethod: GradingMethod;
  maxGrade: number;
  passGrade: number | null;
};

export type QuizCreated = DomainEvent<'QuizCreated', { quizId: string; courseId: string; by: string; at: string } & QuizSettings>;
/** `changes` holds only the settings that changed. */
export type QuizSettingsUpdated = DomainEvent<'QuizSettingsUpdated', { quizId: string; courseId: string; changes: Partial<QuizSettings>; by: string; at: string }>;
export type QuestionAdded = DomainEvent<'QuestionAdded', { quizId: string; courseId: string; question: Question; by: string; at: string }>;
/** The question as a whole replaces the previous version (its kind may change). */
export type QuestionUpdated = DomainEvent<'QuestionUpdated', { quizId: string; courseId: string; question: Question; by: string; at: string }>;
export type QuestionRemoved = DomainEvent<'QuestionRemoved', { quizId: string; courseId: string; questionId: string; by: string; at: string }>;

export type QuizEvent = QuizCreated | QuizSettingsUpdated | QuestionAdded | QuestionUpdated | QuestionRemoved;

const SETTING_CHECKS: Record<keyof QuizSettings, Check> = {
  title: text(200),
  opensAt: nullable(instant),
  closesAt: nullable(instant),
  timeLimitSeconds: nullable(positiveInteger),
  attemptsAllowed: wholeNumber,
  gradingMethod: oneOf(...GRADING_METHODS),
  maxGrade: positiveNumber,
  passGrade: nullable(nonNegativeNumber),
};

/** The rules between settings: the window is not empty, the pass mark is within the maximum. */
function settingsRuleProblems(s: QuizSettings): string[] {
  const problems: string[] = [];
  if (s.opensAt !== null && s.closesAt !== null && Date.parse(s.closesAt) <= Date.parse(s.opensAt)) problems.push('closesAt must be after opensAt');
  return [...problems, ...gradeLimitsProblems(s.maxGrade, s.passGrade)];
}

/** Problems with a complete set of quiz settings, field by field, then between fields. */
export function quizSettingsProblems(settings: QuizSettings): string[] {
  const problems = object(SETTING_CHECKS)(settings, '');
  return problems.length ? problems : settingsRuleProblems(settings);
}

/** Some settings, each valid on its own; at least one. */

const quizFields = { quizId: uuid, courseId: uuid, by: uuid, at: instant };

export const QUIZ_EVENT_TYPES: EventTypeDefinition[] = [
  {
    type: 'QuizCreated',
    version: 1,
    validate: (d) => {
      const problems = validator(object({ ...quizFields, ...SETTING_CHECKS }))(d);
      return problems.length ? problems : settingsRuleProblems(d as unknown as QuizSettings);
    },
  },
  { type: 'QuizSettingsUpdated', version: 1, validate: validator(object({ ...quizFields, changes: someOf(SETTING_CHECKS) })) },
  { type: 'QuestionAdded', version: 1, validate: validator(object({ ...quizFields, question: questionCheck })) },
  { type: 'QuestionUpdated', version: 1, validate: validator(object({ ...quizFields, question: questionCheck })) },
  { type: 'QuestionRemoved', version: 1, validate: validator(object({ ...quizFields, questionId: uuid })) },
];
