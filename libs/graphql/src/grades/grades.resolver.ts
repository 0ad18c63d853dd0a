/**
 * The gradebook, grades and completion over GraphQL: the same command and
 * query calls as the REST controllers (grades.controller.ts), nothing more.
 * Reading grades records GradesViewed, and reading completion
 * CompletionViewed, inside their queries, as over REST.
 */
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Args, Float, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { CurrentActor, type Actor } from '@learnstream/access';
import {
  ChangeGradebookCommand,
  COURSE_TOTAL,
  GetCourseCompletionQuery,
  GetCourseGradesQuery,
  GetGradebookQuery,
  GetLearnerCompletionQuery,
  GetLearnerGradesQuery,
  type CompletionRulesView,
  type GradebookChange,
} from '@learnstream/grades';
import { nullable, UuidArg } from '../courses/uuid-arg';
import {
  AddGradeItemInput,
  CompletionCriteriaObject,
  CourseCompletionObject,
  CourseGradesObject,
  GradebookChangeObject,
  GradebookObject,
  GradebookSettingsInput,
  LearnerCourseCompletionObject,
  LearnerCourseGradesObject,
  OverrideInput,
  ReleaseInput,
} from './grades.types';

const finalArg = {
  type: () => Boolean,
  defaultValue: false,
  description: 'true: missing grades count as 0 (the end-of-term total); false: they are left out (the total so far)',
} as const;

@Resolver()
export class GradesResolver {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  private change(actor: Actor, courseId: string, change: GradebookChange) {
    return this.commands.execute(new ChangeGradebookCommand(actor, courseId, change));
  }

  // ------------------------------------------------------------ reads

  @Query(() => GradebookObject, { ...nullable, description: 'settings, categories and items, with their release (course staff)' })
  gradebook(@CurrentActor() actor: Actor, @UuidArg('courseId') courseId: string) {
    return this.queries.execute(new GetGradebookQuery(actor, courseId));
  }

  @Query(() => CourseGradesObject, { ...nullable, description: "every learner's grades, category and course totals (course staff); recorded as GradesViewed" })
  courseGrades(@CurrentActor() actor: Actor, @UuidArg('courseId') courseId: string, @Args('final', finalArg) final: boolean) {
    return this.queries.execute(new GetCourseGradesQuery(actor, courseId, final));
  }

  @Query(() => LearnerCourseGradesObject, {
    ...nullable,
    description: "one learner's grades: everything for the course staff; released grades only for the learner and their parent; recorded as GradesViewed",
  })
  learnerGrades(@CurrentActor() actor: Actor, @UuidArg('courseId') courseId: string, @UuidArg('learnerId') learnerId: string, @Args('final', finalArg) final: boolean) {
    return this.queries.execute(new GetLearnerGradesQuery(actor, courseId, learnerId, final));
  }

  @Query(() => CourseCompletionObject, { ...nullable, description: "every learner's completed activities, progress and course completion (course staff); recorded as CompletionViewed" })
  completion(@CurrentActor() actor: Actor, @UuidArg('courseId') courseId: string) {
    return this.queries.execute(new GetCourseCompletionQuery(actor, courseId));
  }

  @Query(() => LearnerCourseCompletionObject, { ...nullable, description: "one learner's completion (the learner, their parent, the course staff); recorded as CompletionViewed" })
  learnerCompletion(@CurrentActor() actor: Actor, @UuidArg('courseId') courseId: string, @UuidArg('learnerId') learnerId: string) {
    return this.queries.execute(new GetLearnerCompletionQuery(actor, courseId, learnerId));
  }

  // ------------------------------------------------------------ the gradebook

  @Mutation(() => GradebookChangeObject, { ...nullable, description: 'editing teachers; defaults: pass 50, letters A 80, B 70, C 60, D 50, F 0' })
  setUpGradebook(
    @CurrentActor() actor: Actor,
    @UuidArg('courseId') courseId: string,
    // `input?:` rather than `| null` keeps the class in the parameter's type metadata, which the ValidationPipe validates against.
    @Args('input', { type: () => GradebookSettingsInput, nullable: true }) input?: GradebookSettingsInput,
  ) {
    return this.change(actor, courseId, { type: 'SetUpGradebook', ...input });
  }

  @Mutation(() => GradebookChangeObject, {
    ...nullable,
    description: "createdId names the new item. An activity item takes the activity's results (scaled to its maxGrade); a new item is hidden from learners until released",
  })
  addGradeItem(@CurrentActor() actor: Actor, @UuidArg('courseId') courseId: string, @Args('input') input: AddGradeItemInput) {
    return this.change(actor, courseId, { type: 'AddGradeItem', ...input });
  }

  @Mutation(() => GradebookChangeObject, { ...nullable, description: "the grade on a manual item (an activity item takes its activity's grades: override those)" })
  recordGrade(
    @CurrentActor() actor: Actor,
    @UuidArg('courseId') courseId: string,
    @UuidArg('itemId') itemId: string,
    @UuidArg('learnerId') learnerId: string,
    @Args('grade', { type: () => Float }) grade: number,
  ) {
    return this.change(actor, courseId, { type: 'RecordManualGrade', itemId, learnerId, grade });
  }

  @Mutation(() => GradebookChangeObject, { ...nullable, description: "the override wins over the item's grade, later ones too, until cleared; the reason is encrypted in the log" })
  overrideGrade(
    @CurrentActor() actor: Actor,
    @UuidArg('courseId') courseId: string,
    @UuidArg('learnerId') learnerId: string,
    @Args('input') input: OverrideInput,
    @UuidArg('itemId', { nullable: true, description: 'the grade item; absent: the course total (the grade is then a percentage)' }) itemId?: string | null,
  ) {
    return this.change(actor, courseId, { type: 'OverrideGrade', target: itemId ?? COURSE_TOTAL, learnerId, grade: input.grade, reason: input.reason });
  }

  @Mutation(() => GradebookChangeObject, { ...nullable, description: "learners (and their parents) now see these items' grades" })
  releaseGrades(@CurrentActor() actor: Actor, @UuidArg('courseId') courseId: string, @Args('input', { type: () => ReleaseInput, nullable: true }) input?: ReleaseInput) {
    return this.change(actor, courseId, { type: 'ReleaseGrades', itemIds: input?.itemIds ?? 'all' });
  }
}

type Criteria = NonNullable<CompletionRulesView['criteria']>;

/** The criteria say `requireAll: [ids] | 'all'`: GraphQL gives the list, and whether every activity with a rule is required. */
@Resolver(() => CompletionCriteriaObject)
export class CompletionCriteriaResolver {
  @ResolveField(() => Boolean, { description: 'every activity with a completion rule must be completed' })
  requireEveryActivity(@Parent() criteria: Criteria): boolean {
    return criteria.requireAll === 'all';
  }

  @ResolveField(() => [ID], { nullable: true, description: 'the activities to complete; null when requireEveryActivity' })
  requireAll(@Parent() criteria: Criteria): readonly string[] | null {
    return criteria.requireAll === 'all' ? null : criteria.requireAll;
  }
}
