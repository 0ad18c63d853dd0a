/** Enrolments over REST: staff enrol (one, or many at once) and unenrol; learners enrol themselves; staff list participants. */
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiExtraModels, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { CurrentActor, type Actor } from '@learnstream/access';
import { ApiErrors } from '@learnstream/core';
import { BulkEnrolLearnersCommand } from './commands/bulk-enrol.command';
import { EnrolLearnerCommand } from './commands/enrol-learner.command';
import { SelfEnrolCommand } from './commands/self-enrol.command';
import { UnenrolLearnerCommand } from './commands/unenrol-learner.command';
import { BulkEnrolDto, BulkEnrolIdsDto, BulkEnrolmentResultDto, BulkEnrolRowsDto, EnrolLearnerDto, ListParticipantsDto, SelfEnrolDto, UnenrolDto } from './dto';
import { ID } from './id.pipe';
import { ListParticipantsQuery } from './queries/list-participants.query';
import { EnrolmentResponse, ParticipantsResponse } from './responses';

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
  @ApiOkResponse({ type: ParticipantsResponse, description: '{ courseId, participants }: for those who teach the course' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'] })
  participants(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Query() q: ListParticipantsDto): Promise<ParticipantsResponse> {
    return this.queries.execute(new ListParticipantsQuery(actor, id, q.includeUnenrolled === 'true'));
  }

  @Post()
  @ApiOperation({ summary: 'Enrol a learner' })
  @ApiCreatedResponse({ type: EnrolmentResponse, description: '{ courseId, learnerId, enrolmentId }' })
  @ApiErrors({
    400: ['VALIDATION_FAILED', 'UNKNOWN_LEARNER', 'ENROLMENT_INVALID', 'OCCURRED_AT_INVALID', 'OCCURRED_AT_IN_FUTURE', 'OCCURRED_AT_BEFORE_COURSE'],
    403: ['FORBIDDEN', 'IMPORT_NOT_ALLOWED'],
    404: ['COURSE_NOT_FOUND'],
    409: ['ENROLMENT_EXISTS', 'CONCURRENCY_CONFLICT'],
    422: ['COURSE_ARCHIVED', 'ENROLMENT_CLOSED'],
  })
  enrol(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Body() body: EnrolLearnerDto): Promise<EnrolmentResponse> {
    return this.commands.execute(new EnrolLearnerCommand(actor, id, body));
  }

  @Post('bulk')
  @ApiOperation({ summary: 'Enrol many learners' })
  @HttpCode(200)
  @ApiOperation({
    summary: 'Enrol many learners at once, each with its own dates (Moodle\'s upload of enrolments)',
    description:
      'Idempotent: a learner enrolled already is already_enrolled and nothing is recorded for them. `learners` rows may carry occurredAt (when enrolled) and unenrolledAt (when they left) to load history: that needs the import permission (an admin of the school). Every row is checked before anything is written; mode all_or_nothing (the default with `learners`) answers 400 BULK_REJECTED with each refused row in details and records nothing; per_row records the good rows. One atomic append for the whole upload.',
  })
  @ApiExtraModels(BulkEnrolRowsDto, BulkEnrolIdsDto)
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(BulkEnrolRowsDto) }, { $ref: getSchemaPath(BulkEnrolIdsDto) }] } })
  @ApiOkResponse({ type: BulkEnrolmentResultDto, description: 'one result per row' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'BULK_REJECTED'], 403: ['FORBIDDEN', 'IMPORT_NOT_ALLOWED'], 404: ['COURSE_NOT_FOUND'], 409: ['CONCURRENCY_CONFLICT'], 413: ['PAYLOAD_TOO_LARGE'], 422: ['COURSE_ARCHIVED'] })
  bulk(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Body() body: BulkEnrolDto): Promise<BulkEnrolmentResultDto> {
    const command = body.learners
      ? new BulkEnrolLearnersCommand(actor, id, body.learners, body.mode ?? 'all_or_nothing')
      : new BulkEnrolLearnersCommand(actor, id, [...new Set(body.learnerIds ?? [])].map((learnerId) => ({ learnerId })), body.mode ?? 'per_row');
    return this.commands.execute(command);
  }

  @Post('self')
  @ApiOperation({ summary: 'Enrol oneself' })
  @ApiCreatedResponse({ type: EnrolmentResponse, description: 'the caller enrols themself: { courseId, learnerId, enrolmentId }' })
  @ApiErrors({
    400: ['VALIDATION_FAILED'],
    403: ['FORBIDDEN', 'SELF_ENROLMENT_DISABLED', 'ENROLMENT_KEY_INVALID'],
    404: ['COURSE_NOT_FOUND'],
    409: ['ENROLMENT_EXISTS', 'CONCURRENCY_CONFLICT'],
    422: ['COURSE_ARCHIVED', 'ENROLMENT_CLOSED'],
  })
  self(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Body() body: SelfEnrolDto): Promise<EnrolmentResponse> {
    return this.commands.execute(new SelfEnrolCommand(actor, id, body.key));
  }

  @Delete(':learnerId')
  @ApiOperation({ summary: 'End an enrolment' })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'ends the enrolment; staff, or the learner for a course they enrolled in themself' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'OCCURRED_AT_INVALID', 'OCCURRED_AT_IN_FUTURE', 'OCCURRED_AT_BEFORE_COURSE'], 403: ['FORBIDDEN', 'IMPORT_NOT_ALLOWED'], 404: ['COURSE_NOT_FOUND'], 409: ['NOT_ENROLLED', 'CONCURRENCY_CONFLICT'] })
  async unenrol(@CurrentActor() actor: Actor, @Param('id', ID) id: string, @Param('learnerId', ID) learnerId: string, @Body() body: UnenrolDto) {
    await this.commands.execute(new UnenrolLearnerCommand(actor, id, learnerId, body?.reason ?? null, body?.occurredAt));
  }
}
