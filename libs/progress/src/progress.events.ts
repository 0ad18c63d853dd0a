/**
 * Reading a report is an action (DESIGN.md): these events record who read
 * which progress report, on the reader's activity stream `activity-<userId>`
 * (as CourseViewed), after the permission check and after the figures were
 * read, so that a refused read records nothing and a report never contains
 * the event of its own reading. Data holds ids and the request's parameters only.
 *
 *   LearnerProfileViewed  a learner's profile (or a page of its timeline);
 *                         relatedUserId = the learner, so that they can see who
 *                         looked at their profile
 *   ClassReportViewed     a course's class report
 *   SchoolReportViewed    a school's report over a period
 *
 * And one setting: `EarlyWarningThresholdSet` on `early_warning-<schoolId>`,
 * the school's choice of the at-risk flag's threshold (precision-first or
 * recall-first, docs/early-warning.md), by a school admin; and
 * `EarlyWarningModelTrained` on the same stream: the at-risk model fitted on
 * the school's own finished courses (weights, thresholds and their expected
 * precision and recall on the school's held-out courses; aggregate figures, no
 * learner's), which the school's class reports score with from then on.
 *
 * Consumed, not emitted, here: the privacy feature's objection to profiling,
 * `ProfilingObjected` / `ProfilingObjectionWithdrawn` with data `{ userId, at }`
 * on the user's stream, sets `progress_learners.profiling_objected`
 * (projections/learner-activity.projection.ts).
 */
import { calendarDate, eventType, instant, oneOf, simple, uuid, wholeNumber, type DomainEvent, type Shape } from '@learnstream/domain';
import { isEarlyWarningModel, type EarlyWarningModel } from '@learnstream/early-warning';
import type { EventTypeDefinition } from '@learnstream/event-store';

export type ReportFormat = 'json' | 'csv';
export const REPORT_FORMATS: readonly ReportFormat[] = ['json', 'csv'];

/** Which part of a report was read (a CSV is one table of it). */
export const LEARNER_PARTS = ['profile', 'courses', 'skills', 'timeline'] as const;
export type LearnerPart = (typeof LEARNER_PARTS)[number];
export const CLASS_PARTS = ['report', 'participants', 'questions', 'distribution', 'assessments'] as const;
export type ClassPart = (typeof CLASS_PARTS)[number];
export const SCHOOL_PARTS = ['report', 'courses', 'subjects', 'grade-levels', 'teachers'] as const;
export type SchoolPart = (typeof SCHOOL_PARTS)[number];

export type LearnerProfileViewed = DomainEvent<'LearnerProfileViewed', { userId: string; learnerId: string; part: LearnerPart; format: ReportFormat }>;
export type ClassReportViewed = DomainEvent<'ClassReportViewed', { userId: string; courseId: string; part: ClassPart; format: ReportFormat }>;
export type SchoolReportViewed = DomainEvent<
  'SchoolReportViewed',
  { userId: string; schoolId: string; from: string; to: string; part: SchoolPart; format: ReportFormat }
>;

export const THRESHOLD_CHOICES = ['precision-first', 'recall-first'] as const;
export type EarlyWarningThresholdSet = DomainEvent<'EarlyWarningThresholdSet', { schoolId: string; threshold: (typeof THRESHOLD_CHOICES)[number]; by: string; at: string }>;
export type EarlyWarningModelTrained = DomainEvent<'EarlyWarningModelTrained', { schoolId: string; model: EarlyWarningModel; courses: number; learners: number; by: string; at: string }>;
export const EARLY_WARNING_EVENTS = { thresholdSet: 'EarlyWarningThresholdSet', modelTrained: 'EarlyWarningModelTrained' } as const;
export const earlyWarningStreamId = (schoolId: string) => `early_warning-${schoolId}`;

export type ProgressReportEvent = LearnerProfileViewed | ClassReportViewed | SchoolReportViewed | EarlyWarningThresholdSet | EarlyWarningModelTrained;

/** The objection to profiling, as this feature reads it (the privacy feature defines and emits it). */
export const PROFILING_EVENTS = { objected: 'ProfilingObjected', withdrawn: 'ProfilingObjectionWithdrawn' } as const;

export { activityStream as activityStreamId } from '@learnstream/event-store';

const define = (type: ProgressReportEvent['type'], shape: Shape): EventTypeDefinition => eventType(type, shape, null, { closed: true });

export const PROGRESS_EVENT_TYPES: EventTypeDefinition[] = [
  define('LearnerProfileViewed', { userId: uuid, learnerId: uuid, part: oneOf(...LEARNER_PARTS), format: oneOf(...REPORT_FORMATS) }),
  define('ClassReportViewed', { userId: uuid, courseId: uuid, part: oneOf(...CLASS_PARTS), format: oneOf(...REPORT_FORMATS) }),
  define('SchoolReportViewed', { userId: uuid, schoolId: uuid, from: calendarDate, to: calendarDate, part: oneOf(...SCHOOL_PARTS), format: oneOf(...REPORT_FORMATS) }),
  define('EarlyWarningThresholdSet', { schoolId: uuid, threshold: oneOf(...THRESHOLD_CHOICES), by: uuid, at: instant }),
  define('EarlyWarningModelTrained', { schoolId: uuid, model: simple('an early-warning model (libs/early-warning model.ts)', isEarlyWarningModel), courses: wholeNumber, learners: wholeNumber, by: uuid, at: instant }),
];
