/**
 * GraphQL shapes of the gradebook, course grades and completion. Object types
 * implement the views the queries answer with; input types extend the REST
 * DTOs (validation written once).
 *
 * One learner's grades take the same types for the course staff and for the
 * learner: `hidden` on a category or the total is null in the staff view
 * (nothing is withheld from them) and true/false in the learner's own view.
 */
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { AddGradeItemDto, GradebookSettingsDto, LetterGradeDto, OverrideDto, ReleaseDto } from '@learnstream/grades';
import type {
  CategoryGrade,
  CompletionProgress,
  CompletionRulesView,
  CourseCompletionView,
  CourseGradesView,
  CourseTotal,
  GradebookChangeResult,
  GradebookView,
  GradeCategory,
  GradeItem,
  GradeSource,
  ItemGrade,
  LearnerCompletionView,
  LetterGrade,
} from '@learnstream/grades';
import type { Row } from '../courses/courses.types';

export const GradeSourceKindEnum = { quiz: 'quiz', assignment: 'assignment', offline: 'offline', manual: 'manual' } as const;
registerEnumType(GradeSourceKindEnum, { name: 'GradeSourceKind', description: 'the activity an item takes its grades from, or manual (typed by teachers)' });

// ---------------------------------------------------------------- the gradebook

@ObjectType('LetterGrade', { description: 'a band of the letter scale: from minPercentage up to the next band' })
export class LetterGradeObject implements LetterGrade {
  @Field() letter!: string;
  @Field(() => Float) minPercentage!: number;
}

@ObjectType('GradeCategory')
export class GradeCategoryObject implements GradeCategory {
  @Field(() => ID) categoryId!: string;
  @Field() name!: string;
  @Field(() => Float, { description: 'its weight in the course total' }) weight!: number;
  @Field(() => Int, { description: 'the N lowest graded items are dropped' }) dropLowest!: number;
}

@ObjectType('GradeSource')
export class GradeSourceObject {
  @Field(() => GradeSourceKindEnum) kind!: GradeSource['kind'];
  @Field(() => ID, { nullable: true, description: 'the activity; null for a manual item' }) id?: string;
}

@ObjectType('GradeItem')
export class GradeItemObject implements GradeItem {
  @Field(() => ID) itemId!: string;
  @Field() name!: string;
  @Field(() => GradeSourceObject) source!: GradeSource;
  @Field(() => ID, { nullable: true, description: 'null: at the root' }) categoryId!: string | null;
  @Field(() => Float) maxGrade!: number;
  @Field(() => Float) weight!: number;
  @Field({ description: 'learners see its grades once released' }) released!: boolean;
}

@ObjectType('Gradebook', { description: "a course's gradebook: settings, categories and items with their release" })
export class GradebookObject implements GradebookView {
  @Field(() => ID) courseId!: string;
  @Field(() => Float, { description: 'the course total percentage that passes' }) passPercentage!: number;
  @Field(() => [LetterGradeObject]) letterScale!: LetterGrade[];
  @Field(() => [GradeCategoryObject]) categories!: GradeCategory[];
  @Field(() => [GradeItemObject]) items!: GradeItem[];
}

@ObjectType('GradebookChange', { description: 'the gradebook after the change' })
export class GradebookChangeObject extends GradebookObject implements GradebookChangeResult {
  @Field(() => ID, { nullable: true, description: 'the id of the category or item the change added' }) createdId?: string;
  @Field({ description: 'false: nothing was recorded (it asked for what already was)' }) changed!: boolean;
}

// ---------------------------------------------------------------- grades

@ObjectType('ItemGrade', { description: "a learner's grade on an item" })
export class ItemGradeObject implements ItemGrade {
  @Field(() => ID) itemId!: string;
  @Field(() => ID, { nullable: true }) categoryId!: string | null;
  @Field(() => Float, { nullable: true, description: 'the points that count (the override if any); null: none yet' }) grade!: number | null;
  @Field(() => Float, { nullable: true, description: 'what entered the total: null for a missing grade so far, 0 in final mode' }) percentage!: number | null;
  @Field() released!: boolean;
  @Field() overridden!: boolean;
  @Field({ description: "dropped by its category's dropLowest: shown, not counted" }) dropped!: boolean;
}

@ObjectType('CategoryGrade')
export class CategoryGradeObject implements CategoryGrade {
  @Field(() => ID) categoryId!: string;
  @Field(() => Float, { nullable: true, description: 'null when nothing in it counts, or withheld from a learner' }) percentage!: number | null;
  @Field(() => Boolean, { nullable: true, description: "learner's view: true when withheld (it counts an unreleased grade); null in the staff view" }) hidden?: boolean;
}

@ObjectType('CourseTotal')
export class CourseTotalObject implements CourseTotal {
  @Field(() => Float, { nullable: true }) percentage!: number | null;
  @Field(() => String, { nullable: true }) letter!: string | null;
  @Field(() => Boolean, { nullable: true }) passed!: boolean | null;
  @Field() overridden!: boolean;
  @Field(() => Boolean, { nullable: true, description: "learner's view: true when withheld (it counts an unreleased grade); null in the staff view" }) hidden?: boolean;
}

@ObjectType('LearnerGrades', { description: "a learner's item grades, category grades and course total" })
export class LearnerGradesObject {
  @Field(() => ID) learnerId!: string;
  @Field(() => [ItemGradeObject]) items!: ItemGrade[];
  @Field(() => [CategoryGradeObject]) categories!: CategoryGrade[];
  @Field(() => CourseTotalObject) total!: CourseTotal;
}

