import { personal } from '@learnstream/personal-data';
import { spec } from '../../domain/src/testing/given-when-then';
import { gradebook, gradeItemForActivity } from './gradebook';
import type { GradebookCommand } from './gradebook.commands';
import { DEFAULT_LETTER_SCALE } from './gradebook-settings';
import { GRADEBOOK_EVENT_TYPES, gradebookStreamId, type GradebookEvent } from './gradebook.events';
import {
  A1, A2, ANN, ASSIGNMENT_1, ASSIGNMENTS, BEN, COURSE, graded, NOW, overridden, PART, Q1, Q2, Q3, QUIZ_1, QUIZZES, released, setUp, structure, TEACHER,
} from './testing/gradebook.fixtures';

const acted = { courseId: COURSE, now: NOW, by: TEACHER };
const eventActed = { courseId: COURSE, by: TEACHER, at: NOW };
const NEW_ITEM = '00000000-0000-4000-8000-00000000a999';
const NEW_CATEGORY = '00000000-0000-4000-8000-0000000ca799';
const NEW_ACTIVITY = '00000000-0000-4000-8000-00000000b999';
const given = (...events: GradebookEvent[]) => spec(gradebook).given(...events);

const recordGrade = (itemId: string, learnerId: string, grade: number, source: 'activity' | 'manual' = 'activity', enrolled = true): GradebookCommand => ({
  type: 'RecordGrade',
  courseId: COURSE, itemId, learnerId, grade, source, by: source === 'manual' ? TEACHER : null, now: NOW, enrolled,
});
/** The reason is 'late work accepted' unless the options name one (undefined included). */
const overrideGrade = (target: string, grade: number, options: { reason?: unknown; enrolled?: boolean } = {}): GradebookCommand => ({
  type: 'OverrideGrade',
  ...acted, target, learnerId: ANN, grade, reason: 'reason' in options ? options.reason : 'late work accepted', enrolled: options.enrolled ?? true,
});

describe('gradebook: set up and settings', () => {
  it('sets up with the defaults: pass at 50, A 80 B 70 C 60 D 50 F 0', () => {
    given().when({ type: 'SetUpGradebook', ...acted }).then([setUp]);
  });

  it('sets up with a pass percentage and a scale of its own', () => {
    const letterScale = [{ letter: 'P', minPercentage: 65 }, { letter: 'NP', minPercentage: 0 }];
    given()
      .when({ type: 'SetUpGradebook', ...acted, passPercentage: 65, letterScale })
      .then([{ type: 'GradebookSetUp', data: { courseId: COURSE, passPercentage: 65, letterScale, by: TEACHER, at: NOW } }]);
  });

  it('refuses a pass mark below the scale\'s lowest passing letter (a learner would pass with F)', () => {
    given().when({ type: 'SetUpGradebook', ...acted, passPercentage: 40 }).thenFails('PASS_MARK_BELOW_SCALE');
    given(setUp).when({ type: 'UpdateGradebookSettings', ...acted, passPercentage: 49.5 }).thenFails('PASS_MARK_BELOW_SCALE');
    // Lowering D to 40 makes a pass mark of 40 consistent again.
    const letterScale = DEFAULT_LETTER_SCALE.map((band) => (band.letter === 'D' ? { ...band, minPercentage: 40 } : band));
    given(setUp)
      .when({ type: 'UpdateGradebookSettings', ...acted, passPercentage: 40, letterScale })
      .then([{ type: 'GradebookSettingsUpdated', data: { ...eventActed, passPercentage: 40, letterScale } }]);
  });

  it('refuses to set up twice', () => {
    given(setUp).when({ type: 'SetUpGradebook', ...acted }).thenFails('GRADEBOOK_EXISTS');
  });

  it.each([-1, 100.5, Number.NaN])('refuses a pass percentage of %s', (passPercentage) => {
    given().when({ type: 'SetUpGradebook', ...acted, passPercentage }).thenFails('PASS_PERCENTAGE_INVALID');
  });

  it.each([
    ['not strictly descending', [{ letter: 'A', minPercentage: 70 }, { letter: 'B', minPercentage: 70 }, { letter: 'F', minPercentage: 0 }]],
    ['ascending', [{ letter: 'F', minPercentage: 0 }, { letter: 'A', minPercentage: 80 }]],
    ['not ending at 0', [{ letter: 'A', minPercentage: 80 }, { letter: 'F', minPercentage: 10 }]],
    ['empty', []],
    ['a letter twice', [{ letter: 'A', minPercentage: 80 }, { letter: 'A', minPercentage: 0 }]],
    ['a blank letter', [{ letter: ' ', minPercentage: 0 }]],
    ['above 100', [{ letter: 'A', minPercentage: 120 }, { letter: 'F', minPercentage: 0 }]],
  ])('refuses a letter scale that is %s', (_, letterScale) => {
    given().when({ type: 'SetUpGradebook', ...acted, letterScale }).thenFails('LETTER_SCALE_INVALID');
  });

  it('accepts a one-band scale starting at 0', () => {
    const letterScale = [{ letter: 'Done', minPercentage: 0 }];
    expect(given().when({ type: 'SetUpGradebook', ...acted, letterScale }).events()[0].data).toMatchObject({ letterScale });
  });

  it('refuses every other command before the gradebook is set up', () => {
    given().when({ type: 'AddCategory', ...acted, categoryId: QUIZZES, name: 'Quizzes', weight: 1 }).thenFails('GRADEBOOK_NOT_FOUND');
    given().when(recordGrade(Q1, ANN, 5)).thenFails('GRADEBOOK_NOT_FOUND');
    given().when({ type: 'ReleaseGrades', ...acted, itemIds: 'all' }).thenFails('GRADEBOOK_NOT_FOUND');
  });

  it('updates only the given settings and carries the full result', () => {
    given(setUp)
      .when({ type: 'UpdateGradebookSettings', ...acted, passPercentage: 60 })
      .then([{ type: 'GradebookSettingsUpdated', data: { ...eventActed, passPercentage: 60, letterScale: [...DEFAULT_LETTER_SCALE] } }]);
  });

  it('records nothing when the settings do not change', () => {
    given(setUp).when({ type: 'UpdateGradebookSettings', ...acted, passPercentage: 50, letterScale: DEFAULT_LETTER_SCALE.map((band) => ({ ...band })) }).then([]);
  });

  it('refuses an invalid scale on update', () => {
    given(setUp).when({ type: 'UpdateGradebookSettings', ...acted, letterScale: [{ letter: 'A', minPercentage: 50 }] }).thenFails('LETTER_SCALE_INVALID');
  });
});

