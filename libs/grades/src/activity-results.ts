/**
 * Activity grades reach the gradebook without a process manager: the grades
 * projection keeps each learner's result per activity (a quiz's final grade by
 * its grading method, an assignment's grade, an offline test's result), and
 * the read side puts those results into the gradebook state before
 * computeCourseGrades. Pure.
 *
 * An activity's grade is on the activity's scale (a quiz out of 10); the
 * gradebook item may have another maximum (out of 20): the result is scaled,
 *   points = grade / activity maxGrade × item maxGrade   (5 decimals).
 * A result replaces any grade recorded on the item by RecordGrade (source
 * 'activity'), which this path does not use.
 */
import { finalGradeOf, type GradingMethod } from '@learnstream/assessments/headless';
import type { GradebookState, LearnerGrades } from './gradebook.state';

export interface ActivityResult {
  activityId: string;
  learnerId: string;
  grade: number;
  maxGrade: number;
}

const round5 = (x: number) => Math.round(x * 1e5) / 1e5;

const EMPTY: LearnerGrades = { grades: new Map(), overrides: new Map(), courseOverride: null };

/** The gradebook state with the activity results placed on their items; results of activities without an item are ignored. */
export function withActivityResults(state: GradebookState, results: readonly ActivityResult[]): GradebookState {
  const itemsByActivity = new Map<string, { itemId: string; maxGrade: number }[]>();
  for (const item of state.items.values()) {
    if (item.source.kind === 'manual') continue;
    const list = itemsByActivity.get(item.source.id) ?? [];
    list.push({ itemId: item.itemId, maxGrade: item.maxGrade });
    itemsByActivity.set(item.source.id, list);
  }
  const learners = new Map(state.learners);
  for (const result of results) {
    for (const item of itemsByActivity.get(result.activityId) ?? []) {
      const current = learners.get(result.learnerId) ?? EMPTY;
      const points = Math.min(item.maxGrade, round5((result.grade / result.maxGrade) * item.maxGrade));
      learners.set(result.learnerId, { ...current, grades: new Map(current.grades).set(item.itemId, points) });
    }
  }
  return { ...state, learners };
}

export interface GradedAttempt {
  attemptNumber: number;
  grade: number;
  maxGrade: number;
}

/**
 * A learner's quiz grade from their graded attempts, by the quiz's grading
 * method (the assessments feature's finalGrade), on the quiz's current scale:
 * an attempt graded before the quiz's maximum changed counts in proportion.
 */
export function quizResult(attempts: readonly GradedAttempt[], method: GradingMethod, quizMaxGrade: number): number | null {
  const ordered = [...attempts].sort((a, b) => a.attemptNumber - b.attemptNumber);
  return finalGradeOf(
    ordered.map((a) => (a.maxGrade === quizMaxGrade ? a.grade : round5((a.grade / a.maxGrade) * quizMaxGrade))),
    method,
  );
}
