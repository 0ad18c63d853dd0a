/**
 * Grade arithmetic shared by quizzes, assignments and offline tests. Precision
 * follows Moodle: question scores to 7 decimals (its question fractions),
 * grades to 5 (its gradebook columns), so sums of many scores do not drift
 * into 0.30000000000000004 in events.
 */
import { DomainError, NUMBER_BOUNDS, withinBound } from '@learnstream/domain';

export const SCORE_DECIMALS = 7;
export const GRADE_DECIMALS = 5;

export const roundTo = (x: number, places: number) => {
  const f = 10 ** places;
  return Math.round(x * f) / f;
};

/** Pass or fail against the pass mark; null when the assessment has none (Moodle shows no pass/fail then). */
export const passedFor = (grade: number, passGrade: number | null): boolean | null => (passGrade === null ? null : grade >= passGrade);

/** Problems with a maximum grade and a pass mark taken together. */
export function gradeLimitsProblems(maxGrade: unknown, passGrade: unknown): string[] {
  const problems: string[] = [];
  const { max } = NUMBER_BOUNDS.points;
  const maxOk = typeof maxGrade === 'number' && Number.isFinite(maxGrade) && maxGrade > 0;
  if (!maxOk) problems.push('maxGrade must be a number > 0');
  else if (!withinBound(maxGrade, NUMBER_BOUNDS.points)) problems.push(`maxGrade must be at most ${max}`);
  if (passGrade !== null && (typeof passGrade !== 'number' || !Number.isFinite(passGrade) || passGrade < 0)) {
    problems.push('passGrade must be a number ≥ 0 or null');
  } else if (passGrade !== null && !withinBound(passGrade, NUMBER_BOUNDS.points)) {
    problems.push(`passGrade must be at most ${max}`);
  } else if (maxOk && typeof passGrade === 'number' && passGrade > (maxGrade as number)) {
    problems.push('passGrade must not exceed maxGrade');
  }
  return problems;
}

/** A grade given by a teacher: 0 to maxGrade inclusive. */
export function assertGradeInRange(grade: number, maxGrade: number): void {
  if (typeof grade !== 'number' || !Number.isFinite(grade) || grade < 0 || grade > maxGrade) {
    throw new DomainError('invalid', 'GRADE_OUT_OF_RANGE', `the grade must be between 0 and ${maxGrade}`, [`grade must be between 0 and ${maxGrade}`]);
  }
}
