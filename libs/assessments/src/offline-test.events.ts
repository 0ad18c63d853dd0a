/**
 * Offline test events: the public contract of tests taken on paper (or
 * anywhere outside the platform) whose results a teacher records.
 *
 * Stream: `offline_test-<offlineTestId>` (offlineTestStreamId) holds the test
 * and every learner's result.
 *
 * Feedback is about the learner: personal data, wrapped with
 * `personal(learnerId, feedback)` by the handler.
 *
 * Data shapes are type aliases, not interfaces, so that they fit the event
 * log's `Record<string, unknown>` data as they are.
 */
import type { DomainEvent } from '@learnstream/domain';
import type { EventTypeDefinition } from '@learnstream/event-store';
import { bool, calendarDate, instant, nonNegativeNumber, nullable, object, personalValue, positiveNumber, text, uuid, validator } from './data-checks';
import { gradeLimitsProblems } from './grading';

export type OfflineTestCreated = DomainEvent<
  'OfflineTestCreated',
  {
    offlineTestId: string;
    courseId: string;
    title: string;
    maxGrade: number;
    passGrade: number | null;
    /** The calendar day the test was sat, YYYY-MM-DD. */
    takenOn: string;
    by: string;
    at: string;
  }
>;

/** A learner's result; a later one replaces it. */
export type OfflineResultRecorded = DomainEvent<
  'OfflineResultRecorded',
  {
    offlineTestId: string;
    courseId: string;
    learnerId: string;
    grade: number;
    maxGrade: number;
    /** null when the test has no pass grade. */
    passed: boolean | null;
    /** About the learner: personal data, `personal(learnerId, feedback)` when written; null when none or erased. */
    feedback: unknown;
    /** The grade this one replaces; null for the learner's first result. */
    previousGrade: number | null;
    by: string;
    at: string;
  }
>;

export type OfflineTestEvent = OfflineTestCreated | OfflineResultRecorded;

const created = object({
  offlineTestId: uuid,
  courseId: uuid,
  title: text(200),
  maxGrade: positiveNumber,
  passGrade: nullable(nonNegativeNumber),
  takenOn: calendarDate,
  by: uuid,
  at: instant,
});

export const OFFLINE_TEST_EVENT_TYPES: EventTypeDefinition[] = [
  {
    type: 'OfflineTestCreated',
    version: 1,
    validate: (d) => {
      const problems = validator(created)(d);
      return problems.length ? problems : gradeLimitsProblems(d.maxGrade, d.passGrade);
    },
  },
  {
    type: 'OfflineResultRecorded',
    version: 1,
    validate: validator(
      object({
        offlineTestId: uuid,
        courseId: uuid,
        learnerId: uuid,
        grade: nonNegativeNumber,
        maxGrade: positiveNumber,
        passed: nullable(bool),
        feedback: nullable(personalValue),
        previousGrade: nullable(nonNegativeNumber),
        by: uuid,
        at: instant,
      }),
    ),
  },
];
