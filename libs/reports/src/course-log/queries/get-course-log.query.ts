/**
 * One page of a course's log, newest first (keyset pagination: `nextCursor`
 * gives the rows after the last one of this page). Recorded as CourseLogViewed
 * once the page was read.
 */
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { ReportsRepository } from '../../reports.repository';
import { openCourseLog } from '../course-log.access';
import { decodeCursor, encodeCursor, type CourseLogFilter } from '../course-log.filter';
import { CourseLogReader } from '../course-log.reader';
import type { CourseLogRow } from '../course-log.views';

export const COURSE_LOG_PAGE_MAX = 500;
export const COURSE_LOG_PAGE_DEFAULT = 100;

export interface CourseLogPage {
  courseId: string;
  rows: CourseLogRow[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export class GetCourseLogQuery extends Query<CourseLogPage> {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly filter: CourseLogFilter,
    readonly limit: number = COURSE_LOG_PAGE_DEFAULT,
    readonly cursor?: string,
  ) {
    super();
  }
}

@QueryHandler(GetCourseLogQuery)
export class GetCourseLogHandler implements IQueryHandler<GetCourseLogQuery, CourseLogPage> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly reader: CourseLogReader,
    private readonly reports: ReportsRepository,
  ) {}

  async execute({ actor, courseId, filter, limit, cursor }: GetCourseLogQuery): Promise<CourseLogPage> {
    const log = await openCourseLog(this.policy, actor, courseId);
    const before = cursor ? decodeCursor(cursor) : undefined;
    const size = Math.min(Math.max(Math.trunc(limit), 1), COURSE_LOG_PAGE_MAX);
    const rows = await this.reader.newest(log.scope, courseId, filter, size + 1, before);
    const page = rows.slice(0, size);
    await this.reports.courseLogViewed(actor, log, 'json', filter.userId ?? null);
    await this.reports.courseLogAccessed(actor, log, page.flatMap((r) => [r.row.actor?.userId, r.row.realActor?.userId, r.row.relatedUser?.userId]));
    return { courseId, rows: page.map((r) => r.row), nextCursor: rows.length > size ? encodeCursor(page[page.length - 1].position) : null };
  }
}
