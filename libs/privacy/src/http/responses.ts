/**
 * The response bodies of the privacy endpoints not in ../views.ts (OpenAPI; see libs/core/src/api-response.ts).
 * The controller returns these classes, so the compiler checks that every view the handlers build has their fields.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiList, ApiNullable, ApiOneOf } from '@learnstream/core';
import { ReceiptView, RequestView } from '../views';

const OBJECT = { type: 'object', additionalProperties: true } as const;
const OBJECTS = { type: 'array', items: OBJECT } as const;

export class RequestListResponse {
  @ApiList(() => RequestView) requests!: RequestView[];
}

export class RequestQueueResponse extends RequestListResponse {
  @ApiProperty({ description: 'open requests' }) open!: number;
  @ApiProperty({ description: 'open requests past their deadline' }) overdue!: number;
}

export class ErasureReceiptsResponse {
  @ApiProperty({ format: 'uuid' }) requestId!: string;
  @ApiNullable(String, { format: 'uuid', description: 'the erased person (null until a projection acknowledged)' }) userId!: string | null;
  @ApiProperty({ enum: ['pending', 'approved', 'deferred', 'completed', 'rejected', 'withdrawn'] }) status!: string;
  @ApiProperty({ description: 'every projection has forgotten the person' }) complete!: boolean;
  @ApiList(() => ReceiptView) receipts!: ReceiptView[];
}

export class ConsentStateResponse {
  @ApiProperty({ description: 'whether consent is given now' }) holds!: boolean;
  @ApiProperty({ description: 'the purpose’s default (no decision recorded)' }) default!: boolean;
  @ApiNullable(String, { format: 'date-time' }) at!: string | null;
  @ApiNullable(String, { format: 'uuid' }) by!: string | null;
  @ApiProperty({ description: 'given or withdrawn by a parent for a minor' }) onBehalf!: boolean;
}

export class LegalHoldResponse {
  @ApiProperty({ format: 'uuid' }) holdId!: string;
  @ApiNullable(String) reason!: string | null;
  @ApiNullable(String, { format: 'date-time' }) since!: string | null;
  @ApiNullable(String, { format: 'date-time', description: 'null: until lifted' }) until!: string | null;
}

export class PrivacyStatusResponse {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty() restricted!: boolean;
  @ApiList(String) restrictionReasons!: string[];
  @ApiProperty({ description: 'left out of usage statistics' }) analyticsExcluded!: boolean;
  @ApiProperty() profilingObjected!: boolean;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/ConsentStateResponse' }, description: 'by purpose (marketing, analytics, profiling)' })
  consents!: Record<string, ConsentStateResponse>;
  @ApiNullable(String, { format: 'date-time' }) parentalConsentSince!: string | null;
  @ApiNullable(() => LegalHoldResponse) legalHold!: LegalHoldResponse | null;
  @ApiNullable(String, { format: 'date-time' }) cancelledAt!: string | null;
  @ApiNullable(String, { format: 'date-time', description: 'when a cancelled account is shredded' }) shredAfter!: string | null;
}

export class AccessLogEntryResponse {
  @ApiProperty({ format: 'uuid' }) readerId!: string;
  @ApiNullable(String) readerName!: string | null;
  @ApiNullable(String, { format: 'uuid', description: 'the staff member behind an impersonated read' }) realReaderId!: string | null;
  @ApiProperty({ description: 'what was read' }) what!: string;
  @ApiProperty() purpose!: string;
  @ApiNullable(String, { format: 'uuid' }) courseId!: string | null;
  @ApiNullable(String, { format: 'uuid' }) schoolId!: string | null;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
}

export class AccessLogResponse {
  @ApiProperty({ format: 'uuid' }) subjectId!: string;
  @ApiList(() => AccessLogEntryResponse) accesses!: AccessLogEntryResponse[];
}

export class BreachFlagResponse {
  @ApiProperty({ format: 'uuid' }) readerId!: string;
  @ApiNullable(String) readerName!: string | null;
  @ApiProperty({ format: 'date-time', description: 'the hour window with the most people read' }) windowStart!: string;
  @ApiProperty({ format: 'date-time' }) windowEnd!: string;
  @ApiProperty() people!: number;
  @ApiProperty() reads!: number;
}

export class BreachReviewResponse {
  @ApiProperty({ description: 'people read within an hour past which a reader is flagged' }) threshold!: number;
  @ApiProperty() days!: number;
  @ApiList(() => BreachFlagResponse) flagged!: BreachFlagResponse[];
}

export class RetentionEntryResponse {
  @ApiProperty() category!: string;
  @ApiProperty() description!: string;
  @ApiList(String, { description: 'event types carrying it (sealed fields in brackets)' }) eventTypes!: string[];
  @ApiList(String) personalFields!: string[];
  @ApiProperty() purpose!: string;
  @ApiOneOf(['consent', 'contract', 'legal_obligation', 'vital_interests', 'public_task', 'legitimate_interests']) legalBasis!: string;
  @ApiProperty({ description: "an ISO-8601 duration, or 'account'" }) retention!: string;
  @ApiProperty() retentionNote!: string;
  @ApiProperty({ description: 'how it is removed' }) disposal!: string;
}

export class RetentionResponse {
  @ApiProperty({ description: 'ISO-8601 duration' }) legalHoldPeriod!: string;
  @ApiProperty({ description: 'ISO-8601 duration' }) requestMetadataRetention!: string;
  @ApiProperty({ description: 'ISO-8601 duration' }) requestDeadline!: string;
  @ApiList(() => RetentionEntryResponse) entries!: RetentionEntryResponse[];
}

export class SweepHoldResponse {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ format: 'uuid' }) holdId!: string;
  @ApiNullable(String, { format: 'date-time' }) until!: string | null;
}

export class SweepErasureResponse {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiOneOf(['cancellation_hold_ended', 'approved_erasure', 'deferred_erasure_released']) why!: string;
  @ApiNullable(String, { format: 'uuid' }) requestId!: string | null;
  @ApiNullable(String, { format: 'date-time' }) cancelledAt!: string | null;
  @ApiNullable(String, { format: 'date-time' }) shredAfter!: string | null;
}

export class SweepMonthResponse {
  @ApiProperty({ description: 'YYYY-MM' }) period!: string;
  @ApiProperty() keys!: number;
}

export class SweepMetadataResponse {
  @ApiProperty({ description: 'YYYY-MM: request metadata of months before it goes' }) before!: string;
  @ApiProperty() keys!: number;
  @ApiList(() => SweepMonthResponse) months!: SweepMonthResponse[];
}

export class SweepErrorResponse {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty() error!: string;
}

export class SweepReportResponse {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ description: 'another sweep was running' }) skipped!: boolean;
  @ApiList(() => SweepHoldResponse) expiredHolds!: SweepHoldResponse[];
  @ApiList(() => SweepErasureResponse) erasures!: SweepErasureResponse[];
  @ApiList(() => SweepHoldResponse, { description: 'due for shredding, but under a legal hold' }) blocked!: SweepHoldResponse[];
  @ApiProperty({ type: () => SweepMetadataResponse }) requestMetadata!: SweepMetadataResponse;
  @ApiList(() => SweepErrorResponse) errors!: SweepErrorResponse[];
}

export class ExportSubjectResponse {
  @ApiProperty({ format: 'uuid' }) userId!: string;
}

/**
 * An export: format=json, the documented personal-data export (its full JSON Schema 2020-12 is GET /privacy/export-schema;
 * its records are typed there); format=xapi, the person's activity as xAPI statements.
 */
