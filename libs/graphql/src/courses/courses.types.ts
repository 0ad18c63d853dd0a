/**
 * GraphQL shapes of courses and enrolments. Object types implement the views
 * the queries answer with (the compiler keeps them in step); input types
 * extend the REST request DTOs, whose class-validator rules and transforms
 * (ids in lower case) the global ValidationPipe applies here too.
 */
import { PickType } from '@nestjs/swagger';
import { Field, ID, InputType, Int, ObjectType, ArgsType, registerEnumType } from '@nestjs/graphql';
import { IsBoolean, IsOptional } from 'class-validator';
import {
  AddResourceDto,
  AddSectionDto,
  BulkEnrolDto,
  COURSE_ROLES,
  CreateCourseDto,
  EnrolLearnerDto,
  ListCoursesDto,
  PeriodDto,
  RESOURCE_KINDS,
  SelfEnrolDto,
  SelfEnrolmentDto,
  UnenrolDto,
  UpdateCourseDto,
} from '@learnstream/courses';
import type {
  BulkEnrolmentResult,
  CatalogueEntry,
  CourseChangeResult,
  CourseRole,
  CourseSummaryView,
  CourseView,
  EnrolmentResult,
  ParticipantView,
  ResourceContent,
  ResourceKind,
} from '@learnstream/courses';
import { JSONScalar } from './json.scalar';

const asEnum = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>;

export const CourseRoleEnum = asEnum<CourseRole>(COURSE_ROLES);
export const ResourceKindEnum = asEnum<ResourceKind>(RESOURCE_KINDS);
registerEnumType(CourseRoleEnum, { name: 'CourseRole', description: 'teacher: edits and grades; non_editing_teacher: grades only' });
registerEnumType(ResourceKindEnum, { name: 'ResourceKind' });

/** One element of a list type. */
export type Row<T> = T extends readonly (infer U)[] ? U : never;

// ---------------------------------------------------------------- objects

@ObjectType('SelfEnrolment', { description: 'whether learners may enrol themselves, and whether that needs a key (never shown)' })
export class SelfEnrolmentObject {
  @Field() enabled!: boolean;
  @Field() keyRequired!: boolean;
}

@ObjectType('EnrolmentPeriod', { description: 'ISO-8601 UTC; null: open at that end' })
export class EnrolmentPeriodObject {
  @Field(() => String, { nullable: true }) startsAt!: string | null;
  @Field(() => String, { nullable: true, description: 'excluded' }) endsAt!: string | null;
}

@ObjectType({ isAbstract: true })
abstract class CourseSummaryFields implements CourseSummaryView {
  @Field(() => ID) courseId!: string;
  @Field(() => ID, { nullable: true, description: 'null for a platform-wide course' }) schoolId!: string | null;
  @Field() code!: string;
  @Field() title!: string;
  @Field(() => String, { nullable: true }) summary!: string | null;
  @Field() subject!: string;
  @Field(() => String, { nullable: true }) gradeLevel!: string | null;
  @Field(() => String, { nullable: true, description: "the course's id in another system (Moodle's idnumber), unique in its school" }) idNumber!: string | null;
  @Field() archived!: boolean;
  @Field(() => String, { nullable: true }) archivedAt!: string | null;
  @Field(() => SelfEnrolmentObject) selfEnrolment!: SelfEnrolmentObject;
  @Field(() => EnrolmentPeriodObject) enrolmentPeriod!: EnrolmentPeriodObject;
  @Field() createdAt!: string;
  @Field() updatedAt!: string;
}

@ObjectType('CatalogueViewer', { description: "the caller's place in the course" })
export class CatalogueViewerObject {
  @Field(() => CourseRoleEnum, { nullable: true, description: 'their role on its staff, if any' }) role!: CourseRole | null;
  @Field() enrolled!: boolean;
}

@ObjectType('CatalogueEntry', { description: 'a course of the catalogue' })
export class CatalogueEntryObject extends CourseSummaryFields implements CatalogueEntry {
  @Field(() => CatalogueViewerObject) viewer!: CatalogueViewerObject;
}

@ObjectType('CourseStaffMember')
export class CourseStaffMemberObject {
  @Field(() => ID) userId!: string;
  @Field(() => CourseRoleEnum) role!: CourseRole;
}

@ObjectType('CourseResource', { description: 'a resource of a section (its content: REST GET /courses/:id/resources/:resourceId)' })
export class CourseResourceObject implements Row<Row<CourseView['sections']>['resources']> {
  @Field(() => ID) resourceId!: string;
  @Field(() => ResourceKindEnum) kind!: string;
  @Field() title!: string;
  @Field({ description: 'whether learners see it (hidden ones are listed only for those who teach the course)' }) visible!: boolean;
  @Field(() => Int) position!: number;
}

