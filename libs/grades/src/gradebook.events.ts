/**
 * Gradebook events: the public contract of a course's gradebook.
 *
 * Stream: every event here goes to `gradebook-<courseId>` (gradebookStreamId):
 * one gradebook per course, with the course's own uuid.
 *
 * Events are self-describing (each carries its courseId, and learner events
 * their learnerId) so that a projection never has to parse a stream id; `by`
 * is the user who acted and `at` the domain time the command gave.
 */
import { isUuid, simple, type DomainEvent, type Shape } from '@learnstream/domain';
import type { EventTypeDefinition } from '@learnstream/event-store';
import {
  either,
  fieldProblems,
  isoTime,
  nonNegative,
  oneOf,
  percentage,
  personalText,
  positive,
  text,
  uuid,
  uuidList,
  uuidOrNull,
  wholeNumber,
  type Check,
} from './event-validators';
import { letterScaleProblems } from './gradebook-settings';

export const GRADEBOOK_STREAM_CATEGORY = 'gradebook';

export function gradebookStreamId(courseId: string): string {
  return `${GRADEBOOK_STREAM_CATEGORY}-${courseId.toLowerCase()}`;
}

export interface LetterGrade {
  letter: string;
  minPercentage: number;
}

export type ActivityKind = 'quiz' | 'assignment' | 'offline';

/** Where an item's grades come from: an activity (graded by the assessments feature) or teachers directly. */
export type GradeSource = { kind: ActivityKind; id: string } | { kind: 'manual' };

/** How a grade arrived: from an activity through the handler, or typed by a teacher on a manual item. */
export type GradeOrigin = 'activity' | 'manual';

/** The course total, as a percentage, as an override target (else an item id). */
export const COURSE_TOTAL = 'course';
export type OverrideTarget = string | typeof COURSE_TOTAL;

export type GradebookSetUp = DomainEvent<'GradebookSetUp', {
  courseId: string;
  passPercentage: number;
  letterScale: LetterGrade[];
  by: string;
  at: string;
}>;

/** Carries the full settings after the change. */
export type GradebookSettingsUpdated = DomainEvent<'GradebookSettingsUpdated', {
  courseId: string;
  passPercentage: number;
  letterScale: LetterGrade[];
  by: string;
  at: string;
}>;

export type GradeCategoryAdded = DomainEvent<'GradeCategoryAdded', {
  courseId: string;
  categoryId: string;
  name: string;
  weight: number;
  dropLowest: number;
  by: string;
  at: string;
}>;

/** Carries the category's full settings after the change. */
export type GradeCategoryUpdated = DomainEvent<'GradeCategoryUpdated', {
  courseId: string;
  categoryId: string;
  name: string;
  weight: number;
  dropLowest: number;
  by: string;
  at: string;
}>;

export type GradeCategoryRemoved = DomainEvent<'GradeCategoryRemoved', {
  courseId: string;
  categoryId: string;
  by: string;
  at: string;
}>;

export type GradeItemAdded = DomainEvent<'GradeItemAdded', {
  courseId: string;
  itemId: string;
  name: string;
  source: GradeSource;
  /** null: the course's root category. */
  categoryId: string | null;
  maxGrade: number;
  /** Weight within its category (or among the root's items and categories). */
  weight: number;
  by: string;
  at: string;
}>;

/** Carries the item's full settings after the change; its source never changes. */
export type GradeItemUpdated = DomainEvent<'GradeItemUpdated', {
  courseId: string;
  itemId: string;
  name: string;
  categoryId: string | null;
  maxGrade: number;
  weight: number;
  by: string;
  at: string;
}>;

/** The item's grades and overrides leave the gradebook with it (they stay in the log). */
export type GradeItemRemoved = DomainEvent<'GradeItemRemoved', {
  courseId: string;
  itemId: string;
  by: string;
  at: string;
}>;

export type GradeRecorded = DomainEvent<'GradeRecorded', {
  courseId: string;
  itemId: string;
  learnerId: string;
  /** Points, from 0 to the item's maxGrade. */
  grade: number;
  source: GradeOrigin;
  /** The grader; null when the system graded (an automatically marked quiz). */
  by: string | null;
  at: string;
}>;

