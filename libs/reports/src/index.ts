/**
 * Reports built from projections: the course log (Moodle's logs and live
 * logs reports) and the platform's usage statistics (k-anonymous). Other code
 * imports '@learnstream/reports'.
 */
export * from './headless';
export { DEFAULT_REPORTS_OPTIONS, REPORTS_OPTIONS, type ReportsOptions } from './reports.options';
export { ReportsModule } from './reports.module';
export { LiveTails } from './course-log/live-tails';
export { CourseLogProjection } from './course-log/course-log.projection';
export { GetCourseLogQuery, type CourseLogPage } from './course-log/queries/get-course-log.query';
export type { CourseLogRow, PersonRef } from './course-log/course-log.views';
export type { CourseLogFilter } from './course-log/course-log.filter';
export { GetUsageReportQuery } from './usage/queries/get-usage-report.query';
export type { UsageReportView, UsagePeriodView } from './usage/usage.views';
export { UsageActivityProjection } from './usage/usage-activity.projection';
// The titles of what events are about (the learner timeline of the progress reports shows them too).
export { readObjectTitles, type ObjectRef } from './object-titles';
// The request shapes of the course log and the usage report, for the GraphQL arguments that extend them.
export { CourseLogFilterDto, CourseLogQueryDto, toCourseLogFilter } from './course-log/course-log.dto';
export { UsageQueryDto, usageRange } from './usage/usage.dto';