describe('gradebook: categories', () => {
  it('adds a category, dropLowest 0 by default', () => {
    given(setUp)
      .when({ type: 'AddCategory', ...acted, categoryId: QUIZZES, name: ' Quizzes ', weight: 40 })
      .then([{ type: 'GradeCategoryAdded', data: { ...eventActed, categoryId: QUIZZES, name: 'Quizzes', weight: 40, dropLowest: 0 } }]);
  });

  it('takes a weight of 0 (it counts for nothing)', () => {
    given(setUp)
      .when({ type: 'AddCategory', ...acted, categoryId: QUIZZES, name: 'Q', weight: 0 })
      .then([{ type: 'GradeCategoryAdded', data: { ...eventActed, categoryId: QUIZZES, name: 'Q', weight: 0, dropLowest: 0 } }]);
  });

  it.each([-0.5, -2, Number.POSITIVE_INFINITY])('refuses a weight of %s', (weight) => {
    given(setUp).when({ type: 'AddCategory', ...acted, categoryId: QUIZZES, name: 'Q', weight }).thenFails('WEIGHT_INVALID');
  });

  it.each([-1, 1.5])('refuses dropLowest %s', (dropLowest) => {
    given(setUp).when({ type: 'AddCategory', ...acted, categoryId: QUIZZES, name: 'Q', weight: 1, dropLowest }).thenFails('DROP_LOWEST_INVALID');
  });

  it.each(['', '   ', 'x'.repeat(201)])('refuses the name %j', (name) => {
    given(setUp).when({ type: 'AddCategory', ...acted, categoryId: QUIZZES, name, weight: 1 }).thenFails('NAME_INVALID');
  });

  it('refuses a category id already used', () => {
    given(...structure).when({ type: 'AddCategory', ...acted, categoryId: QUIZZES, name: 'Again', weight: 1 }).thenFails('CATEGORY_EXISTS');
  });

  it('updates only the given fields and carries the full result', () => {
    given(...structure)
      .when({ type: 'UpdateCategory', ...acted, categoryId: QUIZZES, dropLowest: 2 })
      .then([{ type: 'GradeCategoryUpdated', data: { ...eventActed, categoryId: QUIZZES, name: 'Quizzes', weight: 40, dropLowest: 2 } }]);
  });

  it('records nothing when a category update changes nothing', () => {
    given(...structure).when({ type: 'UpdateCategory', ...acted, categoryId: QUIZZES, name: 'Quizzes', weight: 40 }).then([]);
  });

  it('refuses to update or remove an unknown category', () => {
    given(setUp).when({ type: 'UpdateCategory', ...acted, categoryId: QUIZZES, weight: 2 }).thenFails('CATEGORY_NOT_FOUND');
    given(setUp).when({ type: 'RemoveCategory', ...acted, categoryId: QUIZZES }).thenFails('CATEGORY_NOT_FOUND');
  });

  it('refuses to remove a category that still holds items', () => {
    given(...structure).when({ type: 'RemoveCategory', ...acted, categoryId: ASSIGNMENTS }).thenFails('CATEGORY_NOT_EMPTY');
  });

  it('removes a category once its items are moved out', () => {
    const movedOut: GradebookEvent[] = [A1, A2].map((itemId) => ({
      type: 'GradeItemUpdated',
      data: { ...eventActed, itemId, name: 'moved', categoryId: null, maxGrade: 100, weight: 1 },
    }));
    given(...structure, ...movedOut)
      .when({ type: 'RemoveCategory', ...acted, categoryId: ASSIGNMENTS })
      .then([{ type: 'GradeCategoryRemoved', data: { ...eventActed, categoryId: ASSIGNMENTS } }]);
  });
});

