import { quizResult, withActivityResults } from './activity-results';
import { computeCourseGrades } from './course-grades';
import { evolveGradebook, initialGradebookState, type GradebookState } from './gradebook.state';
import type { GradebookEvent } from './gradebook.events';
import { ANN, BEN, graded, itemAdded, PART, QUIZ_1, setUp } from './testing/gradebook.fixtures';

const Q = '00000000-0000-4000-8000-00000000f001';
const E = '00000000-0000-4000-8000-00000000f002';
const ESSAY = '00000000-0000-4000-8000-00000000f003';
const given = (...events: GradebookEvent[]): GradebookState => events.reduce(evolveGradebook, initialGradebookState());

describe('withActivityResults', () => {
  const state = given(setUp, itemAdded(Q, { kind: 'quiz', id: QUIZ_1 }, null, 20, 1), itemAdded(E, { kind: 'assignment', id: ESSAY }, null, 100, 1), itemAdded(PART, { kind: 'manual' }, null, 10, 1));

  it('puts each result on its activity’s item, scaled to the item’s maximum', () => {
    // Quiz 7 of 10 on an item out of 20: 14 points.
    const s = withActivityResults(state, [{ activityId: QUIZ_1, learnerId: ANN, grade: 7, maxGrade: 10 }]);
    expect(s.learners.get(ANN)?.grades.get(Q)).toBe(14);
    expect(computeCourseGrades(s, ANN).items.find((i) => i.itemId === Q)).toMatchObject({ grade: 14, percentage: 70 });
  });

  it('ignores results of activities without an item, and keeps manual grades', () => {
    const withManual = given(setUp, itemAdded(PART, { kind: 'manual' }, null, 10, 1), graded(PART, BEN, 8, 'manual'));
    const s = withActivityResults(withManual, [{ activityId: ESSAY, learnerId: BEN, grade: 50, maxGrade: 100 }]);
    expect([...s.learners.get(BEN)!.grades]).toEqual([[PART, 8]]);
  });

  it('replaces a grade recorded on an activity item, and leaves the input state as it was', () => {
    const recorded = given(setUp, itemAdded(E, { kind: 'assignment', id: ESSAY }, null, 100, 1), graded(E, ANN, 10));
    const s = withActivityResults(recorded, [{ activityId: ESSAY, learnerId: ANN, grade: 60, maxGrade: 100 }]);
    expect(s.learners.get(ANN)?.grades.get(E)).toBe(60);
    expect(recorded.learners.get(ANN)?.grades.get(E)).toBe(10);
  });

  it('rounds scaled points to 5 decimals', () => {
    const s = withActivityResults(state, [{ activityId: QUIZ_1, learnerId: ANN, grade: 1, maxGrade: 3 }]);
    expect(s.learners.get(ANN)?.grades.get(Q)).toBe(6.66667);
  });
});

describe('quizResult', () => {
  const attempts = [
    { attemptNumber: 2, grade: 4, maxGrade: 10 },
    { attemptNumber: 1, grade: 8, maxGrade: 10 },
    { attemptNumber: 3, grade: 6, maxGrade: 10 },
  ];

  it.each([
    ['highest', 8],
    ['first', 8],
    ['last', 6],
    ['average', 6],
  ] as const)('applies the grading method %s over the attempts in attempt order', (method, expected) => {
    expect(quizResult(attempts, method, 10)).toBe(expected);
  });

  it('puts attempts graded on an older maximum on the quiz’s current scale', () => {
    expect(quizResult([{ attemptNumber: 1, grade: 5, maxGrade: 10 }], 'last', 20)).toBe(10);
  });

  it('is null without a graded attempt', () => {
    expect(quizResult([], 'highest', 10)).toBeNull();
  });
});
