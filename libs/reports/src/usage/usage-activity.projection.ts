/**
 * The facts of the usage statistics, from the clear fields of every event
 * (ids and the envelope: nothing is decrypted):
 *
 *   usage_daily_actors   per UTC day and person who acted: events, course
 *                        views (CourseViewed), resource views (ResourceViewed);
 *   usage_registrations  per account: the UTC day it was created (AccountCreated);
 *   usage_person_cells,  what the reports read: the facts above counted per
 *   usage_cells          day, week and month, by school and role (usage-cells.ts).
 *
 * A person "acts" in an event whose envelope names them as actor, unless a
 * staff member was acting as them (impersonation: realActorId set), which is
 * not the person's own activity. Events with no actor (the system, an
 * anonymous caller) count for nobody.
 *
 * and the clear facts the breakdowns need, kept here rather than joined from
 * the directory (whose rows go with an erased person):
 *
 *   usage_memberships    per membership: person, school, role, start, end
 *                        (SchoolJoined, SchoolLeft);
 *   usage_people         per person: platform roles (AccountCreated,
 *                        PlatformRoleGranted/Revoked).
 *
 * A person's school and role cells are worked out again from their facts
 * whenever their memberships or platform roles change (a back-dated membership
 * moves the activity it covers); country is joined from the accounts when the
 * report is read (usage.reader.ts). Counts are increments: right because the
 * runner applies each event exactly once, in the transaction that moves the
 * checkpoint (and a retried dead letter once, as it is removed).
 *
 * Erasure: the person's rows (activity, registration, memberships, platform
 * roles) stay under the erasure's anonymous id, so that every figure by
 * period, role and school is unchanged. Country is the person's profile (a
 * personal value, sealed and shredded): it goes to 'unknown'.
 */
import type { StoredEvent } from '@learnstream/event-store';
import type { ErasedSubject, Projection } from '@learnstream/projections';
import type { EntityManager } from 'typeorm';
import { countFacts, FACTS_OF_PEOPLE, MEMBERSHIP_DIMENSIONS, UNCOUNT_MEMBERSHIP_CELLS } from './usage-cells';

interface DayCounts {
  day: string;
  userId: string;
  events: number;
  courseViews: number;
  resourceViews: number;
}

/** The clear fields of the events that place a person by role and school. */
interface DimensionData {
  membershipId?: string;
  userId: string;
  schoolId?: string;
  role?: string;
  at?: string;
  platformRoles?: string[];
}

const DIMENSION_EVENTS = new Set(['SchoolJoined', 'SchoolLeft', 'AccountCreated', 'PlatformRoleGranted', 'PlatformRoleRevoked']);

const dayOf = (event: StoredEvent) => new Date(event.envelope.occurredAt).toISOString().slice(0, 10);

/**
 * The changes of the day total cells, from the daily rows the statement wrote: a person more when their row of the day is
 * new (their views of the day were 0 before: the views written are all there are), a registration when its row is new.
 */
const DAY_TOTALS = `
  SELECT 'active', 'day', a.day, 'total', '', d.inserted::int, a.events FROM activity a JOIN daily d USING (day, user_id)
  UNION ALL SELECT 'course_views', 'day', a.day, 'total', '', (d.course_views = a.course_views)::int, a.course_views
    FROM activity a JOIN daily d USING (day, user_id) WHERE a.course_views > 0
  UNION ALL SELECT 'resource_views', 'day', a.day, 'total', '', (d.resource_views = a.resource_views)::int, a.resource_views
    FROM activity a JOIN daily d USING (day, user_id) WHERE a.resource_views > 0
  UNION ALL SELECT 'registrations', 'day', day, 'total', '', 1, 0 FROM registered`;

/**
 * A batch's activity ($1-$5: per day and person) and registrations ($6, $7) written to the daily tables and counted in the
 * cells, in one statement. A registration is counted once: when its row is new.
 */
const WRITE_FACTS = `
  WITH activity AS (SELECT * FROM unnest($1::date[], $2::uuid[], $3::int[], $4::int[], $5::int[]) AS a(day, user_id, events, course_views, resource_views)),
  daily AS (
    INSERT INTO usage_daily_actors (day, user_id, events, course_views, resource_views) SELECT * FROM activity
    ON CONFLICT (day, user_id) DO UPDATE SET
      events = usage_daily_actors.events + EXCLUDED.events,
      course_views = usage_daily_actors.course_views + EXCLUDED.course_views,
      resource_views = usage_daily_actors.resource_views + EXCLUDED.resource_views
    RETURNING day, user_id, (xmax = 0) AS inserted, course_views, resource_views),
  registered AS (
    INSERT INTO usage_registrations (user_id, day) SELECT * FROM unnest($6::uuid[], $7::date[])
    ON CONFLICT (user_id) DO NOTHING RETURNING user_id, day),
  facts AS (
    SELECT 'active' AS measure, a.day, a.user_id, a.events, a.course_views, a.resource_views, d.inserted AS fresh FROM activity a JOIN daily d USING (day, user_id)
    UNION ALL SELECT 'registrations', day, user_id, 0, 0, 0, true FROM registered)
  ${countFacts(DAY_TOTALS)}`;

