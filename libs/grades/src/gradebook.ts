/**
 * The gradebook decider (stream `gradebook-<courseId>`): settings, categories
 * and items a teacher edits, grades recorded from activities or by teachers,
 * overrides, and release to learners. Pure (STYLE.md): the handler loads the
 * state, passes ids, `now` and `enrolled` in the command, and appends what
 * decide() returns. A command that changes nothing returns no event.
 */
import { DomainError, NUMBER_BOUNDS, withinBound, type Decider } from '@learnstream/domain';
import type {
  AddCategory,
  AddGradeItem,
  ClearOverride,
  GradebookCommand,
  HideGrades,
  OverrideGrade,
  RecordGrade,
  ReleaseGrades,
  RemoveCategory,
  RemoveGradeItem,
  SetUpGradebook,
  UpdateCategory,
  UpdateGradebookSettings,
  UpdateGradeItem,
} from './gradebook.commands';
import { COURSE_TOTAL, type GradebookEvent, type GradeSource, type LetterGrade } from './gradebook.events';
import { isPercentage } from './event-validators';
import { DEFAULT_LETTER_SCALE, DEFAULT_PASS_PERCENTAGE, letterScaleProblems } from './gradebook-settings';
import { evolveGradebook, initialGradebookState, type GradeCategory, type GradebookState, type GradeItem } from './gradebook.state';

export const OVERRIDE_REASON_MIN = 3;
export const OVERRIDE_REASON_MAX = 500;

const ACTIVITY_KINDS: readonly string[] = ['quiz', 'assignment', 'offline'];

/** The item that takes an activity's grades, if the gradebook has one: how the handler routes an assessment's grade. */
export function gradeItemForActivity(state: GradebookState, activityId: string): GradeItem | undefined {
  return [...state.items.values()].find((item) => item.source.kind !== 'manual' && item.source.id === activityId);
}

function requireSetUp(state: GradebookState): string {
  if (state.courseId === null) throw new DomainError('not_found', 'GRADEBOOK_NOT_FOUND', 'this course has no gradebook: set it up first');
  return state.courseId;
}

function requireCategory(state: GradebookState, categoryId: string): GradeCategory {
  const category = state.categories.get(categoryId);
  if (!category) throw new DomainError('not_found', 'CATEGORY_NOT_FOUND', `grade category ${categoryId} is not in this gradebook`);
  return category;
}

function requireItem(state: GradebookState, itemId: string): GradeItem {
  const item = state.items.get(itemId);
  if (!item) throw new DomainError('not_found', 'GRADE_ITEM_NOT_FOUND', `grade item ${itemId} is not in this gradebook`);
  return item;
}

function checkPassPercentage(value: number): number {
  if (!isPercentage(value)) throw new DomainError('invalid', 'PASS_PERCENTAGE_INVALID', 'the pass percentage must be a number from 0 to 100');
  return value;
}

/**
 * The pass mark may not fall inside the scale's failing band (the last one,
 * from 0): a learner would show the failing letter with passed: true. It must
 * reach the lowest passing letter's minimum (50 on the default scale).
 */
function checkPassMarkOnScale(passPercentage: number, scale: readonly LetterGrade[]): void {
  if (scale.length < 2) return;
  const lowestPass = scale[scale.length - 2];
  if (passPercentage < lowestPass.minPercentage) {
    throw new DomainError(
      'invalid',
      'PASS_MARK_BELOW_SCALE',
      `the pass mark ${passPercentage}% is below ${lowestPass.minPercentage}%, where the scale's lowest passing letter (${lowestPass.letter}) starts: a learner could pass with ${scale[scale.length - 1].letter}. Raise the pass mark or lower that letter's minimum`,
      [{ field: 'passPercentage', message: `must be at least ${lowestPass.minPercentage} on this letter scale` }],
    );
  }
}

function checkLetterScale(scale: readonly LetterGrade[]): LetterGrade[] {
  const problems = letterScaleProblems(scale);
  if (problems.length) throw new DomainError('invalid', 'LETTER_SCALE_INVALID', 'the letter scale is invalid', problems);
  return scale.map(({ letter, minPercentage }) => ({ letter, minPercentage }));
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || !name.trim() || name.trim().length > 200) {
    throw new DomainError('invalid', 'NAME_INVALID', 'a name must be 1 to 200 characters');
  }
  return name.trim();
}

