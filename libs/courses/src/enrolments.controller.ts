/** Enrolments over REST: staff enrol (one, or many at once) and unenrol; learners enrol themselves; staff list participants. */
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { CurrentActor, type Actor } from '@learnstream/access';
import { ApiErrors } from '@learnstream/core';
import { BulkEnrolLearnersCommand, EnrolLearnerCommand } from './commands/enrol-learner.command';
import { SelfEnrolCommand } from './commands/self-enrol.command';
import { UnenrolLearnerCommand } from './commands/unenrol-learner.command';
import { BulkEnrolDto, EnrolLearnerDto, ListParticipantsDto, SelfEnrolDto, UnenrolDto } from './dto';
import { ID } from './id.pipe';
import { ListParticipantsQuery } from './queries/list-participants.query';

@ApiTags('enrolments')
@ApiBearerAuth()
@Controller('api/v1/courses/:id/enrolments')
export class EnrolmentsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'A course\'s participants' })
  @ApiOkResponse({ description: '{ courseId, participants }: for those who teach the course' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'] })
  participants(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Query() q: ListParticipantsDto) {
    return this.queries.execute(new ListParticipantsQuery(actor, id, q.includeUnenrolled === 'true'));
  }

  @Post()
  @ApiOperation({ summary: 'Enrol a learner' })
  @ApiCreatedResponse({ description: '{ courseId, learnerId, enrolmentId }' })
  @ApiErrors({
    400: ['VALIDATION_FAILED', 'UNKNOWN_LEARNER', 'ENROLMENT_INVALID'],
    403: ['FORBIDDEN'],
    404: ['COURSE_NOT_FOUND'],
    409: ['ENROLMENT_EXISTS', 'CONCURRENCY_CONFLICT'],
    422: ['COURSE_ARCHIVED', 'ENROLMENT_CLOSED'],
  })
  enrol(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Body() body: EnrolLearnerDto) {
    return this.commands.execute(new EnrolLearnerCommand(actor, id, body));
  }

  @Post('bulk')
  @ApiOperation({ summary: 'Enrol many learners' })
  @HttpCode(200)
  @ApiOkResponse({ description: 'idempotent: { enrolled, alreadyEnrolled, refused, results: [{ learnerId, status, code? }] }, one result per distinct learner' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['COURSE_NOT_FOUND'], 422: ['COURSE_ARCHIVED'] })
  bulk(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Body() body: BulkEnrolDto) {
    return this.commands.execute(new BulkEnrolLearnersCommand(actor, id, body.learnerIds));
  }

  @Post('self')
  @ApiOperation({ summary: 'Enrol oneself' })
  @ApiCreatedResponse({ description: 'the caller enrols themself: { courseId, learnerId, enrolmentId }' })
  @ApiErrors({
    400: ['VALIDATION_FAILED'],
    403: ['FORBIDDEN', 'SELF_ENROLMENT_DISABLED', 'ENROLMENT_KEY_INVALID'],
    404: ['COURSE_NOT_FOUND'],
    409: ['ENROLMENT_EXISTS', 'CONCURRENCY_CONFLICT'],
    422: ['COURSE_ARCHIVED', 'ENROLMENT_CLOSED'],
  })
  self(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Body() body: SelfEnrolDto) {
    return this.commands.execute(new SelfEnrolCommand(actor, id, body.key));
  }

  @Delete(':learnerId')
  @ApiOperation({ summary: 'End an enrolment' })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'ends the enrolment; staff, or the learner for a course they enrolled in themself' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['COURSE_NOT_FOUND'], 409: ['NOT_ENROLLED', 'CONCURRENCY_CONFLICT'] })
  async unenrol(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Param('learnerId', ID) learnerId: string, @Body() body: UnenrolDto) {
    await this.commands.execute(new UnenrolLearnerCommand(actor, id, learnerId, body?.reason ?? null));
  }
}
