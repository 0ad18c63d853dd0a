/**
 * Grades: a course's gradebook (categories, items, grades, overrides, release)
 * and completion (activity and course), as pure deciders and pure
 * computations. Command handlers, projections and the Nest module build on
 * these; other code imports '@learnstream/grades'.
 */
export * from './gradebook.events';
export type * from './gradebook.commands';
export { gradebook, decideGradebook, gradeItemForActivity, OVERRIDE_REASON_MAX, OVERRIDE_REASON_MIN } from './gradebook';
export { evolveGradebook, initialGradebookState, type GradeCategory, type GradebookState, type GradeItem, type LearnerGrades } from './gradebook.state';
export { DEFAULT_LETTER_SCALE, DEFAULT_PASS_PERCENTAGE, letterFor, letterScaleProblems } from './gradebook-settings';
export {
  computeCourseGrades,
  visibleToLearner,
  releasedActivityIds,
  type CategoryGrade,
  type CourseGrades,
  type CourseGradesOptions,
  type CourseTotal,
  type ItemGrade,
  type LearnerCategoryGrade,
  type LearnerCourseGrades,
  type LearnerCourseTotal,
} from './course-grades';
export * from './completion.events';
export * from './completion-rules';
export * from './completion';
export { uuidV5, DNS_NAMESPACE } from '@learnstream/domain';
export { withActivityResults, quizResult, type ActivityResult, type GradedAttempt } from './activity-results';
export { gradebookToJson, gradebookFromJson, completionRulesToJson, completionRulesFromJson } from './state-json';
export * from './grade-views.events';

// The feature over HTTP and its read models.
export { GradesModule } from './grades.module';
export { GradesProjection } from './projections/grades.projection';
// The commands and queries the HTTP controllers send (GraphQL sends the same), their views and request bodies.
export { ChangeGradebookCommand, type GradebookChange, type GradebookChangeResult } from './commands/change-gradebook.command';
export { GetCourseGradesQuery, GetGradebookQuery, GetLearnerGradesQuery } from './queries/grades.query';
export { GetCourseCompletionQuery, GetLearnerCompletionQuery, type CourseCompletionView } from './queries/completion.query';
export type { CompletionRulesView, CourseGradesView, GradebookView, LearnerCompletionView, LearnerGradesResponse, LearnerGradesView } from './views';
export { AddGradeItemDto, GradebookSettingsDto, LetterGradeDto, OverrideDto, ReleaseDto } from './http/dto';
// The grades and completion read models as other features (the progress reports) read them.
export {
  completionRead,
  completionsPerPeriod,
  courseCompletionsRead,
  gradebooksRead,
  learnerCompletion,
  quizGradingRead,
  learnerGrades,
  readCompletion,
  readCourseCompletions,
  readGradebooks,
  readQuizGrading,
  type CompletionRows,
  type CompletionsInPeriod,
  type CompletionView,
  type CourseCompletionRecord,
  type CourseGradeView,
  type QuizGrading,
} from './queries/read-models';
