/**
 * Who did what, from the clear fields of every event (ids and the envelope:
 * nothing is decrypted). Tables in migration 0700:
 *
 *   progress_timeline         one row per event and person involved (actor;
 *                             related user when someone else)
 *   progress_course_activity  per course, person, action: events and the last one
 *   progress_class_activity   per course, person: the same in one row (events,
 *                             by action as a jsonb object, the last one), what
 *                             the class report reads (migration 1739140004100)
 *   progress_daily_activity   per UTC day, course, person: events
 *   progress_course_members   ever a learner / a teacher of the course
 *   progress_learners         last access; the objection to profiling
 *
 * A person's OWN activity is an event whose envelope names them as actor with
 * no staff member behind it: an action under impersonation (realActorId set)
 * is in their timeline, marked, but counts neither as activity nor as access.
 * Events with no actor (the system) count for nobody.
 *
 * Counts are increments: right because the runner applies each event exactly
 * once, in the transaction that moves the checkpoint. A batch is summed per
 * key first, then written with one multi-row statement per table, so it gives
 * the rows that applying its events one by one would (`handle` is a batch of one).
 */
import { insertRows, type Columns } from '@learnstream/database';
import type { StoredEvent } from '@learnstream/event-store';
import { envelopeColumns, positionColumns, type Projection } from '@learnstream/projections';
import type { EntityManager } from 'typeorm';
import { PROFILING_EVENTS } from '../progress.events';

/** An event in the timeline of a person involved in it. */
interface TimelineRow {
  userId: string;
  involvement: 'actor' | 'related';
  event: StoredEvent;
}

const TIMELINE_COLUMNS: Columns<TimelineRow> = {
  user_id: ['uuid', (r) => r.userId],
  involvement: ['text', (r) => r.involvement],
  ...envelopeColumns((r: TimelineRow) => r.event),
  ...positionColumns((r: TimelineRow) => r.event),
};

const dayOf = (at: string) => new Date(at).toISOString().slice(0, 10);
const later = (a: string, b: string) => (Date.parse(a) >= Date.parse(b) ? a : b);

interface Counted {
  courseId: string;
  userId: string;
  schoolId: string | null;
  events: number;
}

export class LearnerActivityProjection implements Projection {
  readonly name = 'progress-activity';
  readonly eventTypes = '*' as const;
  /** Only ids, the envelope's clear fields and data ids: no decryption. */
  readonly readsPersonalData = false;

  handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    return this.handleBatch([event], tx);
  }

  async handleBatch(events: StoredEvent[], tx: EntityManager): Promise<void> {
    const timeline: TimelineRow[] = [];
    const courseActivity = new Map<string, Counted & { action: string; lastAt: string }>();
    const classActivity = new Map<string, Counted & { byAction: Record<string, number>; lastAt: string }>();
    const daily = new Map<string, Counted & { day: string }>();
    const lastAccess = new Map<string, string>();
    const members = new Map<string, { courseId: string; userId: string; schoolId: string | null; learner: boolean; teacher: boolean }>();
    const objections = new Map<string, { objected: boolean; at: string }>();

    for (const event of events) {
      const e = event.envelope;
      const d = event.data as Record<string, unknown>;
      if (e.actorId) timeline.push({ userId: e.actorId, involvement: 'actor', event });
      if (e.relatedUserId && e.relatedUserId !== e.actorId) timeline.push({ userId: e.relatedUserId, involvement: 'related', event });

      const member = (userId: unknown, role: 'learner' | 'teacher') => {
        if (typeof d.courseId !== 'string' || typeof userId !== 'string') return;
        const key = `${d.courseId}|${userId}`;
        const m = members.get(key) ?? { courseId: d.courseId, userId, schoolId: e.schoolId, learner: false, teacher: false };
        m[role] = true;
        members.set(key, m);
      };
      if (event.type === 'LearnerEnrolled') member(d.learnerId, 'learner');
      if (event.type === 'CourseTeacherAssigned') member(d.userId, 'teacher');
      if ((event.type === PROFILING_EVENTS.objected || event.type === PROFILING_EVENTS.withdrawn) && typeof d.userId === 'string') {
        objections.set(d.userId, { objected: event.type === PROFILING_EVENTS.objected, at: e.occurredAt });
      }

      if (!e.actorId || e.realActorId) continue;
      const user = e.actorId;
      lastAccess.set(user, lastAccess.has(user) ? later(lastAccess.get(user)!, e.occurredAt) : e.occurredAt);
      if (!e.courseId) continue;
      const activityKey = `${e.courseId}|${user}|${e.action}`;
      const a = courseActivity.get(activityKey) ?? { courseId: e.courseId, userId: user, action: e.action, schoolId: e.schoolId, events: 0, lastAt: e.occurredAt };
      a.events += 1;
      a.lastAt = later(a.lastAt, e.occurredAt);
      courseActivity.set(activityKey, a);
      const classKey = `${e.courseId}|${user}`;
      const p = classActivity.get(classKey) ?? { courseId: e.courseId, userId: user, schoolId: e.schoolId, events: 0, byAction: {}, lastAt: e.occurredAt };
      p.events += 1;
      p.byAction[e.action] = (p.byAction[e.action] ?? 0) + 1;
      p.lastAt = later(p.lastAt, e.occurredAt);
      p.schoolId ??= e.schoolId;
      classActivity.set(classKey, p);
      const day = dayOf(e.occurredAt);
      const dayKey = `${day}|${e.courseId}|${user}`;
      const c = daily.get(dayKey) ?? { day, courseId: e.courseId, userId: user, schoolId: e.schoolId, events: 0 };
      c.events += 1;
      daily.set(dayKey, c);
    }

    await this.writeTimeline(tx, timeline);
    await insertRows(
      tx,
      'progress_course_activity',
      {
        course_id: ['uuid', (r) => r.courseId],
        user_id: ['uuid', (r) => r.userId],
        action: ['text', (r) => r.action],
        school_id: ['uuid', (r) => r.schoolId],
        events: ['int', (r) => r.events],
        last_at: ['timestamptz', (r) => r.lastAt],
      },
      [...courseActivity.values()],
      `ON CONFLICT (course_id, user_id, action) DO UPDATE SET
         events = progress_course_activity.events + EXCLUDED.events,
         last_at = greatest(progress_course_activity.last_at, EXCLUDED.last_at)`,
    );
    await insertRows(
      tx,
      'progress_class_activity',
      {
        course_id: ['uuid', (r) => r.courseId],
        user_id: ['uuid', (r) => r.userId],
        school_id: ['uuid', (r) => r.schoolId],
        events: ['int', (r) => r.events],
        last_at: ['timestamptz', (r) => r.lastAt],
        by_action: ['jsonb', (r) => JSON.stringify(r.byAction)],
      },
      [...classActivity.values()],
      `ON CONFLICT (course_id, user_id) DO UPDATE SET
         school_id = coalesce(progress_class_activity.school_id, EXCLUDED.school_id),
         events = progress_class_activity.events + EXCLUDED.events,
         last_at = greatest(progress_class_activity.last_at, EXCLUDED.last_at),
         by_action = ls_add_counts(progress_class_activity.by_action, EXCLUDED.by_action)`,
    );
    await insertRows(
      tx,
      'progress_daily_activity',
      { day: ['date', (r) => r.day], course_id: ['uuid', (r) => r.courseId], user_id: ['uuid', (r) => r.userId], school_id: ['uuid', (r) => r.schoolId], events: ['int', (r) => r.events] },
      [...daily.values()],
      'ON CONFLICT (day, course_id, user_id) DO UPDATE SET events = progress_daily_activity.events + EXCLUDED.events',
    );
    await insertRows(
      tx,
      'progress_course_members',
      { course_id: ['uuid', (r) => r.courseId], user_id: ['uuid', (r) => r.userId], school_id: ['uuid', (r) => r.schoolId], learner: ['boolean', (r) => r.learner], teacher: ['boolean', (r) => r.teacher] },
      [...members.values()],
      `ON CONFLICT (course_id, user_id) DO UPDATE SET
         learner = progress_course_members.learner OR EXCLUDED.learner,
         teacher = progress_course_members.teacher OR EXCLUDED.teacher`,
    );
    if (lastAccess.size) {
      await tx.query(
        `INSERT INTO progress_learners (user_id, last_access_at) SELECT * FROM unnest($1::uuid[], $2::timestamptz[])
         ON CONFLICT (user_id) DO UPDATE SET last_access_at = greatest(progress_learners.last_access_at, EXCLUDED.last_access_at)`,
        [[...lastAccess.keys()], [...lastAccess.values()]],
      );
    }
    if (objections.size) {
      const rows = [...objections];
      await tx.query(
        `INSERT INTO progress_learners (user_id, profiling_objected, profiling_objected_at)
         SELECT u, o, CASE WHEN o THEN a END FROM unnest($1::uuid[], $2::boolean[], $3::timestamptz[]) AS t(u, o, a)
         ON CONFLICT (user_id) DO UPDATE SET profiling_objected = EXCLUDED.profiling_objected, profiling_objected_at = EXCLUDED.profiling_objected_at`,
        [rows.map(([u]) => u), rows.map(([, o]) => o.objected), rows.map(([, o]) => o.at)],
      );
    }
  }

  private async writeTimeline(tx: EntityManager, rows: TimelineRow[]): Promise<void> {
    await insertRows(tx, 'progress_timeline', TIMELINE_COLUMNS, rows, 'ON CONFLICT (user_id, position_commit, position_prepare) DO NOTHING');
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE progress_timeline, progress_course_activity, progress_class_activity, progress_daily_activity, progress_course_members, progress_learners');
  }

  /**
   * Erasure (SubjectErased, in log order, so a rebuild does the same): the
   * person's own timeline and flags go; their counts stay, under the erasure's
   * anonymous id, so that a course's and a school's figures still add up; in
   * other people's timelines they become that anonymous id too.
   */
  async forgetSubject({ userId, anonymousId }: { userId: string; anonymousId: string }, tx: EntityManager): Promise<void> {
    await tx.query('DELETE FROM progress_timeline WHERE user_id = $1', [userId]);
    await tx.query('DELETE FROM progress_learners WHERE user_id = $1', [userId]);
    // The object too: a profile read or a staff assignment names the person as its object.
    for (const column of ['actor_id', 'real_actor_id', 'related_user_id', 'object_id']) {
      await tx.query(`UPDATE progress_timeline SET ${column} = $2 WHERE ${column} = $1`, [userId, anonymousId]);
    }
    for (const table of ['progress_course_activity', 'progress_class_activity', 'progress_daily_activity', 'progress_course_members']) {
      await tx.query(`UPDATE ${table} SET user_id = $2 WHERE user_id = $1`, [userId, anonymousId]);
    }
  }
}
