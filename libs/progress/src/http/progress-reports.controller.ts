/**
 * The progress reports over REST, JSON or CSV (?format=csv or Accept:
 * text/csv; a CSV is one table of the report, ?table=). Thin: one query each.
 */
import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query, Res, type PipeTransform } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, type Actor } from '@learnstream/access';
import { ApiErrors, ApiJsonOrCsvResponse, csvDownload, downloadName, UUID_PARAM, wantsCsv } from '@learnstream/core';
import { Clock } from '@learnstream/domain';
import { GetClassReportQuery, type ClassReportView } from '../queries/get-class-report.query';
import { GetLearnerProfileQuery, GetLearnerTimelineQuery, type LearnerProfileView, type TimelinePage } from '../queries/get-learner-profile.query';
import { GetSchoolReportQuery, type SchoolReportView } from '../queries/get-school-report.query';
import { SetEarlyWarningThresholdCommand } from '../commands/set-threshold.command';
import { TrainEarlyWarningCommand } from '../commands/train-early-warning.command';
import { GetSchoolModelQuery } from '../queries/get-school-model.query';
import { ClassReportDto, classAsOf, EarlyWarningSettingDto, LearnerProfileDto, SchoolReportDto, schoolPeriod, TimelineDto, TrainEarlyWarningDto } from './dto';
import { ClassReportResponse, LearnerProfileResponse, SchoolModelResponse, SchoolReportResponse, ThresholdSettingResponse, TimelinePageResponse } from './responses';
import { classCsv, learnerCsv, schoolCsv, timelineCsv } from './report-csv';
import { reportJson } from './report-json';

/** A path id: a UUID (else 400 VALIDATION_FAILED), in lower case as the read models hold it. */
const id: PipeTransform<string, Promise<string>> = {
  async transform(value, metadata) {
    return String(await UUID_PARAM.transform(value, metadata)).toLowerCase();
  },
};


@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1/reports')
export class ProgressReportsController {
  constructor(
    private readonly clock: Clock,
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
  ) {}

