/**
 * Commands the gradebook decides on (gradebook.ts). Ids come in the command
 * (new ones are made by the handler), and so does the time, as `now`.
 * `enrolled` is the handler's answer to "is this learner enrolled in the
 * course now?": the gradebook does not track enrolments itself.
 */
import type { GradeOrigin, GradeSource, LetterGrade, OverrideTarget } from './gradebook.events';

type Command<Type extends string, Data> = { type: Type } & Data;
type Acted = { courseId: string; now: string; by: string };

/** Without passPercentage or letterScale, the defaults: pass at 50, A 80, B 70, C 60, D 50, F 0. */
export type SetUpGradebook = Command<'SetUpGradebook', Acted & { passPercentage?: number; letterScale?: LetterGrade[] }>;

/** Only the given fields change. */
export type UpdateGradebookSettings = Command<'UpdateGradebookSettings', Acted & { passPercentage?: number; letterScale?: LetterGrade[] }>;

export type AddCategory = Command<'AddCategory', Acted & { categoryId: string; name: string; weight: number; dropLowest?: number }>;

/** Only the given fields change. */
export type UpdateCategory = Command<'UpdateCategory', Acted & { categoryId: string; name?: string; weight?: number; dropLowest?: number }>;

export type RemoveCategory = Command<'RemoveCategory', Acted & { categoryId: string }>;

export type AddGradeItem = Command<'AddGradeItem', Acted & {
  itemId: string;
  name: string;
  source: GradeSource;
  /** null: the root (course) category. */
  categoryId: string | null;
  maxGrade: number;
  weight: number;
}>;

/** Only the given fields change; `categoryId: null` moves the item to the root. */
export type UpdateGradeItem = Command<'UpdateGradeItem', Acted & {
  itemId: string;
  name?: string;
  categoryId?: string | null;
  maxGrade?: number;
  weight?: number;
}>;

export type RemoveGradeItem = Command<'RemoveGradeItem', Acted & { itemId: string }>;

export type RecordGrade = Command<'RecordGrade', {
  courseId: string;
  itemId: string;
  learnerId: string;
  grade: number;
  source: GradeOrigin;
  /** null when the system graded (an automatically marked quiz). */
  by: string | null;
  now: string;
  enrolled: boolean;
}>;

export type OverrideGrade = Command<'OverrideGrade', Acted & {
  target: OverrideTarget;
  learnerId: string;
  /** Points for an item; a percentage for the course total. */
  grade: number;
  /** Personal data: the handler passes `personal(learnerId, text)` or the text; 3 to 500 characters. */
  reason: unknown;
  enrolled: boolean;
}>;

export type ClearOverride = Command<'ClearOverride', Acted & { target: OverrideTarget; learnerId: string }>;

export type ReleaseGrades = Command<'ReleaseGrades', Acted & { itemIds: string[] | 'all' }>;

export type HideGrades = Command<'HideGrades', Acted & { itemIds: string[] | 'all' }>;

export type GradebookCommand =
  | SetUpGradebook
  | UpdateGradebookSettings
  | AddCategory
  | UpdateCategory
  | RemoveCategory
  | AddGradeItem
  | UpdateGradeItem
  | RemoveGradeItem
  | RecordGrade
  | OverrideGrade
  | ClearOverride
  | ReleaseGrades
  | HideGrades;
