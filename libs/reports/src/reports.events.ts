/**
 * Reading a report is an action (DESIGN.md): these events record who read
 * which report, on the reader's activity stream `activity-<userId>` (as
 * CourseViewed), after the permission check and after the figures were read,
 * so that a refused read records nothing and a report never contains the
 * event of its own reading. Data holds ids and the request's parameters only.
 *
 *   CourseLogViewed    a course's log, as a page (json), an export (csv) or a
 *                      live tail (live); relatedUserId = the person the log was
 *                      filtered on, so that they can see who looked at their activity
 *   UsageReportViewed  the platform's usage statistics (aggregates only)
 */
import { calendarDate, eventType, nullable, oneOf, uuid, type DomainEvent, type Shape } from '@learnstream/domain';
import type { EventTypeDefinition } from '@learnstream/event-store';

export type CourseLogFormat = 'json' | 'csv' | 'live';
export const COURSE_LOG_FORMATS: readonly CourseLogFormat[] = ['json', 'csv', 'live'];

export type CourseLogViewed = DomainEvent<'CourseLogViewed', { courseId: string; userId: string; format: CourseLogFormat; filteredUserId: string | null }>;

export type Granularity = 'day' | 'week' | 'month';
export type UsageDimension = 'role' | 'school' | 'country';
export const GRANULARITIES: readonly Granularity[] = ['day', 'week', 'month'];
export const USAGE_DIMENSIONS: readonly UsageDimension[] = ['role', 'school', 'country'];

export type UsageReportViewed = DomainEvent<
  'UsageReportViewed',
  { userId: string; from: string; to: string; granularity: Granularity; by: UsageDimension; format: 'json' | 'csv' }
>;

export type ReportEvent = CourseLogViewed | UsageReportViewed;

export { activityStream as activityStreamId } from '@learnstream/event-store';

const define = (type: ReportEvent['type'], shape: Shape): EventTypeDefinition => eventType(type, shape, null, { closed: true });

export const REPORT_EVENT_TYPES: EventTypeDefinition[] = [
  define('CourseLogViewed', { courseId: uuid, userId: uuid, format: oneOf(...COURSE_LOG_FORMATS), filteredUserId: nullable(uuid) }),
  define('UsageReportViewed', { userId: uuid, from: calendarDate, to: calendarDate, granularity: oneOf(...GRANULARITIES), by: oneOf(...USAGE_DIMENSIONS), format: oneOf('json', 'csv') }),
];
