/**
 * '@learnstream/grades/headless': the gradebook and completion without HTTP (events, deciders, computations): what
 * the CLI's import loads. The barrel adds the module, the read model, commands, queries and bodies.
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
