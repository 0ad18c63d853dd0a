/**
 * The course log over REST: a page (JSON), the CSV export, and the live tail
 * (server-sent events). Thin: each route is one query; the CSV and the event
 * stream are written as the query yields them.
 */
import { Controller, Get, Headers, Inject, Param, Query, Res, StreamableFile, type PipeTransform } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { CurrentActor, type Actor } from '@learnstream/access';
import { ApiErrors, ApiJsonOrCsvResponse, attachment, UTF8_BOM, UUID_PARAM, wantsCsv } from '@learnstream/core';
import { REPORTS_OPTIONS, type ReportsOptions } from '../reports.options';
import { CourseLogLiveDto, CourseLogQueryDto, toCourseLogFilter } from './course-log.dto';
import { CourseLogPageResponse } from './course-log.responses';
import { LiveTails } from './live-tails';
import { ExportCourseLogQuery, type CourseLogExport } from './queries/export-course-log.query';
import { GetCourseLogQuery } from './queries/get-course-log.query';
import { TailCourseLogQuery, type TailItem } from './queries/tail-course-log.query';
import { writeSse, type SseMessage } from './sse';

const ERRORS = { 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['COURSE_NOT_FOUND'] };

/** A path id: a UUID (else 400 VALIDATION_FAILED), in lower case as the log stores it. */
const id: PipeTransform<string, Promise<string>> = {
  async transform(value, metadata) {
    return String(await UUID_PARAM.transform(value, metadata)).toLowerCase();
  },
};

async function* messages(items: AsyncIterable<TailItem>): AsyncIterable<SseMessage> {
  for await (const item of items) yield item.kind === 'row' ? { id: item.id, event: 'log', data: item.row } : { event: 'end', data: { reason: item.reason } };
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1/courses/:id/logs')
export class CourseLogController {
  constructor(
    private readonly queries: QueryBus,
    private readonly tails: LiveTails,
    @Inject(REPORTS_OPTIONS) private readonly options: ReportsOptions,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The course log (Moodle\'s logs report), for those who teach the course; the read is recorded as CourseLogViewed' })
  @ApiProduces('application/json', 'text/csv')
  @ApiJsonOrCsvResponse(
    CourseLogPageResponse,
    'JSON: { courseId, rows, nextCursor }, newest first; rows carry the envelope\'s clear fields and the display names of the actor and the related user. ' +
      'CSV (?format=csv or Accept: text/csv): every row that passes the filters, streamed, with a header row',
  )
  @ApiErrors(ERRORS)
  async list(@CurrentActor() actor: Actor, @Param('id', id) courseId: string, @Query() q: CourseLogQueryDto, @Headers('accept') accept?: string) {
    const filter = toCourseLogFilter(q);
    if (!wantsCsv(q.format, accept)) return this.queries.execute(new GetCourseLogQuery(actor, courseId, filter, q.limit, q.cursor));
    const csv: CourseLogExport = await this.queries.execute(new ExportCourseLogQuery(actor, courseId, filter, q.cursor));
    const bom = q.bom === 'true';
    async function* body(): AsyncIterable<string> {
      if (bom) yield UTF8_BOM;
      yield* csv.chunks;
    }
    return new StreamableFile(Readable.from(body(), { objectMode: false }), { type: 'text/csv; charset=utf-8', disposition: attachment(csv.filename) });
  }

  @Get('live')
  @ApiOperation({
    summary: 'The live course log (server-sent events): the last rows, then each new one as it is recorded, until the client disconnects',
    description:
      'Events: `log` (data: a row, id: its cursor; reconnect with Last-Event-ID to resume after it), `end` (access revoked), `error`. Same filters as the log. Recorded as CourseLogViewed.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string', description: 'server-sent events: `log` (data: a course log row as JSON), `end`, `error`' } } } })
  @ApiErrors({ ...ERRORS, 429: ['TOO_MANY_REQUESTS'] })
  async live(
    @CurrentActor() actor: Actor,
    @Param('id', id) courseId: string,
    @Query() q: CourseLogLiveDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() res: FastifyReply,
  ): Promise<void> {
    const filter = toCourseLogFilter(q);
    await this.tails.run(
      async (signal) => {
        const items: AsyncIterable<TailItem> = await this.queries.execute(new TailCourseLogQuery(actor, courseId, filter, q.last ?? 50, lastEventId || undefined, signal));
        await writeSse(res, messages(items), signal, this.options.liveTailHeartbeatMs);
      },
      (abort) => res.raw.on('close', abort),
      { owner: actor.userId, max: this.options.liveTailsPerUser },
    );
  }
}
