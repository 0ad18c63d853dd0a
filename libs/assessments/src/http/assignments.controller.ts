import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { CurrentActor, type Actor } from '@learnstream/access';
import { ApiErrors, UUID_PARAM } from '@learnstream/core';
import { CreateAssignmentCommand, UpdateAssignmentCommand } from '../commands/create-assignment.command';
import { GradeSubmissionCommand, ReopenSubmissionCommand } from '../commands/grade-submission.command';
import { CreateOfflineTestCommand, RecordOfflineResultCommand } from '../commands/offline-test.command';
import { SubmitAssignmentCommand } from '../commands/submit-assignment.command';
import { BulkGradeSubmissionsCommand, BulkRecordOfflineResultsCommand } from '../commands/bulk-results.command';
import { GetAssignmentQuery, GetSubmissionQuery, ListOfflineResultsQuery, ListSubmissionsQuery } from '../queries/assignments.query';
import { BulkResultsDto, BulkResultsOutcomeDto, CreateAssignmentDto, CreateOfflineTestDto, GradeDto, SubmitAssignmentDto, UpdateAssignmentDto } from './dto';
import {
  AssignmentResponse,
  GradedWorkResponse,
  OfflineResultListResponse,
  OfflineResultResponse,
  OfflineTestResponse,
  ReopenedSubmissionResponse,
  SubmissionListResponse,
  SubmissionResponse,
  SubmittedWorkResponse,
} from './responses';

const uuid = UUID_PARAM;
/** The codes of a write with occurredAt (libs/access historic-time.ts). */
const HISTORIC = ['OCCURRED_AT_INVALID', 'OCCURRED_AT_IN_FUTURE', 'OCCURRED_AT_BEFORE_COURSE'];
/** What the bulk results and grades routes do. */
const BULK_DOC =
  "Every row is checked and decided before anything is written; one append for the whole upload. A learner whose grade is already the row's is unchanged (sending the upload again records nothing). Rows may carry occurredAt (history: the import permission); a learner must have been enrolled at the row's time, so one who has since left is graded for the time they were in. mode all_or_nothing (default) answers 400 BULK_REJECTED with each refused row in details; per_row records the good rows.";
const PLACED = { 404: ['COURSE_NOT_FOUND', 'SECTION_NOT_FOUND'], 422: ['COURSE_HAS_NO_SECTION', 'COURSE_ARCHIVED'] };