function checkWeight(weight: number): number {
  // 0 is allowed (Moodle's, and imported data's): the item or category is shown and counts for nothing.
  if (!withinBound(weight, NUMBER_BOUNDS.weight) || weight < 0) {
    throw new DomainError('invalid', 'WEIGHT_INVALID', `a weight must be a number from 0 to ${NUMBER_BOUNDS.weight.max}`);
  }
  return weight;
}

function checkDropLowest(dropLowest: number): number {
  if (!withinBound(dropLowest, NUMBER_BOUNDS.count)) throw new DomainError('invalid', 'DROP_LOWEST_INVALID', `dropLowest must be a whole number from 0 to ${NUMBER_BOUNDS.count.max}`);
  return dropLowest;
}

function checkMaxGrade(maxGrade: number): number {
  if (!withinBound(maxGrade, NUMBER_BOUNDS.points) || maxGrade <= 0) {
    throw new DomainError('invalid', 'MAX_GRADE_INVALID', `maxGrade must be a number above 0, at most ${NUMBER_BOUNDS.points.max}`);
  }
  return maxGrade;
}

function checkParent(state: GradebookState, categoryId: string | null): string | null {
  if (categoryId !== null) requireCategory(state, categoryId);
  return categoryId;
}

function checkSource(state: GradebookState, source: GradeSource): GradeSource {
  if (source?.kind === 'manual') return { kind: 'manual' };
  if (!ACTIVITY_KINDS.includes(source?.kind) || typeof source.id !== 'string' || !source.id) {
    throw new DomainError('invalid', 'GRADE_SOURCE_INVALID', "the source must be { kind: 'quiz' | 'assignment' | 'offline', id } or { kind: 'manual' }");
  }
  const existing = gradeItemForActivity(state, source.id);
  if (existing) throw new DomainError('conflict', 'GRADE_ITEM_EXISTS', `activity ${source.id} already has grade item ${existing.itemId}`);
  return { kind: source.kind, id: source.id };
}

function checkGrade(grade: number, max: number): number {
  if (typeof grade !== 'number' || !Number.isFinite(grade) || grade < 0 || grade > max) {
    throw new DomainError('invalid', 'GRADE_OUT_OF_RANGE', `the grade must be a number from 0 to ${max}`);
  }
  return grade;
}

function checkEnrolled(enrolled: boolean, learnerId: string): void {
  if (enrolled !== true) throw new DomainError('rule', 'NOT_ENROLLED', `learner ${learnerId} is not enrolled in this course`);
}

/** Length is checked only on a plain string: a `personal()` marker is passed through as is. */
function checkReason(reason: unknown): unknown {
  if (reason === undefined || reason === null || (typeof reason === 'string' && reason.trim().length < OVERRIDE_REASON_MIN)) {
    throw new DomainError('invalid', 'OVERRIDE_REASON_REQUIRED', `an override needs a reason of ${OVERRIDE_REASON_MIN} to ${OVERRIDE_REASON_MAX} characters`);
  }
  if (typeof reason === 'string' && reason.length > OVERRIDE_REASON_MAX) {
    throw new DomainError('invalid', 'OVERRIDE_REASON_TOO_LONG', `an override reason is at most ${OVERRIDE_REASON_MAX} characters`);
  }
  return reason;
}

const sameScale = (a: readonly LetterGrade[], b: readonly LetterGrade[]) =>
  a.length === b.length && a.every((band, i) => band.letter === b[i].letter && band.minPercentage === b[i].minPercentage);

function setUp(d: SetUpGradebook, state: GradebookState): GradebookEvent[] {
  if (state.courseId !== null) throw new DomainError('conflict', 'GRADEBOOK_EXISTS', 'this course already has a gradebook');
  const passPercentage = checkPassPercentage(d.passPercentage ?? DEFAULT_PASS_PERCENTAGE);
  const letterScale = checkLetterScale(d.letterScale ?? DEFAULT_LETTER_SCALE);
  checkPassMarkOnScale(passPercentage, letterScale);
  return [{ type: 'GradebookSetUp', data: { courseId: d.courseId, passPercentage, letterScale, by: d.by, at: d.now } }];
}

function updateSettings(d: UpdateGradebookSettings, state: GradebookState, courseId: string): GradebookEvent[] {
  const passPercentage = checkPassPercentage(d.passPercentage ?? state.passPercentage);
  const letterScale = checkLetterScale(d.letterScale ?? state.letterScale);
  checkPassMarkOnScale(passPercentage, letterScale);
  if (passPercentage === state.passPercentage && sameScale(letterScale, state.letterScale)) return [];
  return [{ type: 'GradebookSettingsUpdated', data: { courseId, passPercentage, letterScale, by: d.by, at: d.now } }];
}

