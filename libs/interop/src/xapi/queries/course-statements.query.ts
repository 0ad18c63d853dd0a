/**
 * A course's log as xAPI statements (GET /api/v1/courses/:id/xapi), for those
 * who teach the course (course.teach), newest first, paged by the log's
 * position like the course log. Rows read through TenantDb (row-level
 * security, the course in learnstream.course_ids as the course log does).
 *
 * An event that came in as an xAPI statement is returned as that statement
 * (its id, actor, verb, object, result, context, timestamp, stored,
 * authority, version: what the LRS stored), voided ones left out; any other
 * event is converted (to-xapi.ts). The read is recorded (CourseXapiExported).
 * As in the course log, the events of a person whose processing is restricted
 * (as actor or related user) are left out while the restriction lasts.
 */
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, envelopeFor, TenantDb, type Actor, type TenantScope } from '@learnstream/access';
import { PG_POOL } from '@learnstream/core';
import { DomainError, isRealDay } from '@learnstream/domain';
import type pg from 'pg';
import { EventLog } from '@learnstream/event-store';
import { activityStreamId } from '../../interop.events';
import { INTEROP_OPTIONS, type InteropOptions } from '../../interop.options';
import type { JsonObject } from '../statement';
import { toStatement } from '../to-xapi';
import { XapiStatementsReader, type StatementRow } from '../xapi-statements.reader';

export interface CourseStatementsFilter {
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

export interface CourseStatementsPage {
  statements: JsonObject[];
  /** The next (older) page, or "". */
  more: string;
}

export class CourseStatementsQuery {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly filter: CourseStatementsFilter,
  ) {}
}

const MAX = 500;
const bad = (message: string) => new DomainError('invalid', 'VALIDATION_FAILED', message);
const COMMIT = `split_part(l.position, '/', 1)::bigint`;
const PREPARE = `split_part(l.position, '/', 2)::bigint`;

function decodeCursor(cursor: string): [string, string] {
  const m = /^xc1:(\d{1,20})\/(\d{1,20})$/.exec(/^[A-Za-z0-9_-]{1,100}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString() : '');
  if (!m) throw bad('cursor is not one this API gave out');
  return [m[1], m[2]];
}

/** The `course_log` columns a statement is made of. */
interface CourseLogEventRow {
  event_id: string;
  event_type: string;
  occurred_at: Date;
  action: string;
  crud: string;
  origin: string;
  course_id: string | null;
  object_type: string | null;
  object_id: string | null;
  actor_id: string | null;
  real_actor_id: string | null;
  related_user_id: string | null;
  position: string;
}