describe('gradebook: grade items', () => {
  const addItem = (over: Record<string, unknown> = {}): GradebookCommand =>
    ({ type: 'AddGradeItem', ...acted, itemId: NEW_ITEM, name: 'Essay', source: { kind: 'manual' }, categoryId: null, maxGrade: 20, weight: 1, ...over }) as GradebookCommand;

  it('adds a manual item in the root category', () => {
    given(setUp)
      .when(addItem())
      .then([{ type: 'GradeItemAdded', data: { ...eventActed, itemId: NEW_ITEM, name: 'Essay', source: { kind: 'manual' }, categoryId: null, maxGrade: 20, weight: 1 } }]);
  });

  it('adds an activity item in a category', () => {
    const events = given(...structure).when(addItem({ source: { kind: 'offline', id: NEW_ACTIVITY }, categoryId: QUIZZES })).events();
    expect(events[0].data).toMatchObject({ source: { kind: 'offline', id: NEW_ACTIVITY }, categoryId: QUIZZES });
  });

  it('allows several manual items', () => {
    expect(given(...structure).when(addItem()).events()).toHaveLength(1);
  });

  it('refuses a second item for the same activity', () => {
    given(...structure).when(addItem({ source: { kind: 'quiz', id: QUIZ_1 } })).thenFails('GRADE_ITEM_EXISTS');
  });

  it('refuses an item id already used', () => {
    given(...structure).when(addItem({ itemId: Q1 })).thenFails('GRADE_ITEM_EXISTS');
  });

  it('refuses an unknown category', () => {
    given(setUp).when(addItem({ categoryId: NEW_CATEGORY })).thenFails('CATEGORY_NOT_FOUND');
  });

  it('refuses a bad source', () => {
    given(setUp).when(addItem({ source: { kind: 'forum', id: QUIZ_1 } })).thenFails('GRADE_SOURCE_INVALID');
    given(setUp).when(addItem({ source: { kind: 'quiz' } })).thenFails('GRADE_SOURCE_INVALID');
  });

  it.each([0, -5])('refuses maxGrade %s', (maxGrade) => {
    given(setUp).when(addItem({ maxGrade })).thenFails('MAX_GRADE_INVALID');
  });

  it('takes an item of weight 0 and refuses a negative one', () => {
    expect(given(setUp).when(addItem({ weight: 0 })).events()[0].data).toMatchObject({ weight: 0 });
    given(setUp).when(addItem({ weight: -1 })).thenFails('WEIGHT_INVALID');
  });

  it('finds the item that takes an activity grade', () => {
    const state = given(...structure).state;
    expect(gradeItemForActivity(state, ASSIGNMENT_1)?.itemId).toBe(A1);
    expect(gradeItemForActivity(state, NEW_ACTIVITY)).toBeUndefined();
  });

  it('moves an item to the root, keeping the fields not given', () => {
    given(...structure)
      .when({ type: 'UpdateGradeItem', ...acted, itemId: Q1, categoryId: null })
      .then([{ type: 'GradeItemUpdated', data: { ...eventActed, itemId: Q1, name: `item ${Q1.slice(-4)}`, categoryId: null, maxGrade: 10, weight: 1 } }]);
  });

  it('records nothing when an item update changes nothing', () => {
    given(...structure).when({ type: 'UpdateGradeItem', ...acted, itemId: Q1, categoryId: QUIZZES, maxGrade: 10 }).then([]);
  });

  it('refuses to update an unknown item or move it to an unknown category', () => {
    given(...structure).when({ type: 'UpdateGradeItem', ...acted, itemId: NEW_ITEM, weight: 2 }).thenFails('GRADE_ITEM_NOT_FOUND');
    given(...structure).when({ type: 'UpdateGradeItem', ...acted, itemId: Q1, categoryId: NEW_CATEGORY }).thenFails('CATEGORY_NOT_FOUND');
  });

  it('refuses to lower maxGrade below a grade a learner holds, recorded or overridden', () => {
    given(...structure, graded(Q1, ANN, 8)).when({ type: 'UpdateGradeItem', ...acted, itemId: Q1, maxGrade: 7 }).thenFails('MAX_GRADE_BELOW_GRADES');
    given(...structure, overridden(Q1, ANN, 9)).when({ type: 'UpdateGradeItem', ...acted, itemId: Q1, maxGrade: 8 }).thenFails('MAX_GRADE_BELOW_GRADES');
    expect(given(...structure, graded(Q1, ANN, 8)).when({ type: 'UpdateGradeItem', ...acted, itemId: Q1, maxGrade: 8 }).events()).toHaveLength(1);
  });

  it('removes an item, and its grades and overrides with it', () => {
    const removed: GradebookEvent = { type: 'GradeItemRemoved', data: { ...eventActed, itemId: Q1 } };
    given(...structure, graded(Q1, ANN, 8), overridden(Q1, ANN, 9)).when({ type: 'RemoveGradeItem', ...acted, itemId: Q1 }).then([removed]);
    const state = given(...structure, graded(Q1, ANN, 8), overridden(Q1, ANN, 9), removed).state;
    expect(state.items.has(Q1)).toBe(false);
    expect(state.learners.get(ANN)?.grades.has(Q1)).toBe(false);
    expect(state.learners.get(ANN)?.overrides.has(Q1)).toBe(false);
  });

  it('refuses to remove an unknown item', () => {
    given(setUp).when({ type: 'RemoveGradeItem', ...acted, itemId: Q1 }).thenFails('GRADE_ITEM_NOT_FOUND');
  });
});

