/** The response bodies of the import jobs and the LRS's own endpoints (OpenAPI; see libs/core/src/api-response.ts). */
import { ApiProperty } from '@nestjs/swagger';
import { ApiList, ApiNullable, ApiOneOf } from '@learnstream/core';

export class ImportErrorResponse {
  @ApiProperty() code!: string;
  @ApiProperty() message!: string;
}

export class ImportJobLinksResponse {
  @ApiProperty() self!: string;
  @ApiProperty() rejected!: string;
  @ApiProperty() cancel!: string;
  @ApiProperty() resume!: string;
}

export class ImportJobResponse {
  @ApiProperty({ format: 'uuid' }) jobId!: string;
  @ApiOneOf(['moodle-logs']) kind!: 'moodle-logs';
  @ApiNullable(String, { format: 'uuid' }) schoolId!: string | null;
  @ApiProperty() fileName!: string;
  @ApiProperty() fileSize!: number;
  @ApiOneOf(['queued', 'running', 'cancelled', 'interrupted', 'done', 'failed']) status!: 'queued' | 'running' | 'cancelled' | 'interrupted' | 'done' | 'failed';
  @ApiProperty() rowsRead!: number;
  @ApiProperty() imported!: number;
  @ApiProperty() rejected!: number;
  @ApiNullable(Number, { description: 'rows per second of the current (or last) run' }) rowsPerSecond!: number | null;
  @ApiNullable(Number, { description: 'seconds left, from the bytes read so far (null when not running)' }) etaSeconds!: number | null;
  @ApiProperty() percent!: number;
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, description: 'the import\'s summary once done (counts by kind of row)' }) summary!: unknown;
  @ApiNullable(() => ImportErrorResponse) error!: ImportErrorResponse | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiNullable(String, { format: 'date-time' }) finishedAt!: string | null;
  @ApiProperty({ type: () => ImportJobLinksResponse }) links!: ImportJobLinksResponse;
}

export class LrsClientResponse {
  @ApiProperty({ format: 'uuid' }) clientId!: string;
  @ApiProperty({ format: 'uuid' }) schoolId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'uuid' }) createdBy!: string;
  @ApiNullable(String, { format: 'date-time' }) revokedAt!: string | null;
}

export class LrsClientCreatedResponse {
  @ApiProperty({ format: 'uuid' }) clientId!: string;
  @ApiProperty({ format: 'uuid' }) schoolId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'the password of HTTP Basic on /xapi; shown only now' }) secret!: string;
}

export class XapiAboutResponse {
  @ApiList(String, { description: 'the xAPI versions spoken' }) version!: string[];
}

export class CourseStatementsResponse {
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'xAPI statements (2.0.0), newest first' }) statements!: Record<string, unknown>[];
  @ApiProperty({ description: 'the next (older) page, or ""' }) more!: string;
}