function addCategory(d: AddCategory, state: GradebookState, courseId: string): GradebookEvent[] {
  if (state.categories.has(d.categoryId)) throw new DomainError('conflict', 'CATEGORY_EXISTS', `grade category ${d.categoryId} already exists`);
  const category = { categoryId: d.categoryId, name: checkName(d.name), weight: checkWeight(d.weight), dropLowest: checkDropLowest(d.dropLowest ?? 0) };
  return [{ type: 'GradeCategoryAdded', data: { courseId, ...category, by: d.by, at: d.now } }];
}

function updateCategory(d: UpdateCategory, state: GradebookState, courseId: string): GradebookEvent[] {
  const current = requireCategory(state, d.categoryId);
  const name = checkName(d.name ?? current.name);
  const weight = checkWeight(d.weight ?? current.weight);
  const dropLowest = checkDropLowest(d.dropLowest ?? current.dropLowest);
  if (name === current.name && weight === current.weight && dropLowest === current.dropLowest) return [];
  return [{ type: 'GradeCategoryUpdated', data: { courseId, categoryId: d.categoryId, name, weight, dropLowest, by: d.by, at: d.now } }];
}

/** Only an empty category can go: its items must be moved or removed first, so no grade silently changes category. */
function removeCategory(d: RemoveCategory, state: GradebookState, courseId: string): GradebookEvent[] {
  requireCategory(state, d.categoryId);
  const inside = [...state.items.values()].filter((item) => item.categoryId === d.categoryId).map((item) => item.itemId);
  if (inside.length) throw new DomainError('rule', 'CATEGORY_NOT_EMPTY', 'move or remove the grade items of this category first', { itemIds: inside });
  return [{ type: 'GradeCategoryRemoved', data: { courseId, categoryId: d.categoryId, by: d.by, at: d.now } }];
}

function addGradeItem(d: AddGradeItem, state: GradebookState, courseId: string): GradebookEvent[] {
  if (state.items.has(d.itemId)) throw new DomainError('conflict', 'GRADE_ITEM_EXISTS', `grade item ${d.itemId} already exists`);
  const item = {
    itemId: d.itemId,
    name: checkName(d.name),
    source: checkSource(state, d.source),
    categoryId: checkParent(state, d.categoryId),
    maxGrade: checkMaxGrade(d.maxGrade),
    weight: checkWeight(d.weight),
  };
  return [{ type: 'GradeItemAdded', data: { courseId, ...item, by: d.by, at: d.now } }];
}

/** The highest points anyone holds on an item (recorded or overridden): maxGrade cannot go below it. */
function highestGrade(state: GradebookState, itemId: string): number {
  let highest = 0;
  for (const learner of state.learners.values()) {
    highest = Math.max(highest, learner.grades.get(itemId) ?? 0, learner.overrides.get(itemId) ?? 0);
  }
  return highest;
}

function updateGradeItem(d: UpdateGradeItem, state: GradebookState, courseId: string): GradebookEvent[] {
  const current = requireItem(state, d.itemId);
  const name = checkName(d.name ?? current.name);
  const categoryId = checkParent(state, d.categoryId === undefined ? current.categoryId : d.categoryId);
  const maxGrade = checkMaxGrade(d.maxGrade ?? current.maxGrade);
  const weight = checkWeight(d.weight ?? current.weight);
  const highest = maxGrade < current.maxGrade ? highestGrade(state, d.itemId) : 0;
  if (maxGrade < highest) throw new DomainError('rule', 'MAX_GRADE_BELOW_GRADES', `a learner holds ${highest} points on this item: maxGrade cannot go below it`);
  if (name === current.name && categoryId === current.categoryId && maxGrade === current.maxGrade && weight === current.weight) return [];
  return [{ type: 'GradeItemUpdated', data: { courseId, itemId: d.itemId, name, categoryId, maxGrade, weight, by: d.by, at: d.now } }];
}

function removeGradeItem(d: RemoveGradeItem, state: GradebookState, courseId: string): GradebookEvent[] {
  requireItem(state, d.itemId);
  return [{ type: 'GradeItemRemoved', data: { courseId, itemId: d.itemId, by: d.by, at: d.now } }];
}

/**
 * Activity items take grades from their activity only (a teacher corrects one
 * with an override), manual items from teachers only. A grade equal to the one
 * recorded is not recorded again.
 */