/** Assignments: set by editing teachers, handed in by learners, graded by the course's teachers. */
@ApiTags('assignments')
@ApiBearerAuth()
@Controller('api/v1')
export class AssignmentsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('courses/:courseId/assignments')
  @ApiOperation({ summary: 'Create an assignment in a course' })
  @ApiCreatedResponse({ type: AssignmentResponse, description: 'the assignment, placed in the course as an activity' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'ASSIGNMENT_INVALID', ...HISTORIC], 403: ['FORBIDDEN', 'IMPORT_NOT_ALLOWED'], ...PLACED, 409: ['CONCURRENCY_CONFLICT', 'IDNUMBER_TAKEN'] })
  create(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Body() body: CreateAssignmentDto): Promise<AssignmentResponse> {
    return this.commands.execute(new CreateAssignmentCommand(actor, courseId, body));
  }

  @Get('assignments/:assignmentId')
  @ApiOperation({ summary: 'One assignment' })
  @ApiOkResponse({ type: AssignmentResponse, description: 'the assignment, for the course staff and its learners' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['ASSIGNMENT_NOT_FOUND'] })
  get(@CurrentActor() actor: Actor, @Param('assignmentId', uuid) assignmentId: string): Promise<AssignmentResponse> {
    return this.queries.execute(new GetAssignmentQuery(actor, assignmentId));
  }

  @Patch('assignments/:assignmentId')
  @ApiOperation({ summary: 'Change an assignment' })
  @ApiOkResponse({ type: AssignmentResponse, description: 'the assignment after the change; null clears an optional setting' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'ASSIGNMENT_INVALID'], 403: ['FORBIDDEN'], 404: ['ASSIGNMENT_NOT_FOUND'], 409: ['CONCURRENCY_CONFLICT'] })
  update(@CurrentActor() actor: Actor, @Param('assignmentId', uuid) assignmentId: string, @Body() body: UpdateAssignmentDto): Promise<AssignmentResponse> {
    return this.commands.execute(new UpdateAssignmentCommand(actor, assignmentId, body));
  }

  @Post('assignments/:assignmentId/submissions')
  @ApiOperation({ summary: 'Submit to an assignment' })
  @ApiCreatedResponse({ type: SubmittedWorkResponse, description: 'the caller’s submission (it replaces their previous one); late after dueAt, refused after cutoffAt. An import may record a learner’s submission (learnerId) at its historic time (occurredAt): lateness is reckoned at that time' })
  @ApiErrors({
    400: ['VALIDATION_FAILED', 'SUBMISSION_INVALID', ...HISTORIC],
    403: ['NOT_ENROLLED', 'IMPORT_NOT_ALLOWED'],
    404: ['ASSIGNMENT_NOT_FOUND'],
    409: ['CONCURRENCY_CONFLICT'],
    422: ['SUBMISSION_CLOSED', 'RESUBMISSION_NOT_ALLOWED'],
  })
  submit(@CurrentActor() actor: Actor, @Param('assignmentId', uuid) assignmentId: string, @Body() body: SubmitAssignmentDto): Promise<SubmittedWorkResponse> {
    return this.commands.execute(new SubmitAssignmentCommand(actor, assignmentId, body));
  }

  @Get('assignments/:assignmentId/submissions')
  @ApiOperation({ summary: 'An assignment\'s submissions' })
  @ApiOkResponse({ type: SubmissionListResponse, description: 'every learner’s submission and grade (course staff)' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['ASSIGNMENT_NOT_FOUND'] })
  submissions(@CurrentActor() actor: Actor, @Param('assignmentId', uuid) assignmentId: string): Promise<SubmissionListResponse> {
    return this.queries.execute(new ListSubmissionsQuery(actor, assignmentId));
  }

  @Get('assignments/:assignmentId/submissions/:learnerId')
  @ApiOperation({ summary: 'One learner\'s submission' })
  @ApiOkResponse({ type: SubmissionResponse, description: 'one learner’s submission, grade and feedback (the learner, their parent, the course staff)' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['ASSIGNMENT_NOT_FOUND', 'SUBMISSION_NOT_FOUND'] })
  submission(@CurrentActor() actor: Actor, @Param('assignmentId', uuid) assignmentId: string, @Param('learnerId', uuid) learnerId: string): Promise<SubmissionResponse> {
    return this.queries.execute(new GetSubmissionQuery(actor, assignmentId, learnerId));
  }

  @Post('assignments/:assignmentId/submissions/:learnerId/grade')
  @ApiOperation({ summary: 'Grade a submission' })
  @HttpCode(200)
  @ApiOkResponse({ type: GradedWorkResponse, description: 'the grade (a later one replaces it, and says which it replaced); feedback is encrypted in the log' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'GRADE_OUT_OF_RANGE', ...HISTORIC], 403: ['FORBIDDEN', 'IMPORT_NOT_ALLOWED'], 404: ['ASSIGNMENT_NOT_FOUND'], 409: ['CONCURRENCY_CONFLICT'], 422: ['NOT_ENROLLED'] })
  grade(@CurrentActor() actor: Actor, @Param('assignmentId', uuid) assignmentId: string, @Param('learnerId', uuid) learnerId: string, @Body() body: GradeDto): Promise<GradedWorkResponse> {
    return this.commands.execute(new GradeSubmissionCommand(actor, assignmentId, learnerId, body));
  }

  @Post('assignments/:assignmentId/grades/bulk')
  @HttpCode(200)
  @ApiOperation({ summary: 'Grade many learners on an assignment at once (Moodle\'s grade import)', description: BULK_DOC })
  @ApiOkResponse({ type: BulkResultsOutcomeDto, description: 'one result per row' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'BULK_REJECTED'], 403: ['FORBIDDEN', 'IMPORT_NOT_ALLOWED'], 404: ['ASSIGNMENT_NOT_FOUND'], 409: ['CONCURRENCY_CONFLICT'], 413: ['PAYLOAD_TOO_LARGE'] })
  gradeMany(@CurrentActor() actor: Actor, @Param('assignmentId', uuid) assignmentId: string, @Body() body: BulkResultsDto): Promise<BulkResultsOutcomeDto> {
    return this.commands.execute(new BulkGradeSubmissionsCommand(actor, assignmentId, body.rows, body.mode));
  }

  @Post('assignments/:assignmentId/submissions/:learnerId/reopen')
  @ApiOperation({ summary: 'Reopen a submission' })
  @HttpCode(200)
  @ApiOkResponse({ type: ReopenedSubmissionResponse, description: 'the learner may submit again' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['ASSIGNMENT_NOT_FOUND'], 409: ['SUBMISSION_NOT_GRADED', 'CONCURRENCY_CONFLICT'] })
  reopen(@CurrentActor() actor: Actor, @Param('assignmentId', uuid) assignmentId: string, @Param('learnerId', uuid) learnerId: string): Promise<ReopenedSubmissionResponse> {
    return this.commands.execute(new ReopenSubmissionCommand(actor, assignmentId, learnerId));
  }
}

