/**
 * The facts of the usage statistics, from the clear fields of every event
 * (ids and the envelope: nothing is decrypted):
 *
 *   usage_daily_actors   per UTC day and person who acted: events, course
 *                        views (CourseViewed), resource views (ResourceViewed);
 *   usage_period_actors  the same summed per ISO week and calendar month
 *                        (what the reports read for whole periods);
 *   usage_registrations  per account: the UTC day it was created (AccountCreated).
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
 * Ids are kept at the daily grain only, so that distinct people over a week
 * or a month are counted right; role and school are joined from the tables
 * above, country from the accounts, when the report is read (usage.reader.ts).
 * Counts are increments: right because the runner applies each event exactly
 * once, in the transaction that moves the checkpoint (and a retried dead
 * letter once, as it is removed).
 *
 * Erasure: the person's rows (activity, registration, memberships, platform
 * roles) stay under the erasure's anonymous id, so that every figure by
 * period, role and school is unchanged. Country is the person's profile (a
 * personal value, sealed and shredded): it goes to 'unknown'.
 */
import { insertRows } from '@learnstream/database';
import type { StoredEvent } from '@learnstream/event-store';
import type { ErasedSubject, Projection } from '@learnstream/projections';
import type { EntityManager } from 'typeorm';
import { periodOf } from './periods';

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

interface PeriodCounts extends Omit<DayCounts, 'day'> {
  granularity: 'week' | 'month';
  period: string;
}

/** The day counts summed per week and month (usage_period_actors: what the reports read for whole periods). */
function perPeriod(days: Iterable<DayCounts>): PeriodCounts[] {
  const periods = new Map<string, PeriodCounts>();
  for (const d of days) {
    for (const granularity of ['week', 'month'] as const) {
      const period = periodOf(d.day, granularity);
      const key = `${granularity}|${period}|${d.userId}`;
      const counts = periods.get(key) ?? { granularity, period, userId: d.userId, events: 0, courseViews: 0, resourceViews: 0 };
      counts.events += d.events;
      counts.courseViews += d.courseViews;
      counts.resourceViews += d.resourceViews;
      periods.set(key, counts);
    }
  }
  return [...periods.values()];
}

export class UsageActivityProjection implements Projection {
  readonly name = 'usage-activity';
  readonly eventTypes = '*' as const;
  readonly readsPersonalData = false;

  handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    return this.handleBatch([event], tx);
  }

  /** The counts of many events summed per day and person first: one statement per table. */
  async handleBatch(events: StoredEvent[], tx: EntityManager): Promise<void> {
    const registrations = new Map<string, string>();
    const days = new Map<string, DayCounts>();
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
    await insertRows(tx, 'usage_registrations', { user_id: ['uuid', ([userId]) => userId], day: ['date', ([, day]) => day] }, [...registrations], 'ON CONFLICT (user_id) DO NOTHING');
    await insertRows(
      tx,
      'usage_daily_actors',
      {
        day: ['date', (r) => r.day],
        user_id: ['uuid', (r) => r.userId],
        events: ['int', (r) => r.events],
        course_views: ['int', (r) => r.courseViews],
        resource_views: ['int', (r) => r.resourceViews],
      },
      [...days.values()],
      `ON CONFLICT (day, user_id) DO UPDATE SET
         events = usage_daily_actors.events + EXCLUDED.events,
         course_views = usage_daily_actors.course_views + EXCLUDED.course_views,
         resource_views = usage_daily_actors.resource_views + EXCLUDED.resource_views`,
    );
    await insertRows(
      tx,
      'usage_period_actors',
      {
        granularity: ['text', (r) => r.granularity],
        period: ['date', (r) => r.period],
        user_id: ['uuid', (r) => r.userId],
        events: ['int', (r) => r.events],
        course_views: ['int', (r) => r.courseViews],
        resource_views: ['int', (r) => r.resourceViews],
      },
      perPeriod(days.values()),
      `ON CONFLICT (granularity, period, user_id) DO UPDATE SET
         events = usage_period_actors.events + EXCLUDED.events,
         course_views = usage_period_actors.course_views + EXCLUDED.course_views,
         resource_views = usage_period_actors.resource_views + EXCLUDED.resource_views`,
    );
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
        return;
      case 'SchoolLeft':
        await tx.query('UPDATE usage_memberships SET ended_at = $2 WHERE membership_id = $1', [d.membershipId, d.at]);
        return;
      case 'AccountCreated':
        await tx.query(`INSERT INTO usage_people (user_id, platform_roles) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING`, [d.userId, d.platformRoles ?? []]);
        return;
      case 'PlatformRoleGranted':
        await tx.query(
          `INSERT INTO usage_people (user_id, platform_roles) VALUES ($1, ARRAY[$2::text])
           ON CONFLICT (user_id) DO UPDATE SET platform_roles = array(SELECT DISTINCT unnest(usage_people.platform_roles || $2::text))`,
          [d.userId, d.role],
        );
        return;
      case 'PlatformRoleRevoked':
        await tx.query('UPDATE usage_people SET platform_roles = array_remove(platform_roles, $2::text) WHERE user_id = $1', [d.userId, d.role]);
        return;
    }
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE usage_daily_actors, usage_period_actors, usage_registrations, usage_memberships, usage_people');
  }

  async forgetSubject({ userId, anonymousId }: ErasedSubject, tx: EntityManager): Promise<void> {
    for (const table of ['usage_daily_actors', 'usage_period_actors', 'usage_registrations', 'usage_memberships', 'usage_people']) {
      await tx.query(`UPDATE ${table} SET user_id = $2 WHERE user_id = $1`, [userId, anonymousId]);
    }
  }
}
