/** Query strings of the course-log endpoints; shapes checked here (400 VALIDATION_FAILED). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsId } from '@learnstream/core';
import { DomainError } from '@learnstream/domain';
import { ORIGINS, type Origin } from '@learnstream/event-store';
import { parseBound, type CourseLogFilter } from './course-log.filter';
import { COURSE_LOG_PAGE_DEFAULT, COURSE_LOG_PAGE_MAX } from './queries/get-course-log.query';
import { LIVE_TAIL_LAST_MAX } from './queries/tail-course-log.query';

const lower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);

export class CourseLogFilterDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'rows where this person is the actor or the related user' })
  @IsOptional()
  @Transform(lower)
  @IsId()
  user?: string;

  @ApiPropertyOptional({ example: '2025-05-01', description: 'from this ISO-8601 date (UTC) or timestamp with a zone, included' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  from?: string;

  @ApiPropertyOptional({ example: '2025-05-31', description: 'up to this ISO-8601 date (its whole UTC day) or timestamp, included' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  to?: string;

  @ApiPropertyOptional({ example: 'viewed', description: 'the verb: viewed, created, updated, enrolled, graded, …' })
  @IsOptional()
  @Matches(/^[a-z][a-z_]{1,49}$/, { message: 'action must be a lower-case verb' })
  action?: string;

  @ApiPropertyOptional({ example: 'ResourceViewed' })
  @IsOptional()
  @Matches(/^[A-Z][A-Za-z0-9]{1,99}$/, { message: 'eventType must be an event type, e.g. CourseViewed' })
  eventType?: string;

  @ApiPropertyOptional({ example: 'resource', description: 'course, section, resource, activity, enrolment, grade_item, …' })
  @IsOptional()
  @Matches(/^[a-z][a-z_]{1,49}$/, { message: 'objectType must be a lower-case word' })
  objectType?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @Transform(lower)
  @IsId()
  objectId?: string;

  @ApiPropertyOptional({ example: 'cud', description: 'one or more of c, r, u, d ("cud": every change, no reads)' })
  @IsOptional()
  @Matches(/^[crud]{1,4}$/, { message: 'crud must be one or more of c, r, u, d' })
  crud?: string;

  @ApiPropertyOptional({ enum: ORIGINS })
  @IsOptional()
  @IsIn(ORIGINS)
  origin?: Origin;
}

export class CourseLogQueryDto extends CourseLogFilterDto {
  @ApiPropertyOptional({ default: COURSE_LOG_PAGE_DEFAULT, maximum: COURSE_LOG_PAGE_MAX })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(COURSE_LOG_PAGE_MAX)
  limit?: number;

  @ApiPropertyOptional({ description: 'the nextCursor of the previous page (opaque)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv: the whole filtered log as a CSV download (also with Accept: text/csv)' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'with CSV: start the file with a UTF-8 byte-order mark (Excel then reads Thai and other non-Latin names right)' })
  @IsOptional()
  @IsIn(['true', 'false'])
  bom?: 'true' | 'false';
}

export class CourseLogLiveDto extends CourseLogFilterDto {
  @ApiPropertyOptional({ default: 50, maximum: LIVE_TAIL_LAST_MAX, description: 'rows of the past sent first' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(LIVE_TAIL_LAST_MAX)
  last?: number;
}

export function toCourseLogFilter(q: CourseLogFilterDto): CourseLogFilter {
  const from = q.from === undefined ? undefined : parseBound(q.from, 'from');
  const before = q.to === undefined ? undefined : parseBound(q.to, 'to');
  if (from && before && from.getTime() >= before.getTime()) throw new DomainError('invalid', 'VALIDATION_FAILED', 'from must come before to');
  return { userId: q.user, from, before, action: q.action, eventType: q.eventType, objectType: q.objectType, objectId: q.objectId, crud: q.crud, origin: q.origin };
}
