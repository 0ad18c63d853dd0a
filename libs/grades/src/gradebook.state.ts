/**
 * The gradebook's state, folded from its events: what decide() checks rules
 * against and what computeCourseGrades() turns into a learner's grades.
 * Maps keep insertion order, which is the gradebook's display order and the
 * tie-break of dropLowest.
 */
import { COURSE_TOTAL, type GradebookEvent, type GradeSource, type LetterGrade } from './gradebook.events';
import { DEFAULT_LETTER_SCALE, DEFAULT_PASS_PERCENTAGE } from './gradebook-settings';

export interface GradeCategory {
  categoryId: string;
  name: string;
  weight: number;
  dropLowest: number;
}

export interface GradeItem {
  itemId: string;
  name: string;
  source: GradeSource;
  categoryId: string | null;
  maxGrade: number;
  weight: number;
  /** Learners see an item's grades only once it is released; a new item is hidden. */
  released: boolean;
}

export interface LearnerGrades {
  /** Recorded points by item id (activity or manual). */
  grades: ReadonlyMap<string, number>;
  /** Overridden points by item id: they win over recorded grades, later ones too. */
  overrides: ReadonlyMap<string, number>;
  /** Overridden course total, as a percentage. */
  courseOverride: number | null;
}

export interface GradebookState {
  /** null until the gradebook is set up. */
  courseId: string | null;
  passPercentage: number;
  letterScale: readonly LetterGrade[];
  categories: ReadonlyMap<string, GradeCategory>;
  items: ReadonlyMap<string, GradeItem>;
  learners: ReadonlyMap<string, LearnerGrades>;
}

export function initialGradebookState(): GradebookState {
  return {
    courseId: null,
    passPercentage: DEFAULT_PASS_PERCENTAGE,
    letterScale: DEFAULT_LETTER_SCALE,
    categories: new Map(),
    items: new Map(),
    learners: new Map(),
  };
}

const NO_GRADES: LearnerGrades = { grades: new Map(), overrides: new Map(), courseOverride: null };

function withLearner(state: GradebookState, learnerId: string, change: (learner: LearnerGrades) => LearnerGrades): GradebookState {
  return { ...state, learners: new Map(state.learners).set(learnerId, change(state.learners.get(learnerId) ?? NO_GRADES)) };
}

function withRelease(state: GradebookState, itemIds: string[], released: boolean): GradebookState {
  const items = new Map(state.items);
  for (const id of itemIds) {
    const item = items.get(id);
    if (item) items.set(id, { ...item, released });
  }
  return { ...state, items };
}

function without<V>(map: ReadonlyMap<string, V>, key: string): ReadonlyMap<string, V> {
  if (!map.has(key)) return map;
  const copy = new Map(map);
  copy.delete(key);
  return copy;
}

export function evolveGradebook(state: GradebookState, event: GradebookEvent): GradebookState {
  switch (event.type) {
    case 'GradebookSetUp':
    case 'GradebookSettingsUpdated': {
      const { courseId, passPercentage, letterScale } = event.data;
      return { ...state, courseId, passPercentage, letterScale };
    }
    case 'GradeCategoryAdded':
    case 'GradeCategoryUpdated': {
      const { categoryId, name, weight, dropLowest } = event.data;
      return { ...state, categories: new Map(state.categories).set(categoryId, { categoryId, name, weight, dropLowest }) };
    }
    case 'GradeCategoryRemoved':
      return { ...state, categories: without(state.categories, event.data.categoryId) };
    case 'GradeItemAdded': {
      const { itemId, name, source, categoryId, maxGrade, weight } = event.data;
      return { ...state, items: new Map(state.items).set(itemId, { itemId, name, source, categoryId, maxGrade, weight, released: false }) };
    }
    case 'GradeItemUpdated': {
      const { itemId, name, categoryId, maxGrade, weight } = event.data;
      const item = state.items.get(itemId);
      if (!item) return state;
      return { ...state, items: new Map(state.items).set(itemId, { ...item, name, categoryId, maxGrade, weight }) };
    }
    case 'GradeItemRemoved': {
      const { itemId } = event.data;
      const learners = new Map(
        [...state.learners].map(([id, l]) => [id, { ...l, grades: without(l.grades, itemId), overrides: without(l.overrides, itemId) }]),
      );
      return { ...state, items: without(state.items, itemId), learners };
    }
    case 'GradeRecorded': {
      const { itemId, learnerId, grade } = event.data;
      return withLearner(state, learnerId, (l) => ({ ...l, grades: new Map(l.grades).set(itemId, grade) }));
    }
    case 'GradeOverridden': {
      const { target, learnerId, grade } = event.data;
      if (target === COURSE_TOTAL) return withLearner(state, learnerId, (l) => ({ ...l, courseOverride: grade }));
      return withLearner(state, learnerId, (l) => ({ ...l, overrides: new Map(l.overrides).set(target, grade) }));
    }
    case 'GradeOverrideCleared': {
      const { target, learnerId } = event.data;
      if (target === COURSE_TOTAL) return withLearner(state, learnerId, (l) => ({ ...l, courseOverride: null }));
      return withLearner(state, learnerId, (l) => ({ ...l, overrides: without(l.overrides, target) }));
    }
    case 'GradesReleased':
      return withRelease(state, event.data.itemIds, true);
    case 'GradesHidden':
      return withRelease(state, event.data.itemIds, false);
  }
}