describe('gradebook: recording grades', () => {
  it('records an activity grade (graded by the system)', () => {
    given(...structure).when(recordGrade(Q1, ANN, 8)).then([graded(Q1, ANN, 8)]);
  });

  it('records a teacher grade on a manual item', () => {
    given(...structure).when(recordGrade(PART, ANN, 10, 'manual')).then([graded(PART, ANN, 10, 'manual')]);
  });

  it('accepts the bounds 0 and maxGrade', () => {
    given(...structure).when(recordGrade(Q1, ANN, 0)).then([graded(Q1, ANN, 0)]);
    given(...structure).when(recordGrade(Q1, ANN, 10)).then([graded(Q1, ANN, 10)]);
  });

  it.each([10.01, -1, Number.NaN])('refuses the grade %s on a 10-point item', (grade) => {
    given(...structure).when(recordGrade(Q1, ANN, grade)).thenFails('GRADE_OUT_OF_RANGE');
  });

  it('refuses a manual grade on an activity item: teachers override instead', () => {
    given(...structure).when(recordGrade(Q1, ANN, 5, 'manual')).thenFails('GRADE_ITEM_NOT_MANUAL');
  });

  it('refuses an activity grade on a manual item', () => {
    given(...structure).when(recordGrade(PART, ANN, 5, 'activity')).thenFails('GRADE_ITEM_NOT_ACTIVITY');
  });

  it('refuses an unknown item', () => {
    given(...structure).when(recordGrade(NEW_ITEM, ANN, 5)).thenFails('GRADE_ITEM_NOT_FOUND');
  });

  it('refuses a learner who is not enrolled', () => {
    given(...structure).when(recordGrade(Q1, ANN, 5, 'activity', false)).thenFails('NOT_ENROLLED');
  });

  it('records nothing when the same grade comes again, and records a changed one', () => {
    given(...structure, graded(Q1, ANN, 8)).when(recordGrade(Q1, ANN, 8)).then([]);
    given(...structure, graded(Q1, ANN, 8)).when(recordGrade(Q1, ANN, 6)).then([graded(Q1, ANN, 6)]);
    given(...structure, graded(Q1, ANN, 8)).when(recordGrade(Q1, BEN, 8)).then([graded(Q1, BEN, 8)]);
  });
});

