/**
 * The progress reports and the projections' status over GraphQL: the same
 * query calls as REST (libs/progress/src/http/progress-reports.controller.ts,
 * libs/projections/src/projections-admin.controller.ts), so the same access
 * policy decides and the same reads are recorded (LearnerProfileViewed,
 * ClassReportViewed, SchoolReportViewed). CSV downloads are REST's only.
 */
import { QueryBus } from '@nestjs/cqrs';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { AccessPolicy, CurrentActor, ForbiddenError, type Actor } from '@learnstream/access';
import { Clock } from '@learnstream/domain';
import { classAsOf, GetClassReportQuery, GetLearnerProfileQuery, GetLearnerTimelineQuery, GetSchoolReportQuery, schoolPeriod } from '@learnstream/progress';
import { ProjectionRunner } from '@learnstream/projections';
import { nullable } from '../courses/uuid-arg';
import {
  ClassReportArgs,
  ClassReportObject,
  LearnerProfileArgs,
  LearnerProfileObject,
  ProjectionStatusObject,
  SchoolReportArgs,
  SchoolReportObject,
  TimelineArgs,
  TimelinePageObject,
} from './progress.types';

@Resolver()
export class ProgressResolver {
  constructor(
    private readonly clock: Clock,
    private readonly queries: QueryBus,
    private readonly policy: AccessPolicy,
    private readonly runner: ProjectionRunner,
  ) {}

  @Query(() => LearnerProfileObject, { ...nullable, description: 'a learner profile: enrolments, progress, grades, skills, at-risk flags, the first page of the timeline (as GET /api/v1/reports/learners/{id})' })
  learnerProfile(@CurrentActor() actor: Actor, @Args() args: LearnerProfileArgs) {
    return this.queries.execute(new GetLearnerProfileQuery(actor, args.learnerId, { inactiveDays: args.inactiveDays, limit: args.limit, cursor: args.cursor, format: 'json', part: 'profile' }));
  }

  @Query(() => TimelinePageObject, { ...nullable, description: "a page of a learner's activity timeline, newest first (as GET /api/v1/reports/learners/{id}/timeline)" })
  learnerTimeline(@CurrentActor() actor: Actor, @Args() args: TimelineArgs) {
    return this.queries.execute(new GetLearnerTimelineQuery(actor, args.learnerId, { limit: args.limit, cursor: args.cursor, format: 'json', part: 'timeline' }));
  }

  @Query(() => ClassReportObject, { ...nullable, description: 'the class report of a course, for those who teach it (as GET /api/v1/reports/courses/{id})' })
  classReport(@CurrentActor() actor: Actor, @Args() args: ClassReportArgs) {
    return this.queries.execute(
      new GetClassReportQuery(actor, args.courseId, { inactiveDays: args.inactiveDays, format: 'json', part: 'report', asOf: classAsOf(args.asOf, this.clock.now()), threshold: args.threshold }),
    );
  }

  @Query(() => SchoolReportObject, { ...nullable, description: "a school's report over a period, for its admins and platform admins (as GET /api/v1/reports/schools/{id})" })
  schoolReport(@CurrentActor() actor: Actor, @Args() args: SchoolReportArgs) {
    const period = schoolPeriod(args, this.clock.nowIso().slice(0, 10));
    return this.queries.execute(new GetSchoolReportQuery(actor, args.schoolId, period, { format: 'json', part: 'report' }));
  }

  @Query(() => [ProjectionStatusObject], {
    ...nullable,
    description: 'every projection: checkpoint, lag, dead letters (as GET /api/v1/admin/projections); platform admins (the operations token is REST\'s only)',
  })
  async projections(@CurrentActor() actor: Actor) {
    const me = await this.policy.factsOf(actor);
    if (!me.platformRoles.includes('platform_admin')) throw new ForbiddenError('the operations API is for platform admins');
    return this.runner.status();
  }
}