export class UsageActivityProjection implements Projection {
  readonly name = 'usage-activity';
  readonly eventTypes = '*' as const;
  readonly readsPersonalData = false;

  handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    return this.handleBatch([event], tx);
  }

  /**
   * The school and role cells of the people whose memberships or platform roles the batch changes are taken out first
   * (under the keys they had), then the batch's memberships and platform roles are kept (in log order), then those
   * people's facts counted before the batch are counted again, then the batch's activity and registrations counted under
   * the memberships as they are now: the cells are always those of every fact under the current memberships.
   */
  async handleBatch(events: StoredEvent[], tx: EntityManager): Promise<void> {
    const registrations = new Map<string, string>();
    const days = new Map<string, DayCounts>();
    const moved = [...new Set(events.filter((e) => DIMENSION_EVENTS.has(e.type)).map((e) => (e.data as unknown as DimensionData).userId))];
    if (moved.length) await tx.query(UNCOUNT_MEMBERSHIP_CELLS, [moved, MEMBERSHIP_DIMENSIONS]);
    for (const event of events) {
      if (DIMENSION_EVENTS.has(event.type)) await this.dimension(event, tx);
      const day = dayOf(event);
      if (event.type === 'AccountCreated' && typeof event.data.userId === 'string' && !registrations.has(event.data.userId)) registrations.set(event.data.userId, day);
      const { actorId, realActorId } = event.envelope;
      if (!actorId || realActorId) continue;
      const key = `${day}|${actorId}`;
      const counts = days.get(key) ?? { day, userId: actorId, events: 0, courseViews: 0, resourceViews: 0 };
      counts.events += 1;
      if (event.type === 'CourseViewed') counts.courseViews += 1;
      if (event.type === 'ResourceViewed') counts.resourceViews += 1;
      days.set(key, counts);
    }
    if (moved.length) await tx.query(`WITH ${FACTS_OF_PEOPLE} ${countFacts()}`, [moved]);
    if (!days.size && !registrations.size) return;
    const activity = [...days.values()];
    await tx.query(WRITE_FACTS, [
      activity.map((d) => d.day),
      activity.map((d) => d.userId),
      activity.map((d) => d.events),
      activity.map((d) => d.courseViews),
      activity.map((d) => d.resourceViews),
      [...registrations.keys()],
      [...registrations.values()],
    ]);
  }

  /** A membership or a platform role: the clear ids and role of the event, in log order. */
  private async dimension(event: StoredEvent, tx: EntityManager): Promise<void> {
    const d = event.data as unknown as DimensionData;
    switch (event.type) {
      case 'SchoolJoined':
        await tx.query(
          `INSERT INTO usage_memberships (membership_id, user_id, school_id, role, started_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (membership_id) DO NOTHING`,
          [d.membershipId, d.userId, d.schoolId, d.role, d.at],
        );
        break;
      case 'SchoolLeft':
        await tx.query('UPDATE usage_memberships SET ended_at = $2 WHERE membership_id = $1', [d.membershipId, d.at]);
        break;
      case 'AccountCreated':
        await tx.query(`INSERT INTO usage_people (user_id, platform_roles) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING`, [d.userId, d.platformRoles ?? []]);
        break;
      case 'PlatformRoleGranted':
        await tx.query(
          `INSERT INTO usage_people (user_id, platform_roles) VALUES ($1, ARRAY[$2::text])
           ON CONFLICT (user_id) DO UPDATE SET platform_roles = array(SELECT DISTINCT unnest(usage_people.platform_roles || $2::text))`,
          [d.userId, d.role],
        );
        break;
      case 'PlatformRoleRevoked':
        await tx.query('UPDATE usage_people SET platform_roles = array_remove(platform_roles, $2::text) WHERE user_id = $1', [d.userId, d.role]);
        break;
    }
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE usage_daily_actors, usage_registrations, usage_memberships, usage_people, usage_person_cells, usage_cells');
  }

  async forgetSubject({ userId, anonymousId }: ErasedSubject, tx: EntityManager): Promise<void> {
    for (const table of ['usage_daily_actors', 'usage_registrations', 'usage_memberships', 'usage_people', 'usage_person_cells']) {
      await tx.query(`UPDATE ${table} SET user_id = $2 WHERE user_id = $1`, [userId, anonymousId]);
    }
  }
}