@QueryHandler(CourseStatementsQuery)
export class CourseStatementsHandler implements IQueryHandler<CourseStatementsQuery, CourseStatementsPage> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
    private readonly reader: XapiStatementsReader,
    private readonly log: EventLog,
    @Inject(INTEROP_OPTIONS) private readonly options: InteropOptions,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
  ) {}

  async execute({ actor, courseId, filter }: CourseStatementsQuery): Promise<CourseStatementsPage> {
    await this.policy.require(actor, { action: 'course.teach', courseId });
    const course = await this.policy.course(courseId);
    if (!course.exists) throw new DomainError('not_found', 'COURSE_NOT_FOUND', `no course ${courseId}`);
    const scope = await this.policy.scopeOf(actor);
    const limit = Math.min(Math.max(Math.trunc(filter.limit ?? 100), 1), MAX);

    // ls_restricted_ids(): SECURITY DEFINER, whatever part of subject_flags the reader's scope shows (the course log's rule).
    const where = ['l.course_id = $1', 'NOT coalesce(l.actor_id = ANY ((SELECT ls_restricted_ids())::uuid[]) OR l.related_user_id = ANY ((SELECT ls_restricted_ids())::uuid[]), false)'];
    const params: unknown[] = [courseId];
    for (const [name, op] of [['since', '>'], ['until', '<=']] as const) {
      const v = filter[name];
      if (v === undefined) continue;
      if (!isRealDay(v) || Number.isNaN(Date.parse(v))) throw bad(`${name} must be an ISO 8601 timestamp`);
      params.push(new Date(v).toISOString());
      where.push(`l.occurred_at ${op} $${params.length}`);
    }
    if (filter.cursor) {
      const [commit, prepare] = decodeCursor(filter.cursor);
      params.push(commit, prepare);
      where.push(`(${COMMIT}, ${PREPARE}) < ($${params.length - 1}::bigint, $${params.length}::bigint)`);
    }
    const rows: CourseLogEventRow[] = await this.db.read(scope, async (tx) => {
      await tx.query(`SELECT set_config('learnstream.course_ids', $1, true)`, [`{${courseId}}`]);
      return tx.query(
        `SELECT l.event_id, l.event_type, l.occurred_at, l.action, l.crud, l.origin, l.course_id, l.object_type, l.object_id, l.actor_id, l.real_actor_id, l.related_user_id, l.position
         FROM course_log l WHERE ${where.join(' AND ')} ORDER BY ${COMMIT} DESC, ${PREPARE} DESC LIMIT ${limit + 1}`,
        params,
      );
    });
    const page = rows.slice(0, limit);
    const statements = await this.statementsOf(scope, page);
    await this.log.append(activityStreamId(actor.userId), [
      {
        type: 'CourseXapiExported',
        data: { courseId, userId: actor.userId, statements: statements.length },
        envelope: envelopeFor(actor, { action: 'viewed', crud: 'r', object: { type: 'course_log', id: courseId }, courseId, schoolId: course.schoolId }),
      },
    ]);
    const last = page[page.length - 1];
    const more = rows.length > limit && last ? `/api/v1/courses/${courseId}/xapi?cursor=${Buffer.from(`xc1:${last.position}`).toString('base64url')}&limit=${limit}` : '';
    return { statements, more };
  }

  /** Statements that came in over xAPI come back as stored; the other events are converted. */
  private async statementsOf(scope: TenantScope, rows: CourseLogEventRow[]): Promise<JsonObject[]> {
    const ids = rows.map((r) => r.event_id);
    const originals = new Map<string, StatementRow>();
    if (ids.length) {
      const found = await this.reader.select(scope, 'event_id = ANY ($1) OR mapped_event_id = ANY ($1)', [ids], 'stored', ids.length * 2);
      for (const row of found) originals.set(row.mappedEventId && ids.includes(row.mappedEventId) ? row.mappedEventId : row.eventId, row);
    }
    // `stored` is when Learnstream recorded the event (an imported row happened long before).
    const recorded = new Map<string, string>();
    if (ids.length) {
      const { rows: times } = await this.pool.query('SELECT event_id, recorded_at FROM events WHERE event_id = ANY ($1::uuid[])', [ids]);
      for (const t of times) recorded.set(t.event_id, new Date(t.recorded_at).toISOString());
    }
    const held = [...originals.values()].filter((r) => !r.voided);
    const loaded = new Map(held.map((r, i) => [r.eventId, i]));
    const statements = await this.reader.statements(held);
    const out: JsonObject[] = [];
    for (const r of rows) {
      const original = originals.get(r.event_id);
      if (original) {
        if (!original.voided) out.push(statements[loaded.get(original.eventId)!]);
        continue;
      }
      out.push(
        toStatement(this.options.homePage, {
          eventId: r.event_id,
          eventType: r.event_type,
          occurredAt: new Date(r.occurred_at).toISOString(),
          action: r.action,
          crud: r.crud,
          origin: r.origin,
          courseId: r.course_id,
          objectType: r.object_type,
          objectId: r.object_id,
          actorId: r.actor_id,
          realActorId: r.real_actor_id,
          relatedUserId: r.related_user_id,
          recordedAt: recorded.get(r.event_id),
        }),
      );
    }
    return out;
  }
}
