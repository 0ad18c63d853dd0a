import { spec } from '../../domain/src/testing/given-when-then';
import { computeCourseGrades, visibleToLearner } from './course-grades';
import { gradebook } from './gradebook';
import type { GradebookEvent } from './gradebook.events';
import {
  A1, A2, ANN, ASSIGNMENTS, BEN, CLEO, COURSE, graded, itemAdded, NOW, overridden, PART, Q1, Q2, Q3, QUIZZES, released, setUp, structure, TEACHER,
} from './testing/gradebook.fixtures';

const stateOf = (...events: GradebookEvent[]) => spec(gradebook).given(...events).state;
const percentages = (result: ReturnType<typeof computeCourseGrades>) => Object.fromEntries(result.items.map((i) => [i.itemId, i.percentage]));
const categoryPercentages = (result: ReturnType<typeof computeCourseGrades>) => Object.fromEntries(result.categories.map((c) => [c.categoryId, c.percentage]));

/**
 * Ann has every grade:
 *   Q1 8/10 = 80 %, Q2 10/20 = 50 %, Q3 9/10 = 90 %; quizzes drop the lowest: Q2
 *   A1 70/100 = 70 % (weight 2), A2 45/50 = 90 % (weight 1); participation 10/10 = 100 %
 */
const annGraded = [graded(Q1, ANN, 8), graded(Q2, ANN, 10), graded(Q3, ANN, 9), graded(A1, ANN, 70), graded(A2, ANN, 45), graded(PART, ANN, 10, 'manual')];
/** Ben, in the middle of the term: Q1 6/10 = 60 %, A1 50/100 = 50 %, nothing else yet. */
const benGraded = [graded(Q1, BEN, 6), graded(A1, BEN, 50)];

describe('computeCourseGrades: weighted means', () => {
  it('aggregates items into categories, categories and root items into the total', () => {
    const result = computeCourseGrades(stateOf(...structure, ...annGraded), ANN);
    expect(percentages(result)).toEqual({ [Q1]: 80, [Q2]: 50, [Q3]: 90, [A1]: 70, [A2]: 90, [PART]: 100 });
    expect(result.items.filter((i) => i.dropped).map((i) => i.itemId)).toEqual([Q2]);
    // quizzes: (80 + 90) / 2 = 85 (Q2 dropped); assignments: (2 × 70 + 1 × 90) / 3 = 230 / 3 = 76.66667
    expect(categoryPercentages(result)).toEqual({ [QUIZZES]: 85, [ASSIGNMENTS]: 76.66667 });
    // total: (40 × 85 + 60 × 76.6667 + 20 × 100) / (40 + 60 + 20) = (3400 + 4600 + 2000) / 120 = 83.33333
    expect(result.total).toEqual({ percentage: 83.33333, letter: 'A', passed: true, overridden: false });
  });

  it('gives grades as points and says which are overridden', () => {
    const result = computeCourseGrades(stateOf(...structure, ...annGraded, overridden(Q2, ANN, 20)), ANN);
    expect(result.items.find((i) => i.itemId === Q2)).toEqual({ itemId: Q2, categoryId: QUIZZES, grade: 20, percentage: 100, released: false, overridden: true, dropped: false });
    expect(result.items.find((i) => i.itemId === PART)).toMatchObject({ grade: 10, categoryId: null, overridden: false });
  });

  it('gives nothing for a learner without grades, and a gradebook not set up', () => {
    const none = { percentage: null, letter: null, passed: null, overridden: false };
    expect(computeCourseGrades(stateOf(...structure), CLEO).total).toEqual(none);
    expect(computeCourseGrades(stateOf(), CLEO)).toEqual({ items: [], categories: [], total: none });
  });
});

