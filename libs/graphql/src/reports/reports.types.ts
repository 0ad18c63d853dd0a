/**
 * GraphQL shapes of the course log (the JSON page: the CSV export and the
 * live tail stay REST's) and the k-anonymous usage report. Object types
 * implement the report views; the arguments extend the REST query DTOs, so
 * filters, page sizes and date ranges are validated by the same rules.
 */
import { PickType } from '@nestjs/swagger';
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { Allow } from 'class-validator';
import { IsId } from '@learnstream/core';
import { ORIGINS, type Origin } from '@learnstream/event-store';
import { CourseLogFilterDto, CourseLogQueryDto, GRANULARITIES, USAGE_DIMENSIONS, UsageQueryDto } from '@learnstream/reports';
import type { CourseLogPage, CourseLogRow, Granularity, PersonRef, UsageDimension, UsagePeriodView, UsageReportView } from '@learnstream/reports';

const asEnum = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>;

export const OriginEnum = asEnum<Origin>(ORIGINS);
export const GranularityEnum = asEnum<Granularity>(GRANULARITIES);
export const UsageDimensionEnum = asEnum<UsageDimension>(USAGE_DIMENSIONS);
registerEnumType(OriginEnum, { name: 'EventOrigin', description: 'where an event came from' });
registerEnumType(GranularityEnum, { name: 'UsageGranularity', description: 'UTC days, ISO weeks (Monday to Sunday) or calendar months' });
registerEnumType(UsageDimensionEnum, { name: 'UsageDimension' });

// ---------------------------------------------------------------- the course log

@ObjectType('PersonRef')
export class PersonRefObject implements PersonRef {
  @Field(() => ID) userId!: string;
  @Field(() => String, { nullable: true, description: "null where the reader may not see the account (another school's), or it is gone" }) displayName!: string | null;
}

@ObjectType('LogObject', { description: 'what an event is about' })
export class LogObjectObject {
  @Field({ description: 'course, section, resource, activity, enrolment, grade_item, …' }) type!: string;
  @Field(() => ID, { nullable: true }) id!: string | null;
  @Field(() => String, { nullable: true, description: 'its title (a course, section, resource, activity or school); null where the reader may not see it, it is gone, or it has none' }) title!: string | null;
}

@ObjectType('CourseLogRow', { description: "an event of the course, with the envelope's clear fields and the names of the people in it" })
export class CourseLogRowObject implements CourseLogRow {
  @Field(() => ID) eventId!: string;
  @Field() occurredAt!: string;
  @Field() eventType!: string;
  @Field({ description: 'the verb: viewed, created, updated, enrolled, graded, …' }) action!: string;
  @Field({ description: 'c, r, u or d' }) crud!: string;
  @Field(() => LogObjectObject, { nullable: true }) object!: LogObjectObject | null;
  @Field(() => OriginEnum) origin!: string;
  @Field(() => ID, { nullable: true }) schoolId!: string | null;
  @Field(() => PersonRefObject, { nullable: true, description: 'who did it (null: the system or an anonymous caller)' }) actor!: PersonRef | null;
  @Field(() => PersonRefObject, { nullable: true, description: 'the staff member behind an impersonated session' }) realActor!: PersonRef | null;
  @Field(() => PersonRefObject, { nullable: true, description: 'the person affected (the learner enrolled, graded, …)' }) relatedUser!: PersonRef | null;
}

@ObjectType('CourseLogPage', { description: 'newest first; reading it records CourseLogViewed' })
export class CourseLogPageObject implements CourseLogPage {
  @Field(() => ID) courseId!: string;
  @Field(() => [CourseLogRowObject]) rows!: CourseLogRow[];
  @Field(() => String, { nullable: true, description: 'pass as cursor for the next (older) page; null on the last page' }) nextCursor!: string | null;
}

@InputType('CourseLogFilter')
export class CourseLogFilterInput extends CourseLogFilterDto {
  @Field(() => ID, { nullable: true, description: 'rows where this person is the actor or the related user' }) override user?: string;
  @Field({ nullable: true, description: 'from this ISO-8601 date (UTC) or timestamp with a zone, included' }) override from?: string;
  @Field({ nullable: true, description: 'up to this ISO-8601 date (its whole UTC day) or timestamp, included' }) override to?: string;
  @Field({ nullable: true, description: 'the verb: viewed, created, updated, enrolled, graded, …' }) override action?: string;
  @Field({ nullable: true, description: 'e.g. ResourceViewed' }) override eventType?: string;
  @Field({ nullable: true, description: 'course, section, resource, activity, enrolment, grade_item, …' }) override objectType?: string;
  @Field(() => ID, { nullable: true }) override objectId?: string;
  @Field({ nullable: true, description: 'one or more of c, r, u, d ("cud": every change, no reads)' }) override crud?: string;
  @Field(() => OriginEnum, { nullable: true }) override origin?: Origin;
}

const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);

