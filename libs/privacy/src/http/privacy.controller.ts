import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentActor, type Actor } from '@learnstream/access';
import { ApiError, ApiErrors, UUID_PARAM } from '@learnstream/core';
import { ChangeConsentCommand } from '../commands/consent.command';
import { ApprovePrivacyRequestCommand, RejectPrivacyRequestCommand, WithdrawPrivacyRequestCommand } from '../commands/decide-request.command';
import { FilePrivacyRequestCommand } from '../commands/file-request.command';
import { ChangePrivacyStateCommand } from '../commands/subject-state.command';
import { PERSONAL_DATA_EXPORT_SCHEMA } from '../export/export.schema';
import { CONSENT_PURPOSES, type ConsentPurpose } from '../privacy.events';
import { ExportPersonalDataQuery, ExportRequestedDataQuery } from '../queries/export.query';
import { GetErasureReceiptsQuery, GetPrivacyRequestQuery, ListMyPrivacyRequestsQuery, ListPrivacyQueueQuery } from '../queries/requests.query';
import { GetAccessLogQuery, GetBreachReviewQuery, GetPrivacyStatusQuery, GetRetentionQuery, PreviewRetentionSweepQuery } from '../queries/status.query';
import { ListMentionsQuery, RedactMentionCommand } from '../queries/mentions.query';
import { MentionResponse, MentionsResponse, RequestView } from '../views';
import {
  AccessLogResponse,
  BreachReviewResponse,
  ConsentStateResponse,
  ErasureReceiptsResponse,
  PersonalDataExportResponse,
  PrivacyStatusResponse,
  RequestListResponse,
  RequestQueueResponse,
  RetentionResponse,
  SweepReportResponse,
} from './responses';
import { AccessLogQueryDto, BreachReviewQueryDto, DecisionDto, ExportQueryDto, FileRequestDto, LegalHoldDto, QueueQueryDto, RejectionDto } from './privacy.dto';

const uuid = UUID_PARAM;
const purpose = {
  transform(value: string): ConsentPurpose {
    if (!(CONSENT_PURPOSES as readonly string[]).includes(value)) throw new ApiError(400, 'VALIDATION_FAILED', `purpose must be one of ${CONSENT_PURPOSES.join(', ')}`);
    return value as ConsentPurpose;
  },
};

