/**
 * The course log (its JSON page) and the usage report over GraphQL: the same
 * query calls as the REST controllers (course-log.controller.ts,
 * usage.controller.ts). Each read is recorded inside its query
 * (CourseLogViewed, UsageReportViewed), as over REST. The CSV exports and the
 * live tail (server-sent events) are REST's only.
 */
import { QueryBus } from '@nestjs/cqrs';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { CurrentActor, type Actor } from '@learnstream/access';
import { GetCourseLogQuery, GetUsageReportQuery, toCourseLogFilter, usageRange } from '@learnstream/reports';
import { Clock } from '@learnstream/domain';
import { nullable } from '../courses/uuid-arg';
import { CourseLogArgs, CourseLogFilterInput, CourseLogPageObject, UsageArgs, UsageReportObject } from './reports.types';

@Resolver()
export class ReportsResolver {
  constructor(private readonly clock: Clock, private readonly queries: QueryBus) {}

  @Query(() => CourseLogPageObject, { ...nullable, description: "the course log (Moodle's logs report), newest first, for those who teach the course; recorded as CourseLogViewed" })
  courseLog(
    @CurrentActor() actor: Actor,
    @Args() args: CourseLogArgs,
    // `filter?:` rather than `| null` keeps the class in the parameter's type metadata, which the ValidationPipe validates against.
    @Args('filter', { type: () => CourseLogFilterInput, nullable: true }) filter?: CourseLogFilterInput,
  ) {
    return this.queries.execute(new GetCourseLogQuery(actor, args.courseId, toCourseLogFilter(filter ?? {}), args.limit, args.cursor));
  }

  @Query(() => UsageReportObject, {
    ...nullable,
    description: 'usage statistics (platform admins, the privacy officer): registrations and active users by role, school or country, content access, completion; k-anonymous',
  })
  usage(@CurrentActor() actor: Actor, @Args() args: UsageArgs) {
    return this.queries.execute(new GetUsageReportQuery(actor, usageRange(args, this.clock.nowIso().slice(0, 10)), 'json'));
  }
}