@ObjectType('CourseGrades', { description: "every learner's grades (course staff); reading them records GradesViewed" })
export class CourseGradesObject extends GradebookObject implements CourseGradesView {
  @Field({ description: 'true: missing grades count as 0 (the end-of-term total); false: left out (the total so far)' }) final!: boolean;
  @Field(() => [LearnerGradesObject]) learners!: LearnerGradesObject[];
  @Field(() => Int, { description: 'learners left out: their processing is restricted (only they and the DPO see their record)' }) restricted!: number;
}

@ObjectType('LearnerCourseGrades', { description: "one learner's grades in a course; reading them records GradesViewed" })
export class LearnerCourseGradesObject extends LearnerGradesObject {
  @Field(() => ID) courseId!: string;
  @Field() final!: boolean;
  @Field({ description: "true: the learner's (or their parent's) view: released grades only, totals withheld while they count a hidden grade" }) releasedOnly!: boolean;
}

// ---------------------------------------------------------------- completion

@ObjectType('CompletionRule', { description: 'how an activity is completed' })
export class CompletionRuleObject implements Row<CompletionRulesView['activities']> {
  @Field(() => ID) activityId!: string;
  @Field({ description: 'resource, quiz, assignment or offline' }) kind!: string;
  @Field({ description: 'viewed, submitted or passed' }) rule!: string;
}

@ObjectType('CompletionCriteria', { description: 'what completes the course' })
export class CompletionCriteriaObject {
  // requireAll and requireEveryActivity are resolved from the view's `[ids] | 'all'` (CompletionCriteriaResolver).
  @Field(() => Float, { nullable: true, description: 'a final course total (missing grades as 0) to reach as well' }) minimumCourseGradePercentage!: number | null;
}

@ObjectType('CompletionRules')
export class CompletionRulesObject implements CompletionRulesView {
  @Field(() => ID) courseId!: string;
  @Field(() => [CompletionRuleObject]) activities!: CompletionRuleObject[];
  @Field(() => CompletionCriteriaObject, { nullable: true, description: 'null until set' }) criteria!: CompletionRulesView['criteria'];
}

@ObjectType('CompletedActivity')
export class CompletedActivityObject implements Row<LearnerCompletionView['activities']> {
  @Field(() => ID) activityId!: string;
  @Field() rule!: string;
  @Field() completedAt!: string;
}

@ObjectType('CompletionProgress', { description: 'progress through the required activities' })
export class CompletionProgressObject implements CompletionProgress {
  @Field(() => Int) completed!: number;
  @Field(() => Int) required!: number;
  @Field(() => Int, { nullable: true, description: 'completed / required, rounded down to a whole percent; null when nothing is required' }) percentage!: number | null;
}

@ObjectType('LearnerCompletion')
export class LearnerCompletionObject implements LearnerCompletionView {
  @Field(() => ID) learnerId!: string;
  @Field(() => [CompletedActivityObject]) activities!: CompletedActivityObject[];
  @Field(() => CompletionProgressObject) progress!: CompletionProgress;
  @Field() courseCompleted!: boolean;
  @Field(() => String, { nullable: true }) courseCompletedAt!: string | null;
}

@ObjectType('CourseCompletion', { description: "every learner's completion (course staff); reading it records CompletionViewed" })
export class CourseCompletionObject implements CourseCompletionView {
  @Field(() => CompletionRulesObject) rules!: CompletionRulesView;
  @Field(() => [LearnerCompletionObject]) learners!: LearnerCompletionView[];
}

@ObjectType('LearnerCourseCompletion', { description: "one learner's completion of a course; reading it records CompletionViewed" })
export class LearnerCourseCompletionObject extends LearnerCompletionObject {
  @Field(() => ID) courseId!: string;
  @Field(() => CompletionRulesObject) rules!: CompletionRulesView;
}

// ---------------------------------------------------------------- inputs

@InputType()
export class LetterGradeInput extends LetterGradeDto {
  @Field() override letter!: string;
  @Field(() => Float) override minPercentage!: number;
}

@InputType()
export class GradebookSettingsInput extends GradebookSettingsDto {
  @Field(() => Float, { nullable: true, description: 'the course total percentage that passes (default 50)' }) override passPercentage?: number;
  @Field(() => [LetterGradeInput], { nullable: true, description: 'bands strictly descending, the last from 0 (default A 80, B 70, C 60, D 50, F 0)' })
  override letterScale?: LetterGradeInput[];
}

@InputType({ description: '{ kind: quiz | assignment | offline, id } or { kind: manual }' })
export class GradeSourceInput {
  @Field(() => GradeSourceKindEnum) kind!: GradeSource['kind'];
  @Field(() => ID, { nullable: true, description: 'the activity (not for a manual item)' }) id?: string;
}

@InputType()
export class AddGradeItemInput extends AddGradeItemDto {
  @Field(() => GradeSourceInput) override source!: GradeSource;
  @Field({ nullable: true, description: "default: the activity's title (required for a manual item)" }) override name?: string;
  @Field(() => ID, { nullable: true, description: 'its category; default: the root' }) override categoryId?: string | null;
  @Field(() => Float, { nullable: true, description: "default: the activity's maximum grade (required for a manual item)" }) override maxGrade?: number;
  @Field(() => Float, { nullable: true, description: 'default 1' }) override weight?: number;
}

@InputType()
export class OverrideInput extends OverrideDto {
  @Field(() => Float, { description: 'points on the item; a percentage for the course total' }) override grade!: number;
  @Field({ description: '3 to 500 characters; about the learner (personal data: encrypted in the log)' }) override reason!: string;
}

@InputType()
export class ReleaseInput extends ReleaseDto {
  @Field(() => [ID], { nullable: true, description: 'the items; absent: every item' }) override itemIds?: string[];
}