describe('computeCourseGrades: MISSING GRADES RULE', () => {
  it('in progress: leaves missing grades out and renormalises the weights of graded items', () => {
    const result = computeCourseGrades(stateOf(...structure, ...benGraded), BEN);
    expect(percentages(result)).toEqual({ [Q1]: 60, [Q2]: null, [Q3]: null, [A1]: 50, [A2]: null, [PART]: null });
    // quizzes: Q1 alone = 60 (dropLowest never drops the last graded item); assignments: A1 alone = 50
    expect(categoryPercentages(result)).toEqual({ [QUIZZES]: 60, [ASSIGNMENTS]: 50 });
    // total: participation left out: (40 × 60 + 60 × 50) / (40 + 60) = 5400 / 100 = 54
    expect(result.total).toEqual({ percentage: 54, letter: 'D', passed: true, overridden: false });
  });

  it('final: counts missing grades as 0, and never drops them', () => {
    const result = computeCourseGrades(stateOf(...structure, ...benGraded), BEN, { final: true });
    expect(percentages(result)).toEqual({ [Q1]: 60, [Q2]: 0, [Q3]: 0, [A1]: 50, [A2]: 0, [PART]: 0 });
    expect(result.items.find((i) => i.itemId === Q2)).toMatchObject({ grade: null, dropped: false });
    // quizzes: (60 + 0 + 0) / 3 = 20; assignments: (2 × 50 + 1 × 0) / 3 = 33.33333
    expect(categoryPercentages(result)).toEqual({ [QUIZZES]: 20, [ASSIGNMENTS]: 33.33333 });
    // total: (40 × 20 + 60 × 33.3333 + 20 × 0) / 120 = (800 + 2000) / 120 = 23.33333
    expect(result.total).toEqual({ percentage: 23.33333, letter: 'F', passed: false, overridden: false });
  });

  it('final: a learner with no grade at all gets 0', () => {
    expect(computeCourseGrades(stateOf(...structure), CLEO, { final: true }).total).toEqual({ percentage: 0, letter: 'F', passed: false, overridden: false });
  });

  it('leaves a category with no grades out of the total; passing exactly at the pass percentage passes', () => {
    const result = computeCourseGrades(stateOf(...structure, graded(PART, CLEO, 5, 'manual')), CLEO);
    expect(categoryPercentages(result)).toEqual({ [QUIZZES]: null, [ASSIGNMENTS]: null });
    // total: participation alone, 5/10 = 50 % = the pass percentage
    expect(result.total).toEqual({ percentage: 50, letter: 'D', passed: true, overridden: false });
  });

  it('leaves an empty category out even in final mode', () => {
    const empty = '00000000-0000-4000-8000-0000000ca7ee';
    const state = stateOf(setUp, { type: 'GradeCategoryAdded', data: { courseId: COURSE, categoryId: empty, name: 'Empty', weight: 50, dropLowest: 0, by: TEACHER, at: NOW } },
      itemAdded(PART, { kind: 'manual' }, null, 10), graded(PART, ANN, 7, 'manual'));
    const result = computeCourseGrades(state, ANN, { final: true });
    expect(result.categories).toEqual([{ categoryId: empty, percentage: null }]);
    expect(result.total.percentage).toBe(70);
  });
});

describe('computeCourseGrades: dropLowest', () => {
  it('drops the item first in the gradebook when two are equally low', () => {
    // Q1 8/10 = 80 %, Q2 16/20 = 80 %, Q3 10/10 = 100 %: Q1 dropped; quizzes (80 + 100) / 2 = 90
    const result = computeCourseGrades(stateOf(...structure, graded(Q1, ANN, 8), graded(Q2, ANN, 16), graded(Q3, ANN, 10)), ANN);
    expect(result.items.filter((i) => i.dropped).map((i) => i.itemId)).toEqual([Q1]);
    expect(categoryPercentages(result)[QUIZZES]).toBe(90);
  });

  it('keeps the highest graded item when dropLowest is larger than the graded items', () => {
    const dropFive: GradebookEvent = { type: 'GradeCategoryUpdated', data: { courseId: COURSE, categoryId: QUIZZES, name: 'Quizzes', weight: 40, dropLowest: 5, by: TEACHER, at: NOW } };
    const result = computeCourseGrades(stateOf(...structure, dropFive, ...annGraded), ANN);
    expect(result.items.filter((i) => i.dropped).map((i) => i.itemId)).toEqual([Q1, Q2]); // in gradebook order: Q1 80 %, Q2 50 % dropped, Q3 90 % kept
    expect(categoryPercentages(result)[QUIZZES]).toBe(90);
  });

  it('drops nothing with dropLowest 0', () => {
    // assignments: 70 and 90 both count: (2 × 70 + 90) / 3
    const result = computeCourseGrades(stateOf(...structure, ...annGraded), ANN);
    expect(result.items.filter((i) => i.categoryId === ASSIGNMENTS).every((i) => !i.dropped)).toBe(true);
  });
});

describe('computeCourseGrades: overrides', () => {
  it('uses an item override, also over an activity grade recorded after it, until cleared', () => {
    // Q2 overridden 20/20 = 100 %: the lowest is now Q1 (80): quizzes (100 + 90) / 2 = 95
    // total: (40 × 95 + 4600 + 2000) / 120 = 10400 / 120 = 86.66667
    const history = [...structure, ...annGraded, overridden(Q2, ANN, 20), graded(Q2, ANN, 12)];
    expect(computeCourseGrades(stateOf(...history), ANN).total.percentage).toBe(86.66667);
    // cleared: Q2 is the later activity grade 12/20 = 60 %, dropped again: quizzes 85, total 83.33333
    const cleared: GradebookEvent = { type: 'GradeOverrideCleared', data: { courseId: COURSE, target: Q2, learnerId: ANN, by: TEACHER, at: NOW } };
    const result = computeCourseGrades(stateOf(...history, cleared), ANN);
    expect(result.items.find((i) => i.itemId === Q2)).toMatchObject({ grade: 12, percentage: 60, overridden: false, dropped: true });
    expect(result.total.percentage).toBe(83.33333);
  });

  it('replaces the computed total by a course override, letter and pass included', () => {
    const result = computeCourseGrades(stateOf(...structure, ...annGraded, overridden('course', ANN, 45)), ANN);
    expect(result.total).toEqual({ percentage: 45, letter: 'F', passed: false, overridden: true });
    expect(categoryPercentages(result)[QUIZZES]).toBe(85);
  });

  it('gives an overridden total even with no grade', () => {
    expect(computeCourseGrades(stateOf(...structure, overridden('course', CLEO, 72)), CLEO).total).toEqual({ percentage: 72, letter: 'B', passed: true, overridden: true });
  });
});

