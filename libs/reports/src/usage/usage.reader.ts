/**
 * The raw figures of the usage statistics, per period (and per value of the
 * dimension), from read models only, through TenantDb (the usage tables are
 * visible to "all schools" readers alone):
 *
 *   usage_daily_actors, usage_period_actors,  this library's projection;
 *   usage_registrations
 *   usage_memberships (with their history)     a person's roles and schools on the day (the
 *                                              projection's own copy: kept, re-keyed, at erasure);
 *   usage_people                               platform roles (as they are now), same;
 *   readAccountCountries                       the identity feature's reader: the profile's country;
 *   completionsPerPeriod                       the grades feature's reader: course completions per period;
 *   readSchoolNames                            the affiliations feature's reader: school names.
 *
 * Dimensions of a person on a day: school = every school they were a member
 * of that day ('none' if none); role = their roles in those schools, else
 * their platform role (platform_admin, dpo), else 'general' (self-registered
 * users, parents); country = their profile's country ('unknown' if none). A
 * person counts once per value: a teacher in two schools counts in both
 * school cells and once in the teacher cell, and once in the total.
 *
 * Privacy (the privacy feature's subject_flags): a person whose processing
 * is restricted, or who withdrew their analytics consent, is left out of
 * every figure (analytics_excluded), from the moment the flag is set.
 */
import { Injectable } from '@nestjs/common';
import { TenantDb, type TenantScope } from '@learnstream/access';
import { readSchoolNames } from '@learnstream/affiliations';
import { readAccountCountries } from '@learnstream/identity';
import { query, queryOne } from '@learnstream/database';
import { completionsPerPeriod } from '@learnstream/grades';
import type { EntityManager } from 'typeorm';
import type { Granularity, UsageDimension } from '../reports.events';

export interface UsageRange {
  from: string;
  to: string;
  granularity: Granularity;
  by: UsageDimension;
}

export interface DimensionRow {
  period: string;
  key: string;
  people: number;
  events: number;
}

export interface TotalRow {
  period: string;
  people: number;
  events: number;
}

export interface ContentRow {
  period: string;
  courseViews: number;
  courseViewers: number;
  resourceViews: number;
  resourceViewers: number;
}

export interface CompletionRow {
  period: string;
  completions: number;
  people: number;
}

export interface UsageFigures {
  registrations: { cells: DimensionRow[]; totals: TotalRow[] };
  activeUsers: { cells: DimensionRow[]; totals: TotalRow[] };
  content: ContentRow[];
  completion: CompletionRow[];
  /** Names of the schools among the keys (by=school). */
  schoolNames: Map<string, string>;
}

const PERIOD = (day: string) => `to_char(date_trunc($3, ${day}::timestamp), 'YYYY-MM-DD')`;

/**
 * The facts are rows of a person's activity over a span of days [first, last]: one day
 * (usage_daily_actors, usage_registrations) or a whole week or month (usage_period_actors,
 * read only where the person's memberships are the same on every day of it: see CHANGING).
 * Each (person, day) is in exactly one of these rows.
 */
// LATERAL (OFFSET 0: kept as a subquery, not flattened into a join), by the person's index: row-level security's filter
// makes the planner expect a few rows on each side, and a plain join became a nested loop over every membership for each
// of the 24k person-weeks of a term (4-6 s).
const MEMBERSHIPS_ON_DAY = `LEFT JOIN LATERAL (SELECT m.school_id, m.role FROM usage_memberships m WHERE m.user_id = f.user_id
  AND (m.started_at AT TIME ZONE 'UTC')::date <= f.first
  AND (m.ended_at IS NULL OR (m.ended_at AT TIME ZONE 'UTC')::date >= f.last) OFFSET 0) m ON true`;
/** The countries of the period's people, read through the identity feature and passed as two arrays ($4 ids, $5 countries). */
const COUNTRIES = `LEFT JOIN unnest($4::uuid[], $5::text[]) AS acc(user_id, country) ON acc.user_id = f.user_id`;

