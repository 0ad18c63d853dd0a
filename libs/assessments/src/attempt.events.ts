/**
 * Quiz attempt events: the public contract of taking a quiz.
 *
 * Stream: `quiz_attempts-<uuidV5(quizId:learnerId)>` (quizAttemptsStreamId)
 * holds every event below, for all of one learner's attempts on one quiz, so
 * the attempt limit and "one attempt at a time" are checked on one stream.
 *
 * Answers are the learner's own responses (a short answer is free text):
 * personal data, wrapped with `personal(learnerId, answer)` by the handler.
 * Scores, points and skills are not, and stay in clear for reports by skill.
 *
 * Data shapes are type aliases, not interfaces, so that they fit the event
 * log's `Record<string, unknown>` data as they are.
 */
import type { DomainEvent } from '@learnstream/domain';
import type { EventTypeDefinition } from '@learnstream/event-store';
import {
  arrayOf,
  bool,
  instant,
  nonNegativeNumber,
  nullable,
  object,
  oneOf,
  personalValue,
  positiveInteger,
  positiveNumber,
  slug,
  uuid,
  validator,
  wholeNumber,
} from './data-checks';

type AttemptIds = {
  attemptId: string;
  quizId: string;
  courseId: string;
  learnerId: string;
};

export type AttemptStarted = DomainEvent<
  'AttemptStarted',
  AttemptIds & {
    /** 1 for the learner's first attempt on the quiz. */
    attemptNumber: number;
    /** The quiz's questions when the attempt started: the ones answered and graded. */
    questionIds: string[];
    /** min(closesAt, start + time limit); null when neither applies. Fixed at the start. */
    deadline: string | null;
    at: string;
  }
>;

export interface SavedAnswer {
  questionId: string;
  /** The learner's response: personal data, `personal(learnerId, value)` when written; null once erased. */
  answer: unknown;
}

/** Replaces the saved answer of each question listed; others keep theirs. */
export type AnswersSaved = DomainEvent<'AnswersSaved', AttemptIds & { answers: SavedAnswer[]; at: string }>;

export type AttemptSubmitted = DomainEvent<
  'AttemptSubmitted',
  AttemptIds & {
    attemptNumber: number;
    /** true when the deadline passed and the system submitted what was saved. */
    automatic: boolean;
    /** From the start to the submission, or to the deadline for an automatic one. */
    durationSeconds: number;
    at: string;
  }
>;

export interface QuestionResult {
  questionId: string;
  score: number;
  points: number;
  skills: string[];
  correct: boolean | 'partial';
}

/** Always follows AttemptSubmitted, in the same append. */
export type AttemptGraded = DomainEvent<
  'AttemptGraded',
  AttemptIds & {
    attemptNumber: number;
    /** In the order of the attempt's questionIds. */
    questions: QuestionResult[];
    totalScore: number;
    totalPoints: number;
    /** totalScore / totalPoints scaled to maxGrade, 5 decimals. */
    grade: number;
    maxGrade: number;
    /** null when the quiz has no pass grade. */
    passed: boolean | null;
    at: string;
  }
>;

/** A review of a submitted attempt was read (by the learner or a teacher): reads are events too. */
export type AttemptReviewed = DomainEvent<'AttemptReviewed', AttemptIds & { attemptNumber: number; by: string; at: string }>;

export type AttemptEvent = AttemptStarted | AnswersSaved | AttemptSubmitted | AttemptGraded | AttemptReviewed;

const ids = { attemptId: uuid, quizId: uuid, courseId: uuid, learnerId: uuid };
const MAX_QUESTIONS = 10_000;

const questionResult = object({
  questionId: uuid,
  score: nonNegativeNumber,
  points: positiveNumber,
  skills: arrayOf(slug, 1, 10, { unique: true }),
  correct: oneOf(true, false, 'partial'),
});

export const ATTEMPT_EVENT_TYPES: EventTypeDefinition[] = [
  {
    type: 'AttemptStarted',
    version: 1,
    validate: validator(
      object({ ...ids, attemptNumber: positiveInteger, questionIds: arrayOf(uuid, 1, MAX_QUESTIONS, { unique: true }), deadline: nullable(instant), at: instant }),
    ),
  },
  {
    type: 'AnswersSaved',
    version: 1,
    validate: validator(object({ ...ids, answers: arrayOf(object({ questionId: uuid, answer: personalValue }), 1, MAX_QUESTIONS), at: instant })),
  },
  {
    type: 'AttemptSubmitted',
    version: 1,
    validate: validator(object({ ...ids, attemptNumber: positiveInteger, automatic: bool, durationSeconds: wholeNumber, at: instant })),
  },
  {
    type: 'AttemptGraded',
    version: 1,
    validate: validator(
      object({
        ...ids,
        attemptNumber: positiveInteger,
        questions: arrayOf(questionResult, 1, MAX_QUESTIONS),
        totalScore: nonNegativeNumber,
        totalPoints: positiveNumber,
        grade: nonNegativeNumber,
        maxGrade: positiveNumber,
        passed: nullable(bool),
        at: instant,
      }),
    ),
  },
  { type: 'AttemptReviewed', version: 1, validate: validator(object({ ...ids, attemptNumber: positiveInteger, by: uuid, at: instant })) },
];