describe('gradebook: overrides', () => {
  const overriddenEvent = (target: string, grade: number, reason: unknown = 'late work accepted'): GradebookEvent => ({
    type: 'GradeOverridden',
    data: { ...eventActed, target, learnerId: ANN, grade, reason },
  });

  it('overrides an item grade, with its reason', () => {
    given(...structure, graded(Q1, ANN, 4)).when(overrideGrade(Q1, 7)).then([overriddenEvent(Q1, 7)]);
  });

  it('overrides the course total as a percentage, from 0 to 100', () => {
    given(...structure).when(overrideGrade('course', 100)).then([overriddenEvent('course', 100)]);
    given(...structure).when(overrideGrade('course', 100.1)).thenFails('GRADE_OUT_OF_RANGE');
  });

  it('refuses an item override out of the item range', () => {
    given(...structure).when(overrideGrade(Q1, 11)).thenFails('GRADE_OUT_OF_RANGE');
  });

  it.each([undefined, null, '', '   ', 'ok'])('refuses the reason %j: a reason of 3 characters or more is required', (reason) => {
    given(...structure).when(overrideGrade(Q1, 7, { reason })).thenFails('OVERRIDE_REASON_REQUIRED');
  });

  it('accepts a reason of 3 and of 500 characters, refuses 501', () => {
    expect(given(...structure).when(overrideGrade(Q1, 7, { reason: 'abc' })).events()).toHaveLength(1);
    expect(given(...structure).when(overrideGrade(Q1, 7, { reason: 'x'.repeat(500) })).events()).toHaveLength(1);
    given(...structure).when(overrideGrade(Q1, 7, { reason: 'x'.repeat(501) })).thenFails('OVERRIDE_REASON_TOO_LONG');
  });

  it('passes a personal-data marker through untouched, whatever its length', () => {
    const marker = personal(ANN, 'ok');
    given(...structure).when(overrideGrade(Q1, 7, { reason: marker })).then([overriddenEvent(Q1, 7, marker)]);
  });

  it('refuses a learner who is not enrolled, and an unknown item', () => {
    given(...structure).when(overrideGrade(Q1, 7, { enrolled: false })).thenFails('NOT_ENROLLED');
    given(...structure).when(overrideGrade(NEW_ITEM, 7)).thenFails('GRADE_ITEM_NOT_FOUND');
  });

  it('keeps the override over activity grades recorded after it, until it is cleared', () => {
    const history = [...structure, graded(Q1, ANN, 4), overridden(Q1, ANN, 9), graded(Q1, ANN, 6)];
    const state = given(...history).state;
    expect(state.learners.get(ANN)?.overrides.get(Q1)).toBe(9);
    expect(state.learners.get(ANN)?.grades.get(Q1)).toBe(6);
    const cleared: GradebookEvent = { type: 'GradeOverrideCleared', data: { ...eventActed, target: Q1, learnerId: ANN } };
    given(...history).when({ type: 'ClearOverride', ...acted, target: Q1, learnerId: ANN }).then([cleared]);
    expect(given(...history, cleared).state.learners.get(ANN)?.overrides.has(Q1)).toBe(false);
  });

  it('clears a course total override', () => {
    given(...structure, overridden('course', ANN, 45))
      .when({ type: 'ClearOverride', ...acted, target: 'course', learnerId: ANN })
      .then([{ type: 'GradeOverrideCleared', data: { ...eventActed, target: 'course', learnerId: ANN } }]);
  });

  it('records nothing when there is no override to clear', () => {
    given(...structure, graded(Q1, ANN, 4)).when({ type: 'ClearOverride', ...acted, target: Q1, learnerId: ANN }).then([]);
    given(...structure).when({ type: 'ClearOverride', ...acted, target: 'course', learnerId: ANN }).then([]);
  });
});

