/** A course's log as xAPI statements, for those who teach it. */
import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Max, Min } from 'class-validator';
import { CurrentActor, type Actor } from '@learnstream/access';
import { ApiErrors, UUID_PARAM } from '@learnstream/core';
import { CourseStatementsResponse } from '../interop.responses';
import { CourseStatementsQuery } from './queries/course-statements.query';

export class CourseXapiQueryDto {
  @ApiPropertyOptional({ description: 'occurred after (exclusive)' }) @IsOptional() @IsISO8601({ strict: true }) since?: string;
  @ApiPropertyOptional({ description: 'occurred at or before' }) @IsOptional() @IsISO8601({ strict: true }) until?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @ApiPropertyOptional({ description: 'from the previous page\'s `more`' }) @IsOptional() @IsString() cursor?: string;
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1/courses/:id/xapi')
export class CourseXapiController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: 'The course log as xAPI 1.0.3 statements (a StatementResult), newest first; statements received over xAPI come back as stored' })
  @ApiOkResponse({ type: CourseStatementsResponse, description: 'a page of statements and the link to the next' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['COURSE_NOT_FOUND'] })
  list(@CurrentActor() actor: Actor, @Param('id', UUID_PARAM) courseId: string, @Query() q: CourseXapiQueryDto): Promise<CourseStatementsResponse> {
    return this.queries.execute(new CourseStatementsQuery(actor, courseId.toLowerCase(), q));
  }
}
