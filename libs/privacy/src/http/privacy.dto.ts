/** Request bodies and query strings of the privacy endpoints (validated and documented). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { IsId } from '@learnstream/core';
import { EXPORT_FORMATS, REQUEST_TYPES, type ExportFormat, type RequestType } from '../privacy.events';
import { RECTIFIABLE_FIELDS } from '../rectification';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const flag = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class FileRequestDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'whose data: yourself when absent; a minor child (their parent), a learner of your school (a school admin), anyone (the DPO)' })
  @IsOptional()
  @IsId()
  subjectId?: string;

  @ApiProperty({ enum: REQUEST_TYPES, description: 'export (access and portability), rectification, erasure, restriction (of processing), objection (to profiling)' })
  @IsIn(REQUEST_TYPES)
  type!: RequestType;

  @ApiPropertyOptional({ maxLength: 2000, description: 'in your own words (sealed with the subject’s key)' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  note?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { email: 'malee.s@example.com' },
    description: `rectification only: the profile fields to correct (${RECTIFIABLE_FIELDS.join(', ')}) with their right values`,
  })
  @IsOptional()
  @IsObject()
  changes?: Record<string, unknown>;
}

export class DecisionDto {
  @ApiPropertyOptional({ maxLength: 2000, description: 'why (the subject sees it)' }) @IsOptional() @Transform(trim) @IsString() @Length(1, 2000) reason?: string;
}

export class RejectionDto {
  @ApiProperty({ maxLength: 2000, description: 'why (the subject sees it): required' }) @Transform(trim) @IsString() @Length(1, 2000) reason!: string;
}

export class LegalHoldDto {
  @ApiProperty({ maxLength: 2000, example: 'litigation hold: case 2025/117', description: 'why the data must be kept (sealed with the person’s key)' })
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  reason!: string;

  @ApiPropertyOptional({ example: '2027-01-01T00:00:00Z', description: 'when the hold ends by itself (the retention sweep lifts it); none: until lifted' })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;
}

export class QueueQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'approved', 'deferred', 'completed', 'rejected', 'withdrawn'] })
  @IsOptional()
  @IsIn(['pending', 'approved', 'deferred', 'completed', 'rejected', 'withdrawn'])
  status?: string;

  @ApiPropertyOptional({ enum: REQUEST_TYPES }) @IsOptional() @IsIn(REQUEST_TYPES) type?: string;

  @ApiPropertyOptional({ description: 'only open requests past their deadline' }) @IsOptional() @Transform(flag) @IsBoolean() overdue?: boolean;
}

export class ExportQueryDto {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'json', description: 'json (the documented schema, GET /privacy/export-schema) or xapi (xAPI 1.0.3 statements)' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: ExportFormat;
}

export class AccessLogQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'whose access log: yourself when absent (a parent: their minor child; the DPO: anyone)' })
  @IsOptional()
  @IsId()
  subjectId?: string;
}

export class BreachReviewQueryDto {
  @ApiPropertyOptional({ description: 'people read within one hour above which a reader is flagged (default PRIVACY_UNUSUAL_ACCESS_PER_HOUR, 50)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  threshold?: number;

  @ApiPropertyOptional({ default: 30, description: 'how many days back' }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(3650) days?: number;
}