  @Get('learners/:id')
  @ApiOperation({
    summary: 'Learner profile: enrolments, progress and completion, grades, results by skill with strengths and points to improve, last access, activity timeline',
    description:
      'user.read on the learner; each course only as course.learner allows (the learner, their parent, the course\'s teachers, the school\'s admins); ' +
      'the learner and their parent see released grades only. Sign-ins and other events outside courses, and the last access to the platform, only for ' +
      'the learner, their parent and their school\'s admins. If the learner objected to profiling, strengths, points to improve and at-risk flags are ' +
      'null, with a note. The rules are stated in `rules`. Recorded as LearnerProfileViewed.',
  })
  @ApiJsonOrCsvResponse(LearnerProfileResponse, 'the profile; CSV: ?table=courses (default), skills or timeline')
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['USER_NOT_FOUND'] })
  async learner(@CurrentActor() actor: Actor, @Param('id', id) learnerId: string, @Query() q: LearnerProfileDto, @Headers('accept') accept?: string) {
    const csv = wantsCsv(q.format, accept);
    const table = q.table ?? 'courses';
    const profile: LearnerProfileView = await this.queries.execute(
      new GetLearnerProfileQuery(actor, learnerId, { inactiveDays: q.inactiveDays, limit: q.limit, cursor: q.cursor, format: csv ? 'csv' : 'json', part: csv ? table : 'profile' }),
    );
    return csv ? csvDownload(learnerCsv(profile, table), downloadName([profile.displayName ?? 'learner', 'profile', table, profile.generatedAt.slice(0, 10)]), q.bom === 'true') : profile;
  }

  @Get('learners/:id/timeline')
  @ApiOperation({ summary: 'A page of the learner\'s activity timeline, newest first (same access as the profile); recorded as LearnerProfileViewed' })
  @ApiJsonOrCsvResponse(TimelinePageResponse, '{ learnerId, events, nextCursor }')
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['USER_NOT_FOUND'] })
  async timeline(@CurrentActor() actor: Actor, @Param('id', id) learnerId: string, @Query() q: TimelineDto, @Headers('accept') accept?: string) {
    const csv = wantsCsv(q.format, accept);
    const page: TimelinePage = await this.queries.execute(new GetLearnerTimelineQuery(actor, learnerId, { limit: q.limit, cursor: q.cursor, format: csv ? 'csv' : 'json', part: 'timeline' }));
    return csv ? csvDownload(timelineCsv(page), downloadName(['learner', 'timeline', this.clock.nowIso().slice(0, 10)]), q.bom === 'true') : page;
  }

  @Get('courses/:id')
  @ApiOperation({
    summary: 'Class report: participants with last access and activity by action, completion, grade distribution, per-question statistics, learners at risk',
    description:
      'course.teach (the course\'s teachers, non-editing ones too, and the school\'s admins). At risk: the early-warning model\'s flag with its risk and ' +
      'reasons, at the school\'s threshold setting (or ?threshold=), its expected precision and recall in `earlyWarning`; the two rules of before ' +
      '(no activity for ?inactiveDays=, default 7, or a failing grade) beside it as `baseline`. Learners who objected to profiling are never scored. ' +
      '?asOf=: the class as it was then (events whose occurredAt ≤ asOf). Per-question facility and discrimination over first attempts (formulas in ' +
      '`rules.questions`). Recorded as ClassReportViewed.',
  })
  @ApiJsonOrCsvResponse(ClassReportResponse, 'the report; CSV: ?table=participants (default), questions, distribution or assessments (per quiz, assignment and offline test; from0 … from90: learners graded in each bin of 10 points)')
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['COURSE_NOT_FOUND'] })
  async course(
    @CurrentActor() actor: Actor,
    @Param('id', id) courseId: string,
    @Query() q: ClassReportDto,
    @Res({ passthrough: true }) res: FastifyReply,
    @Headers('accept') accept?: string,
  ) {
    const csv = wantsCsv(q.format, accept);
    const table = q.table ?? 'participants';
    const report: ClassReportView = await this.queries.execute(
      new GetClassReportQuery(actor, courseId, {
        inactiveDays: q.inactiveDays,
        format: csv ? 'csv' : 'json',
        part: csv ? table : 'report',
        asOf: classAsOf(q.asOf, this.clock.now()),
        threshold: q.threshold,
      }),
    );
    if (csv) return csvDownload(classCsv(report, table), downloadName([report.code, 'class-report', table, (report.asOf ?? report.generatedAt).slice(0, 10)]), q.bom === 'true');
    // The report's JSON as one-byte text where its own words have "…" (reportJson): sent as res.json sends it.
    void res.type('application/json; charset=utf-8');
    return reportJson(report, ['earlyWarning', 'rules', 'suggestions']);
  }

  @Get('schools/:id')
  @ApiOperation({
    summary: 'School report over a period: active learners, completion and grade averages by course, subject and grade level, teacher activity',
    description: 'school.manage (the school\'s admins, platform admins). Definitions in `definitions`. Recorded as SchoolReportViewed.',
  })
  @ApiJsonOrCsvResponse(SchoolReportResponse, 'the report; CSV: ?table=courses (default), subjects, grade-levels or teachers')
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['SCHOOL_NOT_FOUND'] })
  async school(@CurrentActor() actor: Actor, @Param('id', id) schoolId: string, @Query() q: SchoolReportDto, @Headers('accept') accept?: string) {
    const csv = wantsCsv(q.format, accept);
    const table = q.table ?? 'courses';
    const period = schoolPeriod(q, this.clock.nowIso().slice(0, 10));
    const report: SchoolReportView = await this.queries.execute(new GetSchoolReportQuery(actor, schoolId, period, { format: csv ? 'csv' : 'json', part: csv ? table : 'report' }));
    return csv ? csvDownload(schoolCsv(report, table), downloadName([report.name, 'school-report', table, report.from, report.to]), q.bom === 'true') : report;
  }

  @Put('schools/:id/early-warning')
  @HttpCode(200)
  @ApiOperation({
    summary: "The school's threshold of the at-risk flag: precision-first (few false alarms) or recall-first (few learners missed)",
    description: "school.manage. Every class report of the school's courses flags at this setting and shows its expected precision and recall. Recorded as EarlyWarningThresholdSet.",
  })
  @ApiOkResponse({ type: ThresholdSettingResponse, description: 'the setting with the precision and recall it had on held-out modules' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['SCHOOL_NOT_FOUND'] })
  setThreshold(@CurrentActor() actor: Actor, @Param('id', id) schoolId: string, @Body() body: EarlyWarningSettingDto) {
    return this.commands.execute(new SetEarlyWarningThresholdCommand(actor, schoolId, body.threshold));
  }

  @Post('schools/:id/early-warning/model')
  @ApiOperation({
    summary: "Train the at-risk model on the school's own history: its finished (archived) courses and how their learners finished",
    description:
      "school.manage. Each finished course held out in turn (the penalty and both thresholds, with the precision and recall they had, from the held-out " +
      "scores), the weights fitted on all; recorded as EarlyWarningModelTrained. The school's class reports and learner profiles score with it from then on " +
      '(docs/early-warning.md). 422 NOT_ENOUGH_HISTORY: fewer than two finished courses with learners judged, or one outcome only.',
  })
  @ApiCreatedResponse({ type: SchoolModelResponse, description: "the school's model: weights, penalty, thresholds with their expected precision and recall" })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 422: ['NOT_ENOUGH_HISTORY'] })
  train(@CurrentActor() actor: Actor, @Param('id', id) schoolId: string, @Body() body: TrainEarlyWarningDto) {
    return this.commands.execute(new TrainEarlyWarningCommand(actor, schoolId, body.days));
  }

  @Get('schools/:id/early-warning/model')
  @ApiOperation({ summary: "The at-risk model the school's class reports score with: its own (trained on its history) or the bundled one", description: 'school.manage.' })
  @ApiOkResponse({ type: SchoolModelResponse })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'] })
  model(@CurrentActor() actor: Actor, @Param('id', id) schoolId: string) {
    return this.queries.execute(new GetSchoolModelQuery(actor, schoolId));
  }
}