@ObjectType('CourseActivity', { description: 'a quiz, assignment or offline test placed in the section' })
export class CourseActivityObject {
  @Field(() => ID) activityId!: string;
  @Field({ description: 'quiz, assignment or offline' }) kind!: string;
  @Field(() => String, { nullable: true, description: "the activity's id in another system (Moodle's idnumber), unique in the school" }) idNumber!: string | null;
}

@ObjectType('CourseSection')
export class CourseSectionObject implements Row<CourseView['sections']> {
  @Field(() => ID) sectionId!: string;
  @Field() title!: string;
  @Field(() => Int) position!: number;
  @Field(() => [CourseResourceObject]) resources!: CourseResourceObject[];
  @Field(() => [CourseActivityObject]) activities!: CourseActivityObject[];
}

@ObjectType('CourseViewer', { description: "the caller's place in the course" })
export class CourseViewerObject extends CatalogueViewerObject {
  @Field({ description: 'sees hidden resources and may edit' }) teaches!: boolean;
}

@ObjectType('Course', { description: 'a course with its staff, sections, resources and activities; reading it records CourseViewed (staff and enrolled learners)' })
export class CourseObject extends CourseSummaryFields implements CourseView {
  @Field(() => [CourseStaffMemberObject]) staff!: CourseStaffMemberObject[];
  @Field(() => [CourseSectionObject]) sections!: CourseSectionObject[];
  @Field(() => CourseViewerObject) viewer!: CourseViewerObject;
}

@ObjectType('Participant', { description: 'a learner of the course and their enrolment' })
export class ParticipantObject implements ParticipantView {
  @Field(() => ID) learnerId!: string;
  @Field(() => String, { nullable: true, description: 'null where the reader may not see the account' }) displayName!: string | null;
  @Field({ description: 'active or unenrolled' }) status!: 'active' | 'unenrolled';
  @Field({ description: 'manual, bulk or self' }) method!: string;
  @Field() enrolledAt!: string;
  @Field(() => String, { nullable: true }) unenrolledAt!: string | null;
  @Field(() => String, { nullable: true }) startsAt!: string | null;
  @Field(() => String, { nullable: true }) endsAt!: string | null;
}

@ObjectType('CreatedCourse')
export class CreatedCourseObject {
  @Field(() => ID) courseId!: string;
}

@ObjectType('CourseChange', { description: 'the ids a change of a course names; changed: false when it asked for what already was' })
export class CourseChangeObject implements CourseChangeResult {
  @Field(() => ID) courseId!: string;
  @Field(() => ID, { nullable: true }) sectionId?: string;
  @Field(() => ID, { nullable: true }) resourceId?: string;
  @Field(() => ID, { nullable: true }) activityId?: string;
  @Field() changed!: boolean;
}

@ObjectType('Enrolment')
export class EnrolmentObject implements EnrolmentResult {
  @Field(() => ID) courseId!: string;
  @Field(() => ID) learnerId!: string;
  @Field(() => ID) enrolmentId!: string;
}

@ObjectType('BulkEnrolmentOutcome', { description: 'what became of one learner' })
export class BulkEnrolmentOutcomeObject implements Row<BulkEnrolmentResult['results']> {
  @Field(() => Int, { description: 'position of the learner in the input (from 0)' }) row!: number;
  @Field(() => ID) learnerId!: string;
  @Field({ nullable: true, description: 'also unenrolled (a row with unenrolledAt)' }) unenrolled?: boolean;
  @Field({ description: 'enrolled, already_enrolled or refused' }) status!: 'enrolled' | 'already_enrolled' | 'refused';
  @Field({ nullable: true, description: "a refusal's stable code" }) code?: string;
  @Field({ nullable: true }) message?: string;
}

@ObjectType('BulkEnrolment', { description: 'idempotent: one outcome per distinct learner' })
export class BulkEnrolmentObject implements BulkEnrolmentResult {
  @Field(() => ID) courseId!: string;
  @Field(() => Int) enrolled!: number;
  @Field(() => Int) alreadyEnrolled!: number;
  @Field(() => Int) refused!: number;
  @Field(() => [BulkEnrolmentOutcomeObject]) results!: BulkEnrolmentOutcomeObject[];
}

// ---------------------------------------------------------------- arguments and inputs

