/**
 * Courses and enrolments over GraphQL: the same command and query calls as
 * the REST controllers (courses.controller.ts, enrolments.controller.ts),
 * nothing more. Reading a course records CourseViewed inside GetCourseQuery,
 * as over REST. Lists answer the list itself rather than REST's envelope.
 * Changes REST answers with 204 answer here with what the command returns
 * (the ids it names, and whether anything changed).
 */
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentActor, type Actor } from '@learnstream/access';
import {
  BulkEnrolLearnersCommand,
  ChangeCourseCommand,
  CreateCourseCommand,
  EnrolLearnerCommand,
  GetCourseQuery,
  ListCoursesQuery,
  ListParticipantsQuery,
  SelfEnrolCommand,
  UnenrolLearnerCommand,
  type CourseChange,
  type CourseRole,
} from '@learnstream/courses';
import {
  AddResourceInput,
  AddSectionInput,
  BulkEnrolInput,
  BulkEnrolmentObject,
  CatalogueEntryObject,
  CourseChangeObject,
  CourseObject,
  CourseRoleEnum,
  CoursesArgs,
  CreateCourseInput,
  CreatedCourseObject,
  EnrolInput,
  EnrolmentObject,
  ParticipantObject,
  SelfEnrolInput,
  UnenrolInput,
  UpdateCourseInput,
} from './courses.types';
import { nullable, UuidArg } from './uuid-arg';

@Resolver()
export class CoursesResolver {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  private change(actor: Actor, courseId: string, change: CourseChange) {
    return this.commands.execute(new ChangeCourseCommand(actor, courseId, change));
  }

  // ------------------------------------------------------------ reads

  @Query(() => [CatalogueEntryObject], { ...nullable, description: "the courses the caller may see: their schools' catalogues, platform-wide courses, what they teach or are enrolled in" })
  async courses(@CurrentActor() actor: Actor, @Args() args: CoursesArgs) {
    const { schoolId, mine, includeArchived, limit, offset } = args;
    return (await this.queries.execute(new ListCoursesQuery(actor, { schoolId, mine: mine ?? false, includeArchived: includeArchived ?? false, limit, offset }))).courses;
  }

  @Query(() => CourseObject, { ...nullable, description: 'hidden resources only for those who teach it; records CourseViewed for its staff and enrolled learners' })
  course(@CurrentActor() actor: Actor, @UuidArg('id') id: string) {
    return this.queries.execute(new GetCourseQuery(actor, id));
  }

  @Query(() => [ParticipantObject], { ...nullable, description: "the course's learners, for those who teach it" })
  async enrolments(
    @CurrentActor() actor: Actor,
    @UuidArg('courseId') courseId: string,
    @Args('includeUnenrolled', { type: () => Boolean, defaultValue: false, description: 'unenrolled learners too' }) includeUnenrolled: boolean,
  ) {
    return (await this.queries.execute(new ListParticipantsQuery(actor, courseId, includeUnenrolled))).participants;
  }

  // ------------------------------------------------------------ the course

  @Mutation(() => CreatedCourseObject, { ...nullable, description: 'school admins and teachers of the school (platform admins: platform-wide); a teacher who creates a course becomes its teacher' })
  createCourse(@CurrentActor() actor: Actor, @Args('input') input: CreateCourseInput) {
    return this.commands.execute(new CreateCourseCommand(actor, input));
  }

  @Mutation(() => CourseChangeObject, nullable)
  updateCourse(@CurrentActor() actor: Actor, @UuidArg('courseId') courseId: string, @Args('input') input: UpdateCourseInput) {
    return this.change(actor, courseId, { type: 'UpdateCourse', ...input });
  }

  @Mutation(() => CourseChangeObject, { ...nullable, description: 'the course becomes read-only (no changes, no enrolments) until restored' })
  archiveCourse(@CurrentActor() actor: Actor, @UuidArg('courseId') courseId: string) {
    return this.change(actor, courseId, { type: 'ArchiveCourse' });
  }

  @Mutation(() => CourseChangeObject, { ...nullable, description: 'sectionId names the new section' })
  addSection(@CurrentActor() actor: Actor, @UuidArg('courseId') courseId: string, @Args('input') input: AddSectionInput) {
    return this.change(actor, courseId, { type: 'AddSection', ...input });
  }

  @Mutation(() => CourseChangeObject, { ...nullable, description: 'resourceId names the new resource; it goes last in its section' })
  addResource(@CurrentActor() actor: Actor, @UuidArg('courseId') courseId: string, @Args('input') input: AddResourceInput) {
    const { visible = true, ...rest } = input;
    return this.change(actor, courseId, { type: 'AddResource', ...rest, visible } as CourseChange);
  }

  @Mutation(() => CourseChangeObject, { ...nullable, description: 'shows the resource to learners, or hides it' })
  setResourceVisibility(@CurrentActor() actor: Actor, @UuidArg('courseId') courseId: string, @UuidArg('resourceId') resourceId: string, @Args('visible') visible: boolean) {
    return this.change(actor, courseId, { type: 'SetResourceVisibility', resourceId, visible });
  }

  @Mutation(() => CourseChangeObject, { ...nullable, description: "assigns a teacher of the course's school to its staff, or changes their role" })
  assignTeacher(@CurrentActor() actor: Actor, @UuidArg('courseId') courseId: string, @UuidArg('userId') userId: string, @Args('role', { type: () => CourseRoleEnum }) role: CourseRole) {
    return this.change(actor, courseId, { type: 'AssignTeacher', userId, role });
  }

  // ------------------------------------------------------------ enrolments

  @Mutation(() => EnrolmentObject, { ...nullable, description: 'staff enrol one learner (twice: ENROLMENT_EXISTS)' })
  enrol(@CurrentActor() actor: Actor, @UuidArg('courseId') courseId: string, @Args('input') input: EnrolInput) {
    return this.commands.execute(new EnrolLearnerCommand(actor, courseId, input));
  }

  @Mutation(() => BulkEnrolmentObject, { ...nullable, description: 'idempotent: whoever is enrolled already is skipped' })
  bulkEnrol(@CurrentActor() actor: Actor, @UuidArg('courseId') courseId: string, @Args('input') input: BulkEnrolInput) {
    return this.commands.execute(new BulkEnrolLearnersCommand(actor, courseId, [...new Set(input.learnerIds)].map((learnerId) => ({ learnerId }))));
  }

  @Mutation(() => Boolean, { ...nullable, description: 'ends the enrolment; staff, or the learner for a course they enrolled in themself' })
  async unenrol(
    @CurrentActor() actor: Actor,
    @UuidArg('courseId') courseId: string,
    @UuidArg('learnerId') learnerId: string,
    // `input?:` rather than `| null` keeps the class in the parameter's type metadata, which the ValidationPipe validates against.
    @Args('input', { type: () => UnenrolInput, nullable: true }) input?: UnenrolInput,
  ) {
    await this.commands.execute(new UnenrolLearnerCommand(actor, courseId, learnerId, input?.reason ?? null));
    return true;
  }

  @Mutation(() => EnrolmentObject, { ...nullable, description: 'the caller enrols themself, with the key when the course asks one' })
  selfEnrol(@CurrentActor() actor: Actor, @UuidArg('courseId') courseId: string, @Args('input', { type: () => SelfEnrolInput, nullable: true }) input?: SelfEnrolInput) {
    return this.commands.execute(new SelfEnrolCommand(actor, courseId, input?.key));
  }
}