export type GradeOverridden = DomainEvent<'GradeOverridden', {
  courseId: string;
  /** An item id, or 'course' for the course total. */
  target: OverrideTarget;
  learnerId: string;
  /** Points for an item; a percentage (0 to 100) for the course total. */
  grade: number;
  /**
   * Why the teacher overrode: free text about the learner, so PERSONAL DATA,
   * written as `personal(learnerId, text)` and sealed in the log; reads back
   * as null once the learner is erased.
   */
  reason: unknown;
  by: string;
  at: string;
}>;

export type GradeOverrideCleared = DomainEvent<'GradeOverrideCleared', {
  courseId: string;
  target: OverrideTarget;
  learnerId: string;
  by: string;
  at: string;
}>;

/** The items whose release changed ('all' is resolved to the ids it meant when decided). */
export type GradesReleased = DomainEvent<'GradesReleased', {
  courseId: string;
  itemIds: string[];
  by: string;
  at: string;
}>;

export type GradesHidden = DomainEvent<'GradesHidden', {
  courseId: string;
  itemIds: string[];
  by: string;
  at: string;
}>;

export type GradebookEvent =
  | GradebookSetUp
  | GradebookSettingsUpdated
  | GradeCategoryAdded
  | GradeCategoryUpdated
  | GradeCategoryRemoved
  | GradeItemAdded
  | GradeItemUpdated
  | GradeItemRemoved
  | GradeRecorded
  | GradeOverridden
  | GradeOverrideCleared
  | GradesReleased
  | GradesHidden;

const letterScale: Check = (v, path) => {
  const problems = letterScaleProblems(v);
  return problems.length ? [`${path} is invalid: ${problems.join('; ')}`] : [];
};

const gradeSource = simple("{ kind: 'quiz' | 'assignment' | 'offline', id: UUID } or { kind: 'manual' }", (v) => {
  const source = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  return (source.kind === 'manual' && !('id' in source)) || (['quiz', 'assignment', 'offline'].includes(source.kind as string) && isUuid(source.id));
});

const overrideTarget = either(uuid, oneOf(COURSE_TOTAL));
const name = text(1, 200);
const actedAt = { by: uuid, at: isoTime };

function definition(type: GradebookEvent['type'], checks: Shape): EventTypeDefinition {
  return { type, version: 1, validate: (data) => fieldProblems(data, checks) };
}

export const GRADEBOOK_EVENT_TYPES: EventTypeDefinition[] = [
  definition('GradebookSetUp', { courseId: uuid, passPercentage: percentage, letterScale, ...actedAt }),
  definition('GradebookSettingsUpdated', { courseId: uuid, passPercentage: percentage, letterScale, ...actedAt }),
  definition('GradeCategoryAdded', { courseId: uuid, categoryId: uuid, name, weight: nonNegative, dropLowest: wholeNumber, ...actedAt }),
  definition('GradeCategoryUpdated', { courseId: uuid, categoryId: uuid, name, weight: nonNegative, dropLowest: wholeNumber, ...actedAt }),
  definition('GradeCategoryRemoved', { courseId: uuid, categoryId: uuid, ...actedAt }),
  definition('GradeItemAdded', {
    courseId: uuid, itemId: uuid, name, source: gradeSource, categoryId: uuidOrNull, maxGrade: positive, weight: nonNegative, ...actedAt,
  }),
  definition('GradeItemUpdated', { courseId: uuid, itemId: uuid, name, categoryId: uuidOrNull, maxGrade: positive, weight: nonNegative, ...actedAt }),
  definition('GradeItemRemoved', { courseId: uuid, itemId: uuid, ...actedAt }),
  definition('GradeRecorded', {
    courseId: uuid, itemId: uuid, learnerId: uuid, grade: nonNegative, source: oneOf('activity', 'manual'), by: uuidOrNull, at: isoTime,
  }),
  definition('GradeOverridden', {
    courseId: uuid, target: overrideTarget, learnerId: uuid, grade: nonNegative, reason: personalText(3, 500), ...actedAt,
  }),
  definition('GradeOverrideCleared', { courseId: uuid, target: overrideTarget, learnerId: uuid, ...actedAt }),
  definition('GradesReleased', { courseId: uuid, itemIds: uuidList, ...actedAt }),
  definition('GradesHidden', { courseId: uuid, itemIds: uuidList, ...actedAt }),
];