function recordGrade(d: RecordGrade, state: GradebookState, courseId: string): GradebookEvent[] {
  const item = requireItem(state, d.itemId);
  checkEnrolled(d.enrolled, d.learnerId);
  const manualItem = item.source.kind === 'manual';
  if (d.source === 'manual' && !manualItem) {
    throw new DomainError('rule', 'GRADE_ITEM_NOT_MANUAL', 'this item takes its grades from its activity: override the grade instead');
  }
  if (d.source === 'activity' && manualItem) throw new DomainError('rule', 'GRADE_ITEM_NOT_ACTIVITY', 'this manual item takes grades from teachers only');
  if (d.source !== 'manual' && d.source !== 'activity') throw new DomainError('invalid', 'GRADE_SOURCE_INVALID', "a grade's source is 'activity' or 'manual'");
  const grade = checkGrade(d.grade, item.maxGrade);
  if (state.learners.get(d.learnerId)?.grades.get(d.itemId) === grade) return [];
  return [{ type: 'GradeRecorded', data: { courseId, itemId: d.itemId, learnerId: d.learnerId, grade, source: d.source, by: d.by, at: d.now } }];
}

/** Every override is recorded, even at the same value: it is a teacher's decision with its own reason. */
function overrideGrade(d: OverrideGrade, state: GradebookState, courseId: string): GradebookEvent[] {
  const max = d.target === COURSE_TOTAL ? 100 : requireItem(state, d.target).maxGrade;
  checkEnrolled(d.enrolled, d.learnerId);
  const grade = checkGrade(d.grade, max);
  const reason = checkReason(d.reason);
  return [{ type: 'GradeOverridden', data: { courseId, target: d.target, learnerId: d.learnerId, grade, reason, by: d.by, at: d.now } }];
}

function clearOverride(d: ClearOverride, state: GradebookState, courseId: string): GradebookEvent[] {
  if (d.target !== COURSE_TOTAL) requireItem(state, d.target);
  const learner = state.learners.get(d.learnerId);
  const overridden = d.target === COURSE_TOTAL ? learner?.courseOverride != null : learner?.overrides.has(d.target) === true;
  if (!overridden) return [];
  return [{ type: 'GradeOverrideCleared', data: { courseId, target: d.target, learnerId: d.learnerId, by: d.by, at: d.now } }];
}

/** The items whose release would change, in gradebook order; unknown ids are refused. */
function changingRelease(state: GradebookState, itemIds: string[] | 'all', released: boolean): string[] {
  const wanted = itemIds === 'all' ? null : new Set(itemIds);
  if (wanted) for (const id of wanted) requireItem(state, id);
  return [...state.items.values()].filter((item) => (!wanted || wanted.has(item.itemId)) && item.released !== released).map((item) => item.itemId);
}

function release(d: ReleaseGrades, state: GradebookState, courseId: string): GradebookEvent[] {
  const itemIds = changingRelease(state, d.itemIds, true);
  return itemIds.length ? [{ type: 'GradesReleased', data: { courseId, itemIds, by: d.by, at: d.now } }] : [];
}

function hide(d: HideGrades, state: GradebookState, courseId: string): GradebookEvent[] {
  const itemIds = changingRelease(state, d.itemIds, false);
  return itemIds.length ? [{ type: 'GradesHidden', data: { courseId, itemIds, by: d.by, at: d.now } }] : [];
}

export function decideGradebook(command: GradebookCommand, state: GradebookState): GradebookEvent[] {
  if (command.type === 'SetUpGradebook') return setUp(command, state);
  const courseId = requireSetUp(state);
  switch (command.type) {
    case 'UpdateGradebookSettings': return updateSettings(command, state, courseId);
    case 'AddCategory': return addCategory(command, state, courseId);
    case 'UpdateCategory': return updateCategory(command, state, courseId);
    case 'RemoveCategory': return removeCategory(command, state, courseId);
    case 'AddGradeItem': return addGradeItem(command, state, courseId);
    case 'UpdateGradeItem': return updateGradeItem(command, state, courseId);
    case 'RemoveGradeItem': return removeGradeItem(command, state, courseId);
    case 'RecordGrade': return recordGrade(command, state, courseId);
    case 'OverrideGrade': return overrideGrade(command, state, courseId);
    case 'ClearOverride': return clearOverride(command, state, courseId);
    case 'ReleaseGrades': return release(command, state, courseId);
    case 'HideGrades': return hide(command, state, courseId);
  }
}

export const gradebook: Decider<GradebookCommand, GradebookEvent, GradebookState> = {
  initialState: initialGradebookState,
  evolve: evolveGradebook,
  decide: decideGradebook,
};
