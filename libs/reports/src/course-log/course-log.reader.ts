/**
 * Reads course_log rows on behalf of a reader: through TenantDb (row-level
 * security with the reader's scope), the one course in
 * `learnstream.course_ids` (the rows of a platform-wide course, migration
 * 0600), with the display names of the people named in each row, read in
 * the same transaction through the identity feature's readAccountNames:
 * where the reader may see the account (else null).
 *
 * Restriction of processing (the privacy feature's subject_flags): the rows
 * of a restricted person, as actor or related user, are left out of every
 * listing (page, CSV, live tail). They are kept, and come back when the
 * restriction is lifted.
 */
import { Injectable } from '@nestjs/common';
import { TenantDb, type TenantScope } from '@learnstream/access';
import { query } from '@learnstream/database';
import { readCourses } from '@learnstream/courses';
import { readAccountNames } from '@learnstream/identity';
import { readObjectTitles } from '../object-titles';
import { filterSql, LOG_COMMIT, LOG_OCCURRED_US, LOG_PREPARE, orderSql, positionSql, type CourseLogFilter, type LogPosition } from './course-log.filter';
import { toCourseLogRow, type CourseLogRow, type CourseLogTableRow } from './course-log.views';

export interface PositionedRow {
  position: LogPosition;
  row: CourseLogRow;
}

const SELECT = `
  SELECT l.event_id, l.occurred_at, l.event_type, l.action, l.crud, l.object_type, l.object_id, l.origin, l.school_id,
         l.actor_id, l.real_actor_id, l.related_user_id,
         ${LOG_COMMIT} AS log_commit, ${LOG_PREPARE} AS log_prepare, ${LOG_OCCURRED_US} AS log_occurred_us
  FROM course_log l`;

// ls_restricted_ids(): SECURITY DEFINER, whatever part of subject_flags the reader's scope shows (migration 1733000300000).
const NOT_RESTRICTED = `NOT coalesce(l.actor_id = ANY ((SELECT ls_restricted_ids())::uuid[]) OR l.related_user_id = ANY ((SELECT ls_restricted_ids())::uuid[]), false)`;

@Injectable()
export class CourseLogReader {
  constructor(private readonly db: TenantDb) {}

  /** Up to `limit` rows, newest first by when they happened, strictly before `before` (from the newest when absent). */
  newest(scope: TenantScope, courseId: string, filter: CourseLogFilter, limit: number, before?: LogPosition): Promise<PositionedRow[]> {
    const { where, params } = filterSql(courseId, filter);
    const clauses = [where, NOT_RESTRICTED, ...(before ? [positionSql('before', before, params)] : [])];
    return this.select(scope, courseId, `${SELECT} WHERE ${clauses.join(' AND ')} ORDER BY ${orderSql('newest')} LIMIT ${Math.trunc(limit)}`, params);
  }

  /** Up to `limit` rows, oldest first, strictly after `after`. */
  oldestAfter(scope: TenantScope, courseId: string, filter: CourseLogFilter, limit: number, after: LogPosition): Promise<PositionedRow[]> {
    const { where, params } = filterSql(courseId, filter);
    const position = positionSql('after', after, params);
    return this.select(scope, courseId, `${SELECT} WHERE ${where} AND ${NOT_RESTRICTED} AND ${position} ORDER BY ${orderSql('oldest')} LIMIT ${Math.trunc(limit)}`, params);
  }

  /** The course's code (its short name), as the reader may see it: null for none. */
  async courseCode(scope: TenantScope, courseId: string): Promise<string | null> {
    const course = await this.db.read(scope, async (tx) => {
      await tx.query(`SELECT set_config('learnstream.course_ids', $1, true)`, [`{${courseId}}`]);
      return (await readCourses(tx, [courseId])).get(courseId);
    });
    return course?.code ?? null;
  }

  private async select(scope: TenantScope, courseId: string, sql: string, params: unknown[]): Promise<PositionedRow[]> {
    const { rows, names, titleOf } = await this.db.read(scope, async (tx) => {
      await tx.query(`SELECT set_config('learnstream.course_ids', $1, true)`, [`{${courseId}}`]);
      const rows = await query<CourseLogTableRow & { log_commit: string; log_prepare: string; log_occurred_us: string }>(tx, sql, params);
      const people = new Set(rows.flatMap((r) => [r.actor_id, r.real_actor_id, r.related_user_id]).filter((id): id is string => id !== null));
      const objects = rows.map((r) => ({ type: r.object_type, id: r.object_id }));
      return { rows, names: new Map((await readAccountNames(tx, [...people])).map((n) => [n.userId, n.displayName])), titleOf: await readObjectTitles(tx, objects) };
    });
    return rows.map((r) => ({
      position: { commit: BigInt(r.log_commit), prepare: BigInt(r.log_prepare), occurredUs: BigInt(r.log_occurred_us) },
      row: toCourseLogRow(r, names, titleOf({ type: r.object_type, id: r.object_id })),
    }));
  }
}
