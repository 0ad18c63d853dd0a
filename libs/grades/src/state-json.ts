/**
 * The gradebook and completion-rules states as JSON, the way the grades
 * projection stores them (their Maps keep their order as arrays). Pure.
 */
import type { ActivityCompletionRule, CompletionRules } from './completion-rules';
import type { GradeCategory, GradebookState, GradeItem } from './gradebook.state';
import type { LetterGrade } from './gradebook.events';

export interface GradebookJson {
  courseId: string | null;
  passPercentage: number;
  letterScale: LetterGrade[];
  categories: GradeCategory[];
  items: GradeItem[];
  learners: { learnerId: string; grades: [string, number][]; overrides: [string, number][]; courseOverride: number | null }[];
}

export function gradebookToJson(state: GradebookState): GradebookJson {
  return {
    courseId: state.courseId,
    passPercentage: state.passPercentage,
    letterScale: [...state.letterScale],
    categories: [...state.categories.values()],
    items: [...state.items.values()],
    learners: [...state.learners].map(([learnerId, l]) => ({ learnerId, grades: [...l.grades], overrides: [...l.overrides], courseOverride: l.courseOverride })),
  };
}

export function gradebookFromJson(json: GradebookJson): GradebookState {
  return {
    courseId: json.courseId,
    passPercentage: json.passPercentage,
    letterScale: json.letterScale,
    categories: new Map(json.categories.map((c) => [c.categoryId, c])),
    items: new Map(json.items.map((i) => [i.itemId, i])),
    learners: new Map(json.learners.map((l) => [l.learnerId, { grades: new Map(l.grades), overrides: new Map(l.overrides), courseOverride: l.courseOverride }])),
  };
}

export interface CompletionRulesJson {
  courseId: string | null;
  activities: [string, ActivityCompletionRule][];
  criteria: CompletionRules['criteria'];
}

export function completionRulesToJson(rules: CompletionRules): CompletionRulesJson {
  return { courseId: rules.courseId, activities: [...rules.activities], criteria: rules.criteria };
}

export function completionRulesFromJson(json: CompletionRulesJson): CompletionRules {
  return { courseId: json.courseId, activities: new Map(json.activities), criteria: json.criteria };
}
