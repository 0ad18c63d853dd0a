/**
 * HTTP imports of Moodle logs for admins (import-jobs.ts): upload the file as
 * the request body, follow the job, download its rejected rows, cancel,
 * resume, delete.
 */
import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req, StreamableFile } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiConsumes, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ImportJobResponse } from '../interop.responses';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Readable } from 'node:stream';
import { CurrentActor, type Actor } from '@learnstream/access';
import { Bounded, ApiErrors, csvLine, UUID_PARAM, IsId } from '@learnstream/core';
import { ImportJobs, type ImportJobView } from './import-jobs';

export class UploadMoodleLogsDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'the school placeholders join and rows without a course belong to (absent: platform admins only)' })
  @IsOptional() @IsId() schoolId?: string;
  @ApiPropertyOptional({ description: 'create placeholder people, courses and resources for what the id map does not know' })
  @IsOptional() @Transform(({ value }) => value === 'true' || value === true) @IsBoolean() createMissing?: boolean;
  @ApiPropertyOptional({ example: 'moodle' }) @IsOptional() @Matches(/^[a-z][a-z0-9_-]{0,39}$/) site?: string;
  @ApiPropertyOptional({ example: 'Asia/Bangkok', description: 'the site\'s time zone (Logs report times)' }) @IsOptional() @IsString() @MaxLength(64) timezone?: string;
  @ApiPropertyOptional({ example: 2025, description: 'the year of the first row when the Logs report\'s times have none' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1970) @Max(9999) year?: number;
  @ApiPropertyOptional({ description: 'the Moodle course the Logs report was downloaded for' }) @IsOptional() @Type(() => Number) @Bounded('externalId') moodleCourse?: number;
  @ApiPropertyOptional({ example: 'logs_20250102.csv' }) @IsOptional() @IsString() @MaxLength(200) fileName?: string;
}

export class ListImportsDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsId() schoolId?: string;
}

@ApiTags('imports')
@ApiBearerAuth()
@Controller('api/v1/imports')
export class ImportJobsController {
  constructor(private readonly jobs: ImportJobs) {}

  @Post('moodle-logs')
  @ApiConsumes('application/octet-stream', 'text/csv')
  @ApiOperation({
    summary: 'Uploads a Moodle log (the Logs report as CSV, .xlsx, .ods or JSON, or a logstore_standard_log dump) as the request body and starts its import job',
    description: 'Send the file as the body with Content-Type application/octet-stream (or text/csv). 202 with the job; follow it at links.self.',
  })
  @ApiAcceptedResponse({ type: ImportJobResponse, description: 'the job, queued' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'IMPORT_INVALID', 'IMPORT_TOO_LARGE'], 403: ['FORBIDDEN'] })
  @HttpCode(202)
  upload(@CurrentActor() actor: Actor, @Req() req: { raw: Readable }, @Query() q: UploadMoodleLogsDto): Promise<ImportJobView> {
    // The body is not read before the handler (interop.module.ts): the upload streams from the raw request.
    return this.jobs.upload(actor, req.raw, q.fileName ?? 'upload', {
      schoolId: q.schoolId?.toLowerCase() ?? null,
      createMissing: q.createMissing ?? false,
      site: q.site,
      timeZone: q.timezone,
      year: q.year,
      moodleCourse: q.moodleCourse,
    });
  }

  @Get()
  @ApiOperation({ summary: 'The latest import jobs of a school (or, for platform admins, without one)' })
  @ApiOkResponse({ type: ImportJobResponse, isArray: true })
  @ApiErrors({ 403: ['FORBIDDEN'] })
  list(@CurrentActor() actor: Actor, @Query() q: ListImportsDto): Promise<ImportJobView[]> {
    return this.jobs.list(actor, q.schoolId?.toLowerCase() ?? null);
  }

  @Get(':jobId')
  @ApiOkResponse({ type: ImportJobResponse, description: 'status, rowsRead, imported, rejected, rowsPerSecond, etaSeconds, percent, summary when done' })
  @ApiOperation({ summary: 'An import job and its progress' })
  @ApiErrors({ 403: ['FORBIDDEN'], 404: ['IMPORT_JOB_NOT_FOUND'] })
  get(@CurrentActor() actor: Actor, @Param('jobId', UUID_PARAM) jobId: string): Promise<ImportJobView> {
    return this.jobs.get(actor, jobId.toLowerCase());
  }

  @Get(':jobId/rejected')
  @ApiProduces('text/csv')
  @ApiOkResponse({ content: { 'text/csv': { schema: { type: 'string' } } } })
  @ApiOperation({ summary: 'The rows the job did not import, as CSV: line, reason, then the row\'s own fields' })
  @ApiErrors({ 403: ['FORBIDDEN'], 404: ['IMPORT_JOB_NOT_FOUND'] })
  async rejected(@CurrentActor() actor: Actor, @Param('jobId', UUID_PARAM) jobId: string): Promise<StreamableFile> {
    const id = jobId.toLowerCase();
    await this.jobs.get(actor, id);
    const jobs = this.jobs;
    async function* lines() {
      yield csvLine(['line', 'reason', 'fields']);
      for await (const r of jobs.rejectedRows(actor, id)) yield csvLine([r.line, r.reason, ...r.fields]);
    }
    return new StreamableFile(Readable.from(lines(), { objectMode: false }), { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="import-${id}-rejected.csv"` });
  }

  @Post(':jobId/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stops the job at its next batch boundary (resume goes on from there)' })
  @ApiOkResponse({ type: ImportJobResponse })
  @ApiErrors({ 403: ['FORBIDDEN'], 404: ['IMPORT_JOB_NOT_FOUND'] })
  cancel(@CurrentActor() actor: Actor, @Param('jobId', UUID_PARAM) jobId: string): Promise<ImportJobView> {
    return this.jobs.cancel(actor, jobId.toLowerCase());
  }

  @Post(':jobId/resume')
  @HttpCode(202)
  @ApiOperation({ summary: 'Goes on with a cancelled, interrupted or failed job from where it stopped; nothing is imported twice' })
  @ApiAcceptedResponse({ type: ImportJobResponse })
  @ApiErrors({ 403: ['FORBIDDEN'], 404: ['IMPORT_JOB_NOT_FOUND'], 409: ['IMPORT_JOB_NOT_RESUMABLE'] })
  resume(@CurrentActor() actor: Actor, @Param('jobId', UUID_PARAM) jobId: string): Promise<ImportJobView> {
    return this.jobs.resume(actor, jobId.toLowerCase());
  }

  @Delete(':jobId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Deletes the job, its file and its rejected rows (what it imported stays)' })
  @ApiNoContentResponse()
  @ApiErrors({ 403: ['FORBIDDEN'], 404: ['IMPORT_JOB_NOT_FOUND'], 409: ['IMPORT_JOB_RUNNING'] })
  async remove(@CurrentActor() actor: Actor, @Param('jobId', UUID_PARAM) jobId: string): Promise<void> {
    await this.jobs.remove(actor, jobId.toLowerCase());
  }
}
