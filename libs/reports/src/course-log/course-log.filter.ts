/**
 * The course log's filters, its order and its cursor, as SQL: pure, so that
 * the page, the export and the live tail select rows the same way.
 *
 * Order: when it happened (occurred_at: an imported row keeps its historic
 * time), then the log's own order, the position "commit/prepare" (unique and
 * total), newest first. A cursor is the time and position of the last row
 * of a page, opaque to clients; the next page is the rows strictly before
 * it, so no row is seen twice or skipped. The live tail follows the log's
 * own order (what was recorded since). The position expressions match the
 * indexes of migration 0600.
 */
import { DomainError, isRealDay } from '@learnstream/domain';
import type { Origin } from '@learnstream/event-store';

export interface LogPosition {
  commit: bigint;
  prepare: bigint;
  /** occurred_at in microseconds since the epoch (pages ordered by time); absent for the live tail. */
  occurredUs?: bigint;
}

export interface CourseLogFilter {
  /** The actor or the related user. */
  userId?: string;
  /** occurred_at ≥ from. */
  from?: Date;
  /** occurred_at < before (a date `to` covers its whole day; a timestamp `to` is included). */
  before?: Date;
  action?: string;
  eventType?: string;
  objectType?: string;
  objectId?: string;
  /** One or more of c, r, u, d (Moodle's "all changes" is cud). */
  crud?: string;
  origin?: Origin;
}

export const LOG_COMMIT = `split_part(l.position, '/', 1)::bigint`;
export const LOG_PREPARE = `split_part(l.position, '/', 2)::bigint`;
export const LOG_OCCURRED_US = `(extract(epoch from l.occurred_at) * 1000000)::bigint`;

const CURSOR_PREFIX = 'cl1:';

export function encodeCursor(p: LogPosition): string {
  return Buffer.from(`${CURSOR_PREFIX}${p.commit}/${p.prepare}${p.occurredUs !== undefined ? `@${p.occurredUs}` : ''}`).toString('base64url');
}

export function decodeCursor(cursor: string): LogPosition {
  const text = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString() : '';
  const m = /^cl1:(\d{1,20})\/(\d{1,20})(?:@(-?\d{1,20}))?$/.exec(text);
  if (!m) throw new DomainError('invalid', 'VALIDATION_FAILED', 'cursor is not one this API gave out');
  return { commit: BigInt(m[1]), prepare: BigInt(m[2]), ...(m[3] !== undefined && { occurredUs: BigInt(m[3]) }) };
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO-8601 date or timestamp (with its zone), as the filter's bound; a date `to` ends at the end of that UTC day. */
export function parseBound(value: string, field: 'from' | 'to'): Date {
  const ok = (DATE_ONLY.test(value) || TIMESTAMP.test(value)) && isRealDay(value);
  const at = ok ? new Date(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value) : new Date(NaN);
  if (Number.isNaN(at.getTime()) || (DATE_ONLY.test(value) && at.toISOString().slice(0, 10) !== value)) {
    throw new DomainError('invalid', 'VALIDATION_FAILED', `${field} must be an ISO-8601 date (2025-05-01) or timestamp with a zone (2025-05-01T08:00:00Z)`);
  }
  if (field === 'to') return new Date(at.getTime() + (DATE_ONLY.test(value) ? 86_400_000 : 1));
  return at;
}

/** The WHERE clause of a course's log rows that pass `filter`, with its parameters from `$1` (the course). */
export function filterSql(courseId: string, filter: CourseLogFilter): { where: string; params: unknown[] } {
  const params: unknown[] = [courseId];
  const clauses = ['l.course_id = $1'];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (filter.userId) {
    const p = param(filter.userId);
    clauses.push(`(l.actor_id = ${p} OR l.related_user_id = ${p})`);
  }
  if (filter.from) clauses.push(`l.occurred_at >= ${param(filter.from)}`);
  if (filter.before) clauses.push(`l.occurred_at < ${param(filter.before)}`);
  if (filter.action) clauses.push(`l.action = ${param(filter.action)}`);
  if (filter.eventType) clauses.push(`l.event_type = ${param(filter.eventType)}`);
  if (filter.objectType) clauses.push(`l.object_type = ${param(filter.objectType)}`);
  if (filter.objectId) clauses.push(`l.object_id = ${param(filter.objectId)}`);
  if (filter.crud) clauses.push(`l.crud = ANY (${param([...new Set(filter.crud)])}::text[])`);
  if (filter.origin) clauses.push(`l.origin = ${param(filter.origin)}`);
  return { where: clauses.join(' AND '), params };
}

/** Rows strictly before (newest first, by time when the cursor has one) or after (oldest first, in log order) a position. */
export function positionSql(direction: 'before' | 'after', p: LogPosition, params: unknown[]): string {
  const c = `$${params.push(p.commit.toString())}::bigint`;
  const q = `$${params.push(p.prepare.toString())}::bigint`;
  if (direction === 'before' && p.occurredUs !== undefined) {
    const t = `('epoch'::timestamptz + $${params.push(p.occurredUs.toString())}::bigint * interval '1 microsecond')`;
    return `(l.occurred_at, ${LOG_COMMIT}, ${LOG_PREPARE}) < (${t}, ${c}, ${q})`;
  }
  return `(${LOG_COMMIT}, ${LOG_PREPARE}) ${direction === 'before' ? '<' : '>'} (${c}, ${q})`;
}

/** Newest first by when it happened (then the log's order); oldest first in the log's order (the live tail). */
export function orderSql(direction: 'newest' | 'oldest'): string {
  if (direction === 'newest') return `l.occurred_at DESC, ${LOG_COMMIT} DESC, ${LOG_PREPARE} DESC`;
  return `${LOG_COMMIT} ASC, ${LOG_PREPARE} ASC`;
}