describe('computeCourseGrades: letters and pass mark', () => {
  it('rounds to 5 decimals before the letter: 79.99999999999999 from float sums is an A', () => {
    const I1 = '00000000-0000-4000-8000-00000000f001';
    const I2 = '00000000-0000-4000-8000-00000000f002';
    // (1 × 21.2 + 3 × 99.6) / 4 = 320 / 4 = 80, which floating point sums to 79.99999999999999
    const state = stateOf(setUp, itemAdded(I1, { kind: 'manual' }, null, 100, 1), itemAdded(I2, { kind: 'manual' }, null, 100, 3),
      graded(I1, ANN, 21.2, 'manual'), graded(I2, ANN, 99.6, 'manual'));
    expect(computeCourseGrades(state, ANN).total).toMatchObject({ percentage: 80, letter: 'A' });
  });

  it('uses the gradebook pass percentage and scale', () => {
    const settings: GradebookEvent = {
      type: 'GradebookSettingsUpdated',
      data: { courseId: COURSE, passPercentage: 55, letterScale: [{ letter: 'P', minPercentage: 55 }, { letter: 'NP', minPercentage: 0 }], by: TEACHER, at: NOW },
    };
    // Ben in progress: 54 %, just below 55
    expect(computeCourseGrades(stateOf(...structure, settings, ...benGraded), BEN).total).toEqual({ percentage: 54, letter: 'NP', passed: false, overridden: false });
  });
});

describe('visibleToLearner: RELEASE RULES', () => {
  const view = (events: GradebookEvent[], learnerId: string, final = false) => {
    const state = stateOf(...events);
    return visibleToLearner(computeCourseGrades(state, learnerId, { final }), state);
  };

  it('shows nothing before release, the total withheld', () => {
    const result = view([...structure, ...annGraded], ANN);
    expect(result.items).toEqual([]);
    expect(result.categories.every((c) => c.hidden && c.percentage === null)).toBe(true);
    expect(result.total).toEqual({ percentage: null, letter: null, passed: null, overridden: false, hidden: true });
  });

  it('lists released items only, and withholds what depends on an unreleased one', () => {
    const result = view([...structure, ...annGraded, released(Q1, Q2, Q3)], ANN);
    expect(result.items.map((i) => i.itemId)).toEqual([Q1, Q2, Q3]);
    expect(result.categories).toEqual([
      { categoryId: QUIZZES, percentage: 85, hidden: false },
      { categoryId: ASSIGNMENTS, percentage: null, hidden: true },
    ]);
    expect(result.total.hidden).toBe(true);
  });

  it('shows the total once every counted item is released', () => {
    const result = view([...structure, ...annGraded, released(Q1, Q2, Q3, A1, A2, PART)], ANN);
    expect(result.total).toEqual({ percentage: 83.33333, letter: 'A', passed: true, overridden: false, hidden: false });
  });

  it('counts a dropped item: unreleased, it withholds its category and the total', () => {
    const result = view([...structure, ...annGraded, released(Q1, Q3, A1, A2, PART)], ANN);
    expect(result.categories.find((c) => c.categoryId === QUIZZES)).toEqual({ categoryId: QUIZZES, percentage: null, hidden: true });
    expect(result.total.hidden).toBe(true);
  });

  it('in progress, an unreleased item without a grade is not in the total and does not hide it', () => {
    const result = view([...structure, ...benGraded, released(Q1, A1)], BEN);
    expect(result.total).toEqual({ percentage: 54, letter: 'D', passed: true, overridden: false, hidden: false });
  });

  it('in final mode the missing grades count, so their items must be released too', () => {
    expect(view([...structure, ...benGraded, released(Q1, A1)], BEN, true).total.hidden).toBe(true);
    expect(view([...structure, ...benGraded, released(Q1, Q2, Q3, A1, A2, PART)], BEN, true).total).toMatchObject({ percentage: 23.33333, hidden: false });
  });

  it('withholds an overridden total by the same rule', () => {
    expect(view([...structure, ...annGraded, overridden('course', ANN, 45), released(Q1)], ANN).total.hidden).toBe(true);
    expect(view([...structure, overridden('course', CLEO, 72)], CLEO).total).toMatchObject({ percentage: 72, overridden: true, hidden: false });
  });
});
