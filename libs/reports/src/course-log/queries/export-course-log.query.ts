/**
 * A course's log as CSV, newest first: every row that passes the filters
 * (from `cursor` when given), read in keyset chunks as the client takes them,
 * so neither side holds the whole log. The first chunk is read before the
 * export is recorded (CourseLogViewed), and the following ones are older, so
 * rows appended during the download never enter it.
 */
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { csvLine, downloadName } from '@learnstream/core';
import { Clock } from '@learnstream/domain';
import { ReportsRepository } from '../../reports.repository';
import { openCourseLog, type OpenedCourseLog } from '../course-log.access';
import { decodeCursor, type CourseLogFilter } from '../course-log.filter';
import { CourseLogReader, type PositionedRow } from '../course-log.reader';
import { COURSE_LOG_CSV_HEADER, courseLogCsvValues } from '../course-log.views';

const CHUNK = 1000;

export interface CourseLogExport {
  filename: string;
  /** CSV text: the header row, then the rows, chunk by chunk. */
  chunks: AsyncIterable<string>;
}

export class ExportCourseLogQuery {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly filter: CourseLogFilter,
    readonly cursor?: string,
  ) {}
}

@QueryHandler(ExportCourseLogQuery)
export class ExportCourseLogHandler implements IQueryHandler<ExportCourseLogQuery, CourseLogExport> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly reader: CourseLogReader,
    private readonly reports: ReportsRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ actor, courseId, filter, cursor }: ExportCourseLogQuery): Promise<CourseLogExport> {
    const log = await openCourseLog(this.policy, actor, courseId);
    const first = await this.reader.newest(log.scope, courseId, filter, CHUNK, cursor ? decodeCursor(cursor) : undefined);
    await this.reports.courseLogViewed(actor, log, 'csv', filter.userId ?? null);
    // The people of the first chunk (a filtered export names its person; the later chunks are older rows of the same course).
    await this.reports.courseLogAccessed(actor, log, first.flatMap((r) => [r.row.actor?.userId, r.row.realActor?.userId, r.row.relatedUser?.userId]));
    const code = await this.reader.courseCode(log.scope, courseId);
    return { filename: downloadName([code, 'course-log', this.clock.nowIso().slice(0, 10)]), chunks: this.chunks(log, filter, first) };
  }

  private async *chunks(log: OpenedCourseLog, filter: CourseLogFilter, first: PositionedRow[]): AsyncIterable<string> {
    yield csvLine(COURSE_LOG_CSV_HEADER);
    let page = first;
    for (;;) {
      if (page.length) yield page.map((r) => csvLine(courseLogCsvValues(r.row))).join('');
      if (page.length < CHUNK) return;
      page = await this.reader.newest(log.scope, log.courseId, filter, CHUNK, page[page.length - 1].position);
    }
  }
}