/** A period's length: constants, so that the bounds below are folded to dates when the query is planned. */
const PERIOD_LENGTH = `(CASE $3::text WHEN 'week' THEN interval '1 week' WHEN 'month' THEN interval '1 month' ELSE interval '1 day' END)`;
/** The first and last day of the whole periods ($3: week or month) inside the range [$1, $2]. */
const WHOLE_FROM = `date_trunc($3::text, $1::date::timestamp + ${PERIOD_LENGTH} - interval '1 day')::date`;
const WHOLE_TO = `(date_trunc($3::text, ($2::date + 1)::timestamp) - interval '1 day')::date`;
/** The days of the range in the periods it cuts ($3: week or month): before the whole periods, and after them (none when there are none). */
const CUT_DAYS = [`BETWEEN $1::date AND least($2::date, ${WHOLE_FROM} - 1)`, `BETWEEN greatest($1::date, ${WHOLE_TO} + 1, ${WHOLE_FROM}) AND $2::date`];
/** (person, period) pairs in which one of the person's memberships starts or ends on another day than the period's first: read by day. */
const CHANGING = `changing AS (
  SELECT DISTINCT m.user_id, date_trunc($3::text, b.day::timestamp)::date AS period
  FROM usage_memberships m CROSS JOIN LATERAL (VALUES ((m.started_at AT TIME ZONE 'UTC')::date), ((m.ended_at AT TIME ZONE 'UTC')::date + 1)) AS b(day)
  WHERE b.day IS NOT NULL AND b.day <> date_trunc($3::text, b.day::timestamp)::date)`;

const DIMENSIONS: Record<UsageDimension, { joins: string; key: string }> = {
  school: { joins: MEMBERSHIPS_ON_DAY, key: `coalesce(m.school_id::text, 'none')` },
  role: {
    joins: `${MEMBERSHIPS_ON_DAY} LEFT JOIN LATERAL (SELECT p.platform_roles FROM usage_people p WHERE p.user_id = f.user_id OFFSET 0) p ON true`,
    key: `coalesce(m.role, CASE WHEN 'platform_admin' = ANY (p.platform_roles) THEN 'platform_admin' WHEN 'dpo' = ANY (p.platform_roles) THEN 'dpo' ELSE 'general' END)`,
  },
  country: { joins: COUNTRIES, key: `coalesce(acc.country, 'unknown')` },
};

/** count() and sum() of bigint come back as strings; a sum over no rows as null. */
type Count = string | number | null;
const num = (v: Count) => Number(v ?? 0);

/** Left out of statistics: restricted, or analytics consent withdrawn. */
const INCLUDED = (column: string) => `NOT coalesce(${column} = ANY ((SELECT ls_analytics_excluded_ids())::uuid[]), false)`;

@Injectable()
export class UsageReader {
  constructor(private readonly db: TenantDb) {}

