/**
 * Grades: a course's gradebook (categories, items, grades, overrides, release)
 * and completion (activity and course), as pure deciders and pure
 * computations. Command handlers, projections and the Nest module build on
 * these; other code imports '@learnstream/grades'.
 */
export * from './headless';

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