/** Tests sat outside the platform, whose results teachers record. */
@ApiTags('offline tests')
@ApiBearerAuth()
@Controller('api/v1')
export class OfflineTestsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('courses/:courseId/offline-tests')
  @ApiOperation({ summary: 'Create an offline test in a course' })
  @ApiCreatedResponse({ type: OfflineTestResponse, description: 'the offline test, placed in the course as an activity' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'OFFLINE_TEST_INVALID', ...HISTORIC], 403: ['FORBIDDEN', 'IMPORT_NOT_ALLOWED'], ...PLACED, 409: ['CONCURRENCY_CONFLICT', 'IDNUMBER_TAKEN'] })
  create(@CurrentActor() actor: Actor, @Param('courseId', uuid) courseId: string, @Body() body: CreateOfflineTestDto): Promise<OfflineTestResponse> {
    return this.commands.execute(new CreateOfflineTestCommand(actor, courseId, body));
  }

  @Put('offline-tests/:offlineTestId/results/:learnerId')
  @ApiOperation({ summary: 'Record a learner\'s offline test result' })
  @HttpCode(200)
  @ApiOkResponse({ type: OfflineResultResponse, description: 'the learner’s result (replacing any earlier one, which it names as previousGrade)' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'GRADE_OUT_OF_RANGE', ...HISTORIC], 403: ['FORBIDDEN', 'IMPORT_NOT_ALLOWED'], 404: ['OFFLINE_TEST_NOT_FOUND'], 409: ['CONCURRENCY_CONFLICT'], 422: ['NOT_ENROLLED'] })
  record(@CurrentActor() actor: Actor, @Param('offlineTestId', uuid) offlineTestId: string, @Param('learnerId', uuid) learnerId: string, @Body() body: GradeDto): Promise<OfflineResultResponse> {
    return this.commands.execute(new RecordOfflineResultCommand(actor, offlineTestId, learnerId, body));
  }

  @Post('offline-tests/:offlineTestId/results/bulk')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record many learners\' results of an offline test at once (Moodle\'s grade import)', description: BULK_DOC })
  @ApiOkResponse({ type: BulkResultsOutcomeDto, description: 'one result per row' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'BULK_REJECTED'], 403: ['FORBIDDEN', 'IMPORT_NOT_ALLOWED'], 404: ['OFFLINE_TEST_NOT_FOUND'], 409: ['CONCURRENCY_CONFLICT'], 413: ['PAYLOAD_TOO_LARGE'] })
  recordMany(@CurrentActor() actor: Actor, @Param('offlineTestId', uuid) offlineTestId: string, @Body() body: BulkResultsDto): Promise<BulkResultsOutcomeDto> {
    return this.commands.execute(new BulkRecordOfflineResultsCommand(actor, offlineTestId, body.rows, body.mode));
  }

  @Get('offline-tests/:offlineTestId/results')
  @ApiOperation({ summary: 'An offline test\'s results' })
  @ApiOkResponse({ type: OfflineResultListResponse, description: 'every recorded result (course staff)' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['OFFLINE_TEST_NOT_FOUND'] })
  results(@CurrentActor() actor: Actor, @Param('offlineTestId', uuid) offlineTestId: string): Promise<OfflineResultListResponse> {
    return this.queries.execute(new ListOfflineResultsQuery(actor, offlineTestId));
  }
}