  read(scope: TenantScope, range: UsageRange): Promise<UsageFigures> {
    return this.db.read(scope, async (db) => {
      // $3 is typed in the registrations' facts too: every query of byDimension passes it.
      const registrations = await this.byDimension(
        db,
        range,
        `SELECT day AS first, day AS last, user_id, 0 AS events FROM usage_registrations t WHERE day BETWEEN $1::date AND $2::date AND $3::text IS NOT NULL AND ${INCLUDED('t.user_id')}`,
      );
      const PERIOD_END = (period: string) => `(${period} + ${PERIOD_LENGTH} - interval '1 day')::date`;
      const activeUsers = await this.byDimension(
        db,
        range,
        range.granularity === 'day'
          ? `SELECT day AS first, day AS last, user_id, events FROM usage_daily_actors t WHERE day BETWEEN $1::date AND $2::date AND $3::text IS NOT NULL AND ${INCLUDED('t.user_id')}`
          : `WITH ${CHANGING}
             SELECT p.period AS first, ${PERIOD_END('p.period')} AS last, p.user_id, p.events
             FROM usage_period_actors p
             WHERE p.granularity = $3::text AND p.period BETWEEN ${WHOLE_FROM} AND ${WHOLE_TO} AND ${INCLUDED('p.user_id')}
               AND NOT EXISTS (SELECT 1 FROM changing c WHERE c.user_id = p.user_id AND c.period = p.period)
             UNION ALL
             SELECT t.day, t.day, t.user_id, t.events FROM changing c
             JOIN usage_daily_actors t ON t.user_id = c.user_id AND t.day BETWEEN c.period AND ${PERIOD_END('c.period')}
             WHERE c.period BETWEEN ${WHOLE_FROM} AND ${WHOLE_TO} AND ${INCLUDED('t.user_id')}
             ${CUT_DAYS.map((days) => `UNION ALL SELECT t.day, t.day, t.user_id, t.events FROM usage_daily_actors t WHERE t.day ${days} AND ${INCLUDED('t.user_id')}`).join('\n')}`,
      );
      const params = [range.from, range.to, range.granularity];
      const content = await query<{ period: string; course_views: Count; course_viewers: Count; resource_views: Count; resource_viewers: Count }>(
        db,
        `WITH u AS (${
          range.granularity === 'day'
            ? `SELECT day, user_id, course_views, resource_views FROM usage_daily_actors WHERE day BETWEEN $1::date AND $2::date`
            : `SELECT p.period AS day, p.user_id, p.course_views, p.resource_views FROM usage_period_actors p
               WHERE p.granularity = $3::text AND p.period BETWEEN ${WHOLE_FROM} AND ${WHOLE_TO}
               ${CUT_DAYS.map((days) => `UNION ALL SELECT t.day, t.user_id, t.course_views, t.resource_views FROM usage_daily_actors t WHERE t.day ${days}`).join('\n')}`
        })
         SELECT ${PERIOD('day')} AS period,
                sum(course_views) AS course_views, count(DISTINCT user_id) FILTER (WHERE course_views > 0) AS course_viewers,
                sum(resource_views) AS resource_views, count(DISTINCT user_id) FILTER (WHERE resource_views > 0) AS resource_viewers
         FROM u WHERE (course_views > 0 OR resource_views > 0) AND ${INCLUDED('u.user_id')} GROUP BY 1`,
        params,
      );
      const excluded = await queryOne<{ ids: string[] | null }>(db, 'SELECT ls_analytics_excluded_ids()::text[] AS ids');
      const completion = await completionsPerPeriod(db, range, excluded?.ids ?? []);
      const schoolIds = range.by === 'school' ? [...new Set([...registrations.cells, ...activeUsers.cells].map((c) => c.key).filter((k) => k !== 'none'))] : [];
      return {
        registrations,
        activeUsers,
        content: content.map((r) => ({
          period: String(r.period),
          courseViews: num(r.course_views),
          courseViewers: num(r.course_viewers),
          resourceViews: num(r.resource_views),
          resourceViewers: num(r.resource_viewers),
        })),
        completion,
        schoolNames: await readSchoolNames(db, schoolIds),
      };
    });
  }

  /** Distinct people and events per period and value of the dimension, and per period. */
  private async byDimension(db: EntityManager, range: UsageRange, facts: string): Promise<{ cells: DimensionRow[]; totals: TotalRow[] }> {
    const { joins, key } = DIMENSIONS[range.by];
    const params: unknown[] = [range.from, range.to, range.granularity];
    if (range.by === 'country') {
      const people = await query<{ user_id: string }>(db, `SELECT DISTINCT user_id FROM (${facts}) f`, params.slice(0, 3));
      const countries = await readAccountCountries(
        db,
        people.map((p) => p.user_id),
      );
      params.push(
        countries.map((c) => c.userId),
        countries.map((c) => c.country),
      );
    }
    // DISTINCT: a person with two memberships that map to the same value counts (and their events count) once in it.
    const cells = await query<{ period: string; key: string; people: Count; events: Count }>(
      db,
      `WITH f AS (${facts}),
            d AS (SELECT DISTINCT f.first, f.user_id, f.events, ${key} AS key FROM f ${joins})
       SELECT ${PERIOD('d.first')} AS period, d.key, count(DISTINCT d.user_id) AS people, sum(d.events) AS events
       FROM d GROUP BY 1, 2`,
      params,
    );
    const totals = await query<{ period: string; people: Count; events: Count }>(
      db,
      `WITH f AS (${facts}) SELECT ${PERIOD('f.first')} AS period, count(DISTINCT f.user_id) AS people, sum(f.events) AS events FROM f GROUP BY 1`,
      params.slice(0, 3),
    );
    return {
      cells: cells.map((r) => ({ period: String(r.period), key: String(r.key), people: num(r.people), events: num(r.events) })),
      totals: totals.map((r) => ({ period: String(r.period), people: num(r.people), events: num(r.events) })),
    };
  }
}