describe('gradebook: release', () => {
  const release = (itemIds: string[] | 'all'): GradebookCommand => ({ type: 'ReleaseGrades', ...acted, itemIds });
  const hide = (itemIds: string[] | 'all'): GradebookCommand => ({ type: 'HideGrades', ...acted, itemIds });

  it('starts with every item hidden, and "all" releases them in gradebook order', () => {
    given(...structure).when(release('all')).then([released(Q1, Q2, Q3, A1, A2, PART)]);
  });

  it('releases only the items not released yet, and nothing when all are', () => {
    given(...structure, released(Q1)).when(release([Q1, Q2])).then([released(Q2)]);
    given(...structure, released(Q1)).when(release([Q1])).then([]);
  });

  it('refuses an unknown item', () => {
    given(...structure).when(release([Q1, NEW_ITEM])).thenFails('GRADE_ITEM_NOT_FOUND');
  });

  it('hides released items again', () => {
    given(...structure, released(Q1, Q3)).when(hide('all')).then([{ type: 'GradesHidden', data: { ...eventActed, itemIds: [Q1, Q3] } }]);
    given(...structure).when(hide([Q1])).then([]);
  });
});

describe('gradebook events', () => {
  it('go to the stream gradebook-<courseId>', () => {
    expect(gradebookStreamId(COURSE.toUpperCase())).toBe(`gradebook-${COURSE}`);
  });

  it('pass their registry validation as decided', () => {
    const history = [
      ...structure,
      graded(Q1, ANN, 8),
      graded(PART, ANN, 8, 'manual'),
      overridden('course', ANN, 45),
      released(Q1),
    ];
    for (const event of history) {
      const definition = GRADEBOOK_EVENT_TYPES.find((d) => d.type === event.type);
      expect({ type: event.type, problems: definition?.validate?.(event.data as Record<string, unknown>) }).toEqual({ type: event.type, problems: [] });
    }
  });

  it('name the problems of invalid data', () => {
    const validate = (type: string, data: Record<string, unknown>) => GRADEBOOK_EVENT_TYPES.find((d) => d.type === type)!.validate!(data);
    expect(validate('GradeRecorded', { courseId: COURSE, itemId: 'x', learnerId: ANN, grade: -1, source: 'teacher', by: null, at: 'yesterday' })).toEqual([
      'itemId must be a UUID',
      'grade must be a number from 0',
      'source must be one of activity, manual',
      'at must be an ISO-8601 UTC timestamp',
    ]);
    expect(validate('GradeOverridden', { courseId: COURSE, target: 'all', learnerId: ANN, grade: 1, reason: 'no', by: TEACHER, at: NOW })).toEqual([
      'target must be a UUID, or must be one of course',
      'reason must be 3 to 500 characters',
    ]);
    expect(validate('GradeOverridden', { courseId: COURSE, target: 'course', learnerId: ANN, grade: 1, by: TEACHER, at: NOW })).toEqual(['reason is required']);
    expect(validate('GradeOverridden', { courseId: COURSE, target: Q1, learnerId: ANN, grade: 1, reason: personal(ANN, 'late'), by: TEACHER, at: NOW })).toEqual([]);
    expect(validate('GradeItemAdded', { ...eventActed, itemId: Q1, name: 'Q', source: { kind: 'quiz' }, categoryId: null, maxGrade: 0, weight: 1 })).toEqual([
      "source must be { kind: 'quiz' | 'assignment' | 'offline', id: UUID } or { kind: 'manual' }",
      'maxGrade must be a number above 0',
    ]);
    expect(validate('GradebookSetUp', { ...eventActed, passPercentage: 50, letterScale: [{ letter: 'A', minPercentage: 50 }] })).toEqual([
      'letterScale is invalid: the last band must start at 0, so that every percentage has a letter',
    ]);
  });

  it('every event type is defined once, at version 1', () => {
    const types = GRADEBOOK_EVENT_TYPES.map((d) => d.type);
    expect(new Set(types).size).toBe(13);
    expect(GRADEBOOK_EVENT_TYPES.every((d) => d.version === 1)).toBe(true);
  });
});
