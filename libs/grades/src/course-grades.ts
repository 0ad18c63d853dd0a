/**
 * A learner's grades in a course, computed from the gradebook state (pure),
 * and the part of them the learner may see.
 *
 * Aggregation (Moodle's "weighted mean of grades"):
 * - an item's percentage is its points / maxGrade × 100, an override's points
 *   replacing the recorded grade;
 * - a category's percentage is the mean of its items' percentages weighted by
 *   the items' weights, after dropLowest;
 * - the course total is the mean of the category percentages (weighted by the
 *   categories' weights) and the root items' percentages (weighted by the items'
 *   weights), in one weighted mean: category and root item weights share a scale;
 * - an overridden course total replaces the computed one.
 *
 * MISSING GRADES RULE: while the course is in progress, an item without a grade
 * is left out and the weights of the graded items are renormalised (the total
 * says "how well so far"); with `{ final: true }` a missing grade counts as 0
 * (the final grade at the end of the term says "how much of the course was
 * achieved"). A category with nothing to count is left out of the total.
 *
 * dropLowest drops the N lowest percentages of a category among its GRADED
 * items only (in final mode a missing grade is a 0 that is never dropped), and
 * never the last graded one: a category with one graded item keeps it. Ties
 * drop the item that comes first in the gradebook.
 *
 * Percentages are rounded to 5 decimals (as Moodle stores grades) after the
 * computation, and the letter and pass come from the rounded total, so that
 * 79.999999999 from floating-point sums does not cost anyone an A.
 */
import type { GradebookState, GradeItem } from './gradebook.state';
import { letterFor } from './gradebook-settings';

export interface ItemGrade {
  itemId: string;
  categoryId: string | null;
  /** Points that count: the override if any, else the recorded grade; null when there is none. */
  grade: number | null;
  /** The percentage that entered the computation: null for a missing grade in progress, 0 for one in final mode. */
  percentage: number | null;
  released: boolean;
  overridden: boolean;
  /** Dropped by its category's dropLowest: shown, not counted. */
  dropped: boolean;
}

export interface CategoryGrade {
  categoryId: string;
  /** null when nothing in the category counts (left out of the total). */
  percentage: number | null;
}

export interface CourseTotal {
  percentage: number | null;
  letter: string | null;
  passed: boolean | null;
  overridden: boolean;
}

export interface CourseGrades {
  items: ItemGrade[];
  categories: CategoryGrade[];
  total: CourseTotal;
}

export interface CourseGradesOptions {
  /** Missing grades count as 0: the final grade at the end of the term. */
  final?: boolean;
}

const round = (x: number) => Math.round(x * 1e5) / 1e5;

function weightedMean(parts: { percentage: number; weight: number }[]): number | null {
  const weights = parts.reduce((sum, p) => sum + p.weight, 0);
  return weights > 0 ? parts.reduce((sum, p) => sum + p.percentage * p.weight, 0) / weights : null;
}

interface Scored {
  item: GradeItem;
  grade: number | null;
  percentage: number | null;
  overridden: boolean;
  dropped: boolean;
}

/** Marks the dropLowest lowest graded items of one category, keeping at least one graded item. */
function markDropped(scored: Scored[], dropLowest: number): void {
  const graded = scored.filter((s) => s.grade !== null);
  const count = Math.min(dropLowest, graded.length - 1);
  if (count <= 0) return;
  const lowest = graded.map((s, order) => ({ s, order })).sort((a, b) => a.s.percentage! - b.s.percentage! || a.order - b.order);
  for (const { s } of lowest.slice(0, count)) s.dropped = true;
}

const counted = (scored: Scored[]) =>
  scored.filter((s) => s.percentage !== null && !s.dropped).map((s) => ({ percentage: s.percentage!, weight: s.item.weight }));

export function computeCourseGrades(state: GradebookState, learnerId: string, options: CourseGradesOptions = {}): CourseGrades {
  const learner = state.learners.get(learnerId);
  const scored: Scored[] = [...state.items.values()].map((item) => {
    const override = learner?.overrides.get(item.itemId);
    const grade = override ?? learner?.grades.get(item.itemId) ?? null;
    const percentage = grade !== null ? (grade / item.maxGrade) * 100 : options.final ? 0 : null;
    return { item, grade, percentage, overridden: override !== undefined, dropped: false };
  });

  const parts: { percentage: number; weight: number }[] = [];
  const categories: CategoryGrade[] = [...state.categories.values()].map((category) => {
    const inside = scored.filter((s) => s.item.categoryId === category.categoryId);
    markDropped(inside, category.dropLowest);
    const percentage = weightedMean(counted(inside));
    if (percentage !== null) parts.push({ percentage, weight: category.weight });
    return { categoryId: category.categoryId, percentage: percentage === null ? null : round(percentage) };
  });
  parts.push(...counted(scored.filter((s) => s.item.categoryId === null)));

  const courseOverride = learner?.courseOverride ?? null;
  const computed = weightedMean(parts);
  const percentage = courseOverride ?? (computed === null ? null : round(computed));
  return {
    items: scored.map((s) => ({
      itemId: s.item.itemId,
      categoryId: s.item.categoryId,
      grade: s.grade,
      percentage: s.percentage === null ? null : round(s.percentage),
      released: s.item.released,
      overridden: s.overridden,
      dropped: s.dropped,
    })),
    categories,
    total: {
      percentage,
      letter: percentage === null ? null : letterFor(percentage, state.letterScale),
      passed: percentage === null ? null : percentage >= state.passPercentage,
      overridden: courseOverride !== null,
    },
  };
}

export interface LearnerCategoryGrade extends CategoryGrade {
  /** The percentage depends on an unreleased item: withheld (null). */
  hidden: boolean;
}

export interface LearnerCourseTotal extends CourseTotal {
  /** The total depends on an unreleased item: withheld (all null). */
  hidden: boolean;
}

export interface LearnerCourseGrades {
  items: ItemGrade[];
  categories: LearnerCategoryGrade[];
  total: LearnerCourseTotal;
}

/**
 * What the learner may see of their grades (RELEASE RULES):
 * - only released items are listed at all;
 * - a category's percentage, and the course total, are shown only when every
 *   item counted in them is released. "Counted" means every item with a
 *   percentage in the result, dropped ones included (being dropped tells that
 *   the grade was among the lowest) and, in final mode, the missing ones that
 *   count as 0. An unreleased item the learner has no grade on yet does not
 *   hide a total in progress: it is not in it. The same holds for an overridden
 *   course total, so that releasing it is always the one act of releasing items.
 */
/** The activities whose grades a learner sees in the gradebook: those whose item is released. */
export function releasedActivityIds(state: GradebookState): Set<string> {
  return new Set([...state.items.values()].flatMap((i) => (i.released && i.source.kind !== 'manual' ? [i.source.id] : [])));
}

export function visibleToLearner(result: CourseGrades, state: GradebookState): LearnerCourseGrades {
  const isReleased = (itemId: string) => state.items.get(itemId)?.released === true;
  const withheld = result.items.filter((i) => i.percentage !== null && !isReleased(i.itemId));
  const hiddenCategories = new Set(withheld.map((i) => i.categoryId));
  const totalHidden = withheld.length > 0;
  return {
    items: result.items.filter((i) => isReleased(i.itemId)),
    categories: result.categories.map((c) => {
      const hidden = hiddenCategories.has(c.categoryId);
      return { categoryId: c.categoryId, percentage: hidden ? null : c.percentage, hidden };
    }),
    total: totalHidden ? { percentage: null, letter: null, passed: null, overridden: false, hidden: true } : { ...result.total, hidden: false },
  };
}
