/**
 * Progress reports built from projections: the learner profile, the class
 * report and the school report (JSON and CSV), their read events, and the two
 * projections that feed them. Other code imports '@learnstream/progress'.
 */
export * from './headless';
export * from './rules';
export { DEFAULT_PROGRESS_OPTIONS, PROGRESS_OPTIONS, progressOptions, type ProgressOptions } from './progress.options';
export { ProgressModule } from './progress.module';
export { LearnerActivityProjection } from './projections/learner-activity.projection';
export { QuestionResultsProjection } from './projections/question-results.projection';
export { EarlyWarningProjection } from './projections/early-warning.projection';
export { GetLearnerProfileQuery, GetLearnerTimelineQuery, PROFILING_NOTE, type LearnerProfileView, type TimelinePage } from './queries/get-learner-profile.query';
export { GetClassReportQuery, type ClassReportView, type EarlyWarningView } from './queries/get-class-report.query';
export type { AtRiskView, ModelReason } from './queries/early-warning';
export { GetSchoolReportQuery, type SchoolReportView } from './queries/get-school-report.query';
export { classAsOf, ClassReportDto, LearnerProfileDto, SchoolReportDto, schoolPeriod, TimelineDto } from './http/dto';