@ArgsType()
export class CoursesArgs extends PickType(ListCoursesDto, ['schoolId', 'limit', 'offset'] as const) {
  @Field(() => ID, { nullable: true, description: "only this school's courses" }) override schoolId?: string;
  @Field({ defaultValue: false, description: 'only the courses the caller teaches or is enrolled in' }) @IsOptional() @IsBoolean() mine?: boolean;
  @Field({ defaultValue: false, description: 'archived courses too' }) @IsOptional() @IsBoolean() includeArchived?: boolean;
  @Field(() => Int, { nullable: true, description: 'default 100, at most 500' }) override limit?: number;
  @Field(() => Int, { nullable: true, description: 'default 0' }) override offset?: number;
}

@InputType()
export class SelfEnrolmentInput extends SelfEnrolmentDto {
  @Field() override enabled!: boolean;
  @Field(() => String, { nullable: true, description: 'the key learners must give (only its salted hash is kept); on update: absent keeps it, null removes it' })
  override key?: string | null;
}

@InputType()
export class PeriodInput extends PeriodDto {
  @Field(() => String, { nullable: true, description: 'ISO-8601 UTC; null or absent: open' }) override startsAt?: string | null;
  @Field(() => String, { nullable: true, description: 'ISO-8601 UTC, excluded; null or absent: open' }) override endsAt?: string | null;
}

@InputType()
export class CreateCourseInput extends CreateCourseDto {
  @Field(() => ID, { nullable: true, description: 'chosen by the client so that a retry cannot create a second course' }) override courseId?: string;
  @Field(() => ID, { nullable: true, description: 'the school that owns the course; null: a platform-wide course (platform admins)' }) override schoolId!: string | null;
  @Field() override title!: string;
  @Field({ description: '1 to 30 letters, digits, - or _' }) override code!: string;
  @Field() override subject!: string;
  @Field(() => String, { nullable: true }) override gradeLevel?: string | null;
  @Field(() => String, { nullable: true }) override summary?: string | null;
  @Field(() => SelfEnrolmentInput) override selfEnrolment!: SelfEnrolmentInput;
  @Field(() => PeriodInput, { nullable: true }) override enrolmentPeriod?: PeriodInput;
}

@InputType({ description: 'only the fields given change' })
export class UpdateCourseInput extends UpdateCourseDto {
  @Field({ nullable: true }) override title?: string;
  @Field({ nullable: true }) override subject?: string;
  @Field(() => String, { nullable: true, description: 'null clears it' }) override gradeLevel?: string | null;
  @Field(() => String, { nullable: true, description: 'null clears it' }) override summary?: string | null;
  @Field(() => SelfEnrolmentInput, { nullable: true }) override selfEnrolment?: SelfEnrolmentInput;
  @Field(() => PeriodInput, { nullable: true, description: 'replaces the whole period; {} opens it at both ends' }) override enrolmentPeriod?: PeriodInput;
}

@InputType()
export class AddSectionInput extends AddSectionDto {
  @Field(() => ID, { nullable: true, description: 'chosen by the client for safe retries; made when absent' }) override sectionId?: string;
  @Field() override title!: string;
  @Field(() => Int, { nullable: true, description: 'index (from 0) the section takes; absent: last' }) override position?: number;
}

@InputType()
export class AddResourceInput extends AddResourceDto {
  @Field(() => ID, { nullable: true, description: 'chosen by the client for safe retries; made when absent' }) override resourceId?: string;
  @Field(() => ID) override sectionId!: string;
  @Field(() => ResourceKindEnum) override kind!: ResourceKind;
  @Field() override title!: string;
  @Field(() => JSONScalar, { description: 'by kind: page { body }, file { fileRef, mimeType, sizeBytes }, url { url }, video { url, durationSeconds }' })
  override content!: ResourceContent;
  @Field({ nullable: true, description: 'whether learners see it (default true)' }) override visible?: boolean;
}

@InputType()
export class EnrolInput extends EnrolLearnerDto {
  @Field(() => ID) override learnerId!: string;
  @Field({ nullable: true, description: "the learner's own period (ISO-8601 UTC), e.g. a trial month; absent: open" }) override startsAt?: string;
  @Field({ nullable: true }) override endsAt?: string;
}

@InputType()
export class BulkEnrolInput extends BulkEnrolDto {
  @Field(() => [ID], { description: 'at most 500' }) override learnerIds!: string[];
}

@InputType()
export class SelfEnrolInput extends SelfEnrolDto {
  @Field({ nullable: true, description: "the course's enrolment key, when it asks one" }) override key?: string;
}

@InputType()
export class UnenrolInput extends UnenrolDto {
  @Field({ nullable: true, description: 'why (personal data about the learner: stored encrypted under their key)' }) override reason?: string;
}
