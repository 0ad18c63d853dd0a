/** What the gradebook endpoints answer. */
import type { CompletionProgress } from './completion';
import type { CompletionRules } from './completion-rules';
import type { CourseGrades, LearnerCourseGrades } from './course-grades';
import type { GradebookState, GradeCategory, GradeItem } from './gradebook.state';
import type { LetterGrade } from './gradebook.events';

export interface GradebookView {
  courseId: string;
  passPercentage: number;
  letterScale: LetterGrade[];
  categories: GradeCategory[];
  items: GradeItem[];
}

export function gradebookViewOf(courseId: string, state: GradebookState): GradebookView {
  return { courseId, passPercentage: state.passPercentage, letterScale: [...state.letterScale], categories: [...state.categories.values()], items: [...state.items.values()] };
}

export type LearnerGradesView = { learnerId: string } & (CourseGrades | LearnerCourseGrades);

export interface CourseGradesView extends GradebookView {
  /** true: missing grades count as 0 (the end-of-term total); false: they are left out (the total so far). */
  final: boolean;
  learners: LearnerGradesView[];
  /** Learners left out: their processing is restricted (only they and the DPO see their record). */
  restricted: number;
}

export type LearnerGradesResponse = LearnerGradesView & {
  courseId: string;
  final: boolean;
  /** true: the learner's own view (released grades only, totals withheld while they depend on a hidden grade). */
  releasedOnly: boolean;
};

export interface CompletionRulesView {
  courseId: string;
  activities: { activityId: string; kind: string; rule: string }[];
  criteria: { requireAll: readonly string[] | 'all'; minimumCourseGradePercentage: number | null } | null;
}

export function completionRulesViewOf(courseId: string, rules: CompletionRules): CompletionRulesView {
  return { courseId, activities: [...rules.activities].map(([activityId, r]) => ({ activityId, kind: r.kind, rule: r.rule })), criteria: rules.criteria };
}

export interface LearnerCompletionView {
  learnerId: string;
  activities: { activityId: string; rule: string; completedAt: string }[];
  progress: CompletionProgress;
  courseCompleted: boolean;
  courseCompletedAt: string | null;
}