export class PersonalDataExportResponse {
  @ApiPropertyOptional({ description: 'json: the export schema’s id' }) schema?: string;
  @ApiPropertyOptional({ enum: [1], description: 'json' }) schemaVersion?: 1;
  @ApiPropertyOptional({ enum: ['1.0.3'], description: 'xapi: the statements’ version' }) version?: '1.0.3';
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ type: () => ExportSubjectResponse }) subject!: ExportSubjectResponse;
  @ApiPropertyOptional({ ...OBJECT, nullable: true, description: 'json' }) profile?: Record<string, unknown> | null;
  @ApiPropertyOptional({ ...OBJECT, description: 'json: memberships and parent links' }) affiliations?: object;
  @ApiPropertyOptional({ ...OBJECTS, description: 'json' }) enrolments?: Record<string, unknown>[];
  @ApiPropertyOptional({ ...OBJECT, description: 'json: attempts, submissions, offline results' }) assessments?: object;
  @ApiPropertyOptional({ ...OBJECT, description: 'json: activity results, gradebook, overrides, completions' }) grades?: object;
  @ApiPropertyOptional({ ...OBJECT, description: 'json: by purpose' }) consents?: object;
  @ApiPropertyOptional({ ...OBJECT, description: 'json: flags, requests, access log' }) privacy?: object;
  @ApiPropertyOptional({ ...OBJECTS, description: 'json: every event about the person, decrypted' }) activityLog?: object[];
  @ApiPropertyOptional({ ...OBJECTS, description: 'xapi: the statements' }) statements?: object[];
}
