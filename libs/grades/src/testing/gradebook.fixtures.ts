/**
 * Ids and events the gradebook specs share (test support only: not exported
 * from index.ts). One course with quizzes (weight 40, drop the lowest 1),
 * assignments (weight 60) and a root participation item (weight 20).
 */
import type { GradebookEvent, GradeSource } from '../gradebook.events';

export const COURSE = '00000000-0000-4000-8000-00000000c001';
export const TEACHER = '00000000-0000-4000-8000-00000000e001';
export const ANN = '00000000-0000-4000-8000-0000000a0001';
export const BEN = '00000000-0000-4000-8000-0000000a0002';
export const CLEO = '00000000-0000-4000-8000-0000000a0003';
export const QUIZZES = '00000000-0000-4000-8000-0000000ca701';
export const ASSIGNMENTS = '00000000-0000-4000-8000-0000000ca702';
export const Q1 = '00000000-0000-4000-8000-00000000a101';
export const Q2 = '00000000-0000-4000-8000-00000000a102';
export const Q3 = '00000000-0000-4000-8000-00000000a103';
export const A1 = '00000000-0000-4000-8000-00000000a201';
export const A2 = '00000000-0000-4000-8000-00000000a202';
export const PART = '00000000-0000-4000-8000-00000000a301';
/** The activities behind the items. */
export const QUIZ_1 = '00000000-0000-4000-8000-00000000b101';
export const QUIZ_2 = '00000000-0000-4000-8000-00000000b102';
export const QUIZ_3 = '00000000-0000-4000-8000-00000000b103';
export const ASSIGNMENT_1 = '00000000-0000-4000-8000-00000000b201';
export const ASSIGNMENT_2 = '00000000-0000-4000-8000-00000000b202';

export const NOW = '2025-03-01T10:00:00.000Z';
const acted = { courseId: COURSE, by: TEACHER, at: NOW };

export const setUp: GradebookEvent = {
  type: 'GradebookSetUp',
  data: {
    courseId: COURSE,
    passPercentage: 50,
    letterScale: [
      { letter: 'A', minPercentage: 80 },
      { letter: 'B', minPercentage: 70 },
      { letter: 'C', minPercentage: 60 },
      { letter: 'D', minPercentage: 50 },
      { letter: 'F', minPercentage: 0 },
    ],
    by: TEACHER,
    at: NOW,
  },
};

export const categoryAdded = (categoryId: string, name: string, weight: number, dropLowest = 0): GradebookEvent => ({
  type: 'GradeCategoryAdded',
  data: { ...acted, categoryId, name, weight, dropLowest },
});

export const itemAdded = (itemId: string, source: GradeSource, categoryId: string | null, maxGrade: number, weight = 1): GradebookEvent => ({
  type: 'GradeItemAdded',
  data: { ...acted, itemId, name: `item ${itemId.slice(-4)}`, source, categoryId, maxGrade, weight },
});

export const graded = (itemId: string, learnerId: string, grade: number, source: 'activity' | 'manual' = 'activity'): GradebookEvent => ({
  type: 'GradeRecorded',
  data: { courseId: COURSE, itemId, learnerId, grade, source, by: source === 'manual' ? TEACHER : null, at: NOW },
});

export const overridden = (target: string, learnerId: string, grade: number): GradebookEvent => ({
  type: 'GradeOverridden',
  data: { ...acted, target, learnerId, grade, reason: 'missed the quiz for a medical reason' },
});

export const released = (...itemIds: string[]): GradebookEvent => ({ type: 'GradesReleased', data: { ...acted, itemIds } });

/** The course's structure, no grades yet. */
export const structure: GradebookEvent[] = [
  setUp,
  categoryAdded(QUIZZES, 'Quizzes', 40, 1),
  categoryAdded(ASSIGNMENTS, 'Assignments', 60),
  itemAdded(Q1, { kind: 'quiz', id: QUIZ_1 }, QUIZZES, 10),
  itemAdded(Q2, { kind: 'quiz', id: QUIZ_2 }, QUIZZES, 20),
  itemAdded(Q3, { kind: 'quiz', id: QUIZ_3 }, QUIZZES, 10),
  itemAdded(A1, { kind: 'assignment', id: ASSIGNMENT_1 }, ASSIGNMENTS, 100, 2),
  itemAdded(A2, { kind: 'assignment', id: ASSIGNMENT_2 }, ASSIGNMENTS, 50, 1),
  itemAdded(PART, { kind: 'manual' }, null, 10, 20),
];