/**
 * The course log's arguments but its filter. `filter` is its own argument
 * (`@Args('filter')`), so the ValidationPipe validates it as a top-level
 * object and names the filter's field in the details; here it is only let
 * through, since `@Args()` hands every argument to this class too.
 */
@ArgsType()
export class CourseLogArgs extends PickType(CourseLogQueryDto, ['limit', 'cursor'] as const) {
  @Field(() => ID) @Transform(lower) @IsId() courseId!: string;
  @Allow() filter?: unknown;
  @Field(() => Int, { nullable: true, description: 'rows per page: default 100, at most 500' }) override limit?: number;
  @Field({ nullable: true, description: 'the nextCursor of the previous page (opaque)' }) override cursor?: string;
}

// ---------------------------------------------------------------- usage

const suppressedDoc = 'true: computed from fewer than minCellSize people (or to protect such a cell): the figures are null';

@ObjectType('UsageDimensionValue')
export class UsageDimensionValueObject {
  @Field() key!: string;
  @Field({ description: "readable: a school's name" }) label!: string;
}

@ObjectType('PeopleCount')
export class PeopleCountObject {
  @Field(() => Int, { nullable: true }) people!: number | null;
  @Field({ description: suppressedDoc }) suppressed!: boolean;
}

@ObjectType('KeyedPeopleCount')
export class KeyedPeopleCountObject extends PeopleCountObject {
  @Field({ description: 'the value of the dimension' }) key!: string;
}

@ObjectType('PeopleEvents')
export class PeopleEventsObject extends PeopleCountObject {
  @Field(() => Int, { nullable: true }) events!: number | null;
}

@ObjectType('KeyedPeopleEvents')
export class KeyedPeopleEventsObject extends PeopleEventsObject {
  @Field() key!: string;
}

@ObjectType('PeopleViews')
export class PeopleViewsObject extends PeopleCountObject {
  @Field(() => Int, { nullable: true }) views!: number | null;
}

@ObjectType('PeopleCompletions')
export class PeopleCompletionsObject extends PeopleCountObject {
  @Field(() => Int, { nullable: true }) completions!: number | null;
}

@ObjectType('UsageRegistrations', { description: 'accounts created, by the dimension' })
export class UsageRegistrationsObject {
  @Field(() => PeopleCountObject) total!: PeopleCountObject;
  @Field(() => [KeyedPeopleCountObject]) cells!: KeyedPeopleCountObject[];
}

@ObjectType('UsageActiveUsers', { description: 'distinct people who did anything, and their events, by the dimension' })
export class UsageActiveUsersObject {
  @Field(() => PeopleEventsObject) total!: PeopleEventsObject;
  @Field(() => [KeyedPeopleEventsObject]) cells!: KeyedPeopleEventsObject[];
}

@ObjectType('UsageContentAccess', { description: 'course and resource views: distinct viewers and views' })
export class UsageContentAccessObject {
  @Field(() => PeopleViewsObject) courseViews!: PeopleViewsObject;
  @Field(() => PeopleViewsObject) resourceViews!: PeopleViewsObject;
}

@ObjectType('UsagePeriod')
export class UsagePeriodObject implements UsagePeriodView {
  @Field({ description: "the period's first day (YYYY-MM-DD)" }) period!: string;
  @Field({ description: 'the first day of the range inside the period' }) start!: string;
  @Field({ description: 'the last day of the range inside the period' }) end!: string;
  @Field(() => UsageRegistrationsObject) registrations!: UsagePeriodView['registrations'];
  @Field(() => UsageActiveUsersObject) activeUsers!: UsagePeriodView['activeUsers'];
  @Field(() => UsageContentAccessObject) contentAccess!: UsagePeriodView['contentAccess'];
  @Field(() => PeopleCompletionsObject, { description: 'learners who completed a course, and completions' }) completion!: UsagePeriodView['completion'];
}

@ObjectType('UsageReport', { description: 'aggregates only, k-anonymous; reading it records UsageReportViewed' })
export class UsageReportObject implements UsageReportView {
  @Field() from!: string;
  @Field() to!: string;
  @Field(() => GranularityEnum) granularity!: Granularity;
  @Field(() => UsageDimensionEnum) by!: UsageDimension;
  @Field(() => Int, { description: 'k: cells from fewer distinct people are suppressed' }) minCellSize!: number;
  @Field(() => [UsageDimensionValueObject]) dimension!: UsageDimensionValueObject[];
  @Field(() => [UsagePeriodObject]) periods!: UsagePeriodView[];
}

@ArgsType()
export class UsageArgs extends PickType(UsageQueryDto, ['from', 'to', 'granularity', 'by'] as const) {
  @Field({ nullable: true, description: 'first UTC day, YYYY-MM-DD (default: 30 days, 12 weeks or 12 months before to)' }) override from?: string;
  @Field({ nullable: true, description: 'last UTC day, included (default: today)' }) override to?: string;
  @Field(() => GranularityEnum, { nullable: true, description: 'default day' }) override granularity?: Granularity;
  @Field(() => UsageDimensionEnum, { nullable: true, description: 'default role' }) override by?: UsageDimension;
}