/** Data-subject rights on an append-only log (DESIGN.md, "Privacy on an append-only log"). */
@ApiTags('privacy')
@ApiExtraModels(ConsentStateResponse)
@ApiBearerAuth()
@Controller('api/v1/privacy')
export class PrivacyController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  // --- Requests

  @Post('requests')
  @ApiOperation({ summary: 'File a request (export, rectification, erasure, restriction, objection) for yourself, a minor child, a learner of your school; due in 30 days' })
  @ApiCreatedResponse({ type: RequestView })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['USER_NOT_FOUND'] })
  file(@CurrentActor() actor: Actor, @Body() body: FileRequestDto) {
    return this.commands.execute(new FilePrivacyRequestCommand(actor, body));
  }

  @Get('requests')
  @ApiOperation({ summary: 'Your requests: about you, or filed by you (for a child, a learner)' })
  @ApiOkResponse({ type: RequestListResponse, description: 'the caller’s own requests' })
  @ApiErrors({ 403: ['FORBIDDEN'] })
  mine(@CurrentActor() actor: Actor): Promise<RequestListResponse> {
    return this.queries.execute(new ListMyPrivacyRequestsQuery(actor));
  }

  @Get('requests/queue')
  @ApiOperation({ summary: 'The DPO’s queue: open requests by deadline, overdue first (or filtered)' })
  @ApiOkResponse({ type: RequestQueueResponse, description: 'the requests, with how many are open and overdue' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'] })
  queue(@CurrentActor() actor: Actor, @Query() query: QueueQueryDto): Promise<RequestQueueResponse> {
    return this.queries.execute(new ListPrivacyQueueQuery(actor, query));
  }

  @Get('requests/:id')
  @ApiOperation({ summary: 'One data-subject request' })
  @ApiOkResponse({ type: RequestView })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 404: ['REQUEST_NOT_FOUND'] })
  get(@CurrentActor() actor: Actor, @Param('id', uuid) id: string) {
    return this.queries.execute(new GetPrivacyRequestQuery(actor, id));
  }

  @Post('requests/:id/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'DPO: approve, and carry out (an erasure under a legal hold is deferred)' })
  @ApiOkResponse({ type: RequestView })
  @ApiErrors({
    400: ['VALIDATION_FAILED'],
    403: ['FORBIDDEN', 'OWN_REQUEST'],
    404: ['REQUEST_NOT_FOUND'],
    409: ['REQUEST_NOT_OPEN', 'SUBJECT_ERASED'],
    410: ['SUBJECT_ERASED'],
    422: ['NOTHING_TO_RECTIFY'],
  })
  approve(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() body: DecisionDto) {
    return this.commands.execute(new ApprovePrivacyRequestCommand(actor, id, body.reason ?? null));
  }

  @Post('requests/:id/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'DPO: reject, with a reason the subject sees' })
  @ApiOkResponse({ type: RequestView })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'REASON_REQUIRED'], 403: ['FORBIDDEN', 'OWN_REQUEST'], 404: ['REQUEST_NOT_FOUND'], 409: ['REQUEST_NOT_OPEN'], 410: ['SUBJECT_ERASED'] })
  reject(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() body: RejectionDto) {
    return this.commands.execute(new RejectPrivacyRequestCommand(actor, id, body.reason));
  }

  @Post('requests/:id/withdraw')
  @HttpCode(200)
  @ApiOperation({ summary: 'The requester or the subject withdraws a pending request' })
  @ApiOkResponse({ type: RequestView })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 404: ['REQUEST_NOT_FOUND'], 409: ['REQUEST_NOT_OPEN'] })
  withdraw(@CurrentActor() actor: Actor, @Param('id', uuid) id: string) {
    return this.commands.execute(new WithdrawPrivacyRequestCommand(actor, id));
  }

  @Get('requests/:id/receipts')
  @ApiOperation({ summary: 'DPO: which projections forgot the erased person, and when (one receipt per projection)' })
  @ApiOkResponse({ type: ErasureReceiptsResponse, description: 'each projection and when it forgot the person' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['REQUEST_NOT_FOUND'], 422: ['NOT_AN_ERASURE'] })
  receipts(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<ErasureReceiptsResponse> {
    return this.queries.execute(new GetErasureReceiptsQuery(actor, id));
  }

  @Get('requests/:id/mentions')
  @ApiOperation({ summary: 'DPO: where the erased person was named in other people’s free text (essays, feedback, answers), found within the erasure; excerpts masked' })
  @ApiOkResponse({ type: MentionsResponse })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['REQUEST_NOT_FOUND'], 422: ['NOT_AN_ERASURE'] })
  mentions(@CurrentActor() actor: Actor, @Param('id', uuid) id: string) {
    return this.queries.execute(new ListMentionsQuery(actor, id));
  }

  @Post('mentions/:mentionId/redact')
  @HttpCode(200)
  @ApiOperation({ summary: 'DPO: rectify a mention on its owner’s record (PersonalDataRedacted): the name reads as a mask in the read models and the owner’s export; twice changes nothing' })
  @ApiOkResponse({ type: MentionResponse })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['MENTION_NOT_FOUND'] })
  redact(@CurrentActor() actor: Actor, @Param('mentionId', uuid) mentionId: string) {
    return this.commands.execute(new RedactMentionCommand(actor, mentionId));
  }

  @Get('requests/:id/export')
  @ApiOperation({ summary: 'The export of an approved export request: only its subject, its requester (still standing for the subject) and the DPO; audited' })
  @ApiOkResponse({ type: PersonalDataExportResponse, description: 'the personal-data export (format=json, GET /privacy/export-schema) or { version, statements } (format=xapi)' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['REQUEST_NOT_FOUND', 'USER_NOT_FOUND'], 422: ['NOT_AN_EXPORT', 'EXPORT_NOT_READY'] })
  requestedExport(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Query() query: ExportQueryDto): Promise<PersonalDataExportResponse> {
    return this.queries.execute(new ExportRequestedDataQuery(actor, id, query.format ?? 'json'));
  }

  // --- Access and portability (self-service)

  @Get('export')
  @ApiOperation({ summary: 'Everything held about you, with your decrypted activity log and IPs; audited (PersonalDataExported)' })
  @ApiOkResponse({ type: PersonalDataExportResponse, description: 'format=json: the documented export (GET /privacy/export-schema); format=xapi: { version, statements: xAPI statements }' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['USER_NOT_FOUND'] })
  exportMine(@CurrentActor() actor: Actor, @Query() query: ExportQueryDto): Promise<PersonalDataExportResponse> {
    return this.queries.execute(new ExportPersonalDataQuery(actor, actor.userId, query.format ?? 'json'));
  }

  @Get('export-schema')
  @ApiOperation({ summary: 'The JSON Schema of the personal-data export' })
  @ApiOkResponse({
    description: 'JSON Schema 2020-12',
    schema: { type: 'object', additionalProperties: true, required: ['$schema', '$id'], properties: { $schema: { type: 'string' }, $id: { type: 'string' } } },
  })
  @ApiErrors({})
  schema() {
    return PERSONAL_DATA_EXPORT_SCHEMA;
  }

  @Get('subjects/:id/export')
  @ApiOperation({ summary: 'Self-service export for yourself or, as a parent, for a minor child; audited' })
  @ApiOkResponse({ type: PersonalDataExportResponse, description: 'as GET /privacy/export' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['USER_NOT_FOUND'] })
  exportOf(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Query() query: ExportQueryDto): Promise<PersonalDataExportResponse> {
    return this.queries.execute(new ExportPersonalDataQuery(actor, id, query.format ?? 'json'));
  }

  // --- The person's privacy state

  @Get('subjects/:id')
  @ApiOperation({ summary: 'Consents per purpose, restriction, objection to profiling, legal hold, cancellation' })
  @ApiOkResponse({ type: PrivacyStatusResponse, description: 'the person’s privacy state' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'] })
  status(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<PrivacyStatusResponse> {
    return this.queries.execute(new GetPrivacyStatusQuery(actor, id));
  }

  @Put('subjects/:id/consents/:purpose')
  @ApiOperation({ summary: 'Give consent to a purpose (marketing, analytics, profiling); a minor’s is given by a linked parent' })
  @ApiParam({ name: 'purpose', enum: CONSENT_PURPOSES })
  @ApiOkResponse({ type: PrivacyStatusResponse, description: 'the person’s privacy state' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN', 'PARENTAL_CONSENT_REQUIRED'], 409: ['SUBJECT_ERASED'] })
  giveConsent(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Param('purpose', purpose) p: ConsentPurpose): Promise<PrivacyStatusResponse> {
    return this.commands.execute(new ChangeConsentCommand(actor, id, p, true));
  }

  @Delete('subjects/:id/consents/:purpose')
  @ApiOperation({ summary: 'Withdraw consent: at once out of usage statistics (analytics), no profiling (profiling)' })
  @ApiParam({ name: 'purpose', enum: CONSENT_PURPOSES })
  @ApiOkResponse({ type: PrivacyStatusResponse, description: 'the person’s privacy state' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 409: ['SUBJECT_ERASED'] })
  withdrawConsent(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Param('purpose', purpose) p: ConsentPurpose): Promise<PrivacyStatusResponse> {
    return this.commands.execute(new ChangeConsentCommand(actor, id, p, false));
  }

  @Delete('subjects/:id/restriction')
  @ApiOperation({ summary: 'DPO: lift a restriction of processing' })
  @ApiOkResponse({ type: PrivacyStatusResponse, description: 'the person’s privacy state' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 409: ['NOT_RESTRICTED', 'SUBJECT_ERASED'] })
  liftRestriction(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<PrivacyStatusResponse> {
    return this.commands.execute(new ChangePrivacyStateCommand(actor, id, { kind: 'lift_restriction' }));
  }

  @Delete('subjects/:id/objection')
  @ApiOperation({ summary: 'Withdraw your objection to profiling (or a minor child’s, as their parent)' })
  @ApiOkResponse({ type: PrivacyStatusResponse, description: 'the person’s privacy state' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 409: ['NOT_OBJECTED', 'SUBJECT_ERASED'] })
  withdrawObjection(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<PrivacyStatusResponse> {
    return this.commands.execute(new ChangePrivacyStateCommand(actor, id, { kind: 'withdraw_objection' }));
  }

  @Put('subjects/:id/legal-hold')
  @ApiOperation({ summary: 'DPO: place a legal hold (defers shredding, keeps the data restricted)' })
  @ApiOkResponse({ type: PrivacyStatusResponse, description: 'the person’s privacy state' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'REASON_REQUIRED'], 403: ['FORBIDDEN'], 409: ['LEGAL_HOLD_EXISTS', 'SUBJECT_ERASED'] })
  placeHold(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() body: LegalHoldDto): Promise<PrivacyStatusResponse> {
    return this.commands.execute(new ChangePrivacyStateCommand(actor, id, { kind: 'place_legal_hold', reason: body.reason, until: body.until ? new Date(body.until).toISOString() : null }));
  }

  @Delete('subjects/:id/legal-hold')
  @ApiOperation({ summary: 'DPO: lift the legal hold; an erasure it deferred is carried out now' })
  @ApiOkResponse({ type: PrivacyStatusResponse, description: 'the person’s privacy state' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['NO_LEGAL_HOLD'], 409: ['SUBJECT_ERASED'] })
  liftHold(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<PrivacyStatusResponse> {
    return this.commands.execute(new ChangePrivacyStateCommand(actor, id, { kind: 'lift_legal_hold' }));
  }

  @Post('subjects/:id/cancellation')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel the account: restricted and locked at once, shredded when the legal hold period ends (default 5 years)' })
  @ApiOkResponse({ type: PrivacyStatusResponse, description: 'the person’s privacy state (cancelledAt, shredAfter)' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 409: ['ACCOUNT_ALREADY_CANCELLED', 'SUBJECT_ERASED'] })
  cancel(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<PrivacyStatusResponse> {
    return this.commands.execute(new ChangePrivacyStateCommand(actor, id, { kind: 'cancel_account' }));
  }

  // --- Access audit

  @Get('access-log')
  @ApiOperation({ summary: 'Who read your personal data (or a minor child’s; the DPO: anyone’s), what and why' })
  @ApiOkResponse({ type: AccessLogResponse, description: 'each read: who, what, why, when' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'] })
  accessLog(@CurrentActor() actor: Actor, @Query() query: AccessLogQueryDto): Promise<AccessLogResponse> {
    return this.queries.execute(new GetAccessLogQuery(actor, query.subjectId ?? actor.userId));
  }

  @Get('breach-review')
  @ApiOperation({ summary: 'DPO: readers who read more people’s data within an hour than the threshold' })
  @ApiOkResponse({ type: BreachReviewResponse, description: 'the readers flagged, with their busiest hour' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'] })
  breachReview(@CurrentActor() actor: Actor, @Query() query: BreachReviewQueryDto): Promise<BreachReviewResponse> {
    return this.queries.execute(new GetBreachReviewQuery(actor, query.threshold, query.days ?? 30));
  }

  // --- Retention

  @Get('retention')
  @ApiOperation({ summary: 'The retention registry: per data category and event type, how long, why (purpose, legal basis), how it goes' })
  @ApiOkResponse({ type: RetentionResponse, description: 'the retention periods and, per category of personal data, its purpose, legal basis, retention and disposal' })
  @ApiErrors({})
  retention(): Promise<RetentionResponse> {
    return this.queries.execute(new GetRetentionQuery());
  }

  @Get('retention/preview')
  @ApiOperation({ summary: 'DPO: what the retention sweep would shred now (dry run, nothing changes)' })
  @ApiOkResponse({ type: SweepReportResponse, description: 'what a sweep would do now (dryRun: true)' })
  @ApiErrors({ 403: ['FORBIDDEN'] })
  preview(@CurrentActor() actor: Actor): Promise<SweepReportResponse> {
    return this.queries.execute(new PreviewRetentionSweepQuery(actor));
  }
}
