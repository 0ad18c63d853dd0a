/**
 * The raw figures of the usage statistics, per period (and per value of the
 * dimension), from read models only, through TenantDb (the usage tables are
 * visible to "all schools" readers alone):
 *
 *   usage_cells, PERSON_ROWS                   this library's projection: people and events
 *                                              per measure, period, dimension and key,
 *                                              counted as the facts came, and the person rows
 *                                              (usage_person_cells and the daily tables: usage-cells.ts);
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
 * A period inside the range is read from usage_cells (a few rows per period),
 * less the rows of the people left out; a period the range cuts, from the
 * person rows of its days inside the range (unless nothing was counted on its
 * days outside the range: then it is read whole). Country is not a cell: the
 * people of each period (person rows under the total) are looked up.
 *
 * Privacy (the privacy feature's subject_flags): a person whose processing
 * is restricted, or who withdrew their analytics consent, is left out of
 * every figure (analytics_excluded), from the moment the flag is set: their
 * person rows are taken away from the cells they count in.
 */
import { Injectable } from '@nestjs/common';
import { TenantDb, type TenantScope } from '@learnstream/access';
import { readSchoolNames } from '@learnstream/affiliations';
import { readAccountCountries } from '@learnstream/identity';
import { query, queryOne } from '@learnstream/database';
import { completionsPerPeriod } from '@learnstream/grades';
import type { EntityManager } from 'typeorm';
import type { Granularity, UsageDimension } from '../reports.events';
import { addDays, dayBefore, periodEnd, periodsBetween, type Period } from './periods';
import { PERSON_ROWS } from './usage-cells';

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

/** The days from `first` to `last` (YYYY-MM-DD), both included. */
function daysFrom(first: string, last: string): string[] {
  const days: string[] = [];
  for (let day = first; !dayBefore(last, day); day = addDays(day, 1)) days.push(day);
  return days;
}

/** count() and sum() of bigint come back as strings; a sum over no rows as null. */
type Count = string | number | null;
const num = (v: Count) => Number(v ?? 0);

interface CellRow {
  measure: 'active' | 'registrations' | 'course_views' | 'resource_views';
  period: string;
  dimension: string;
  key: string;
  people: Count;
  events: Count;
}

/** Every measure, named so that the person rows' primary key (measure first) finds a period's rows. */
const EVERY_MEASURE = `pc.measure = ANY ('{active,registrations,course_views,resource_views}'::text[])`;

/** The person rows counted in the cells of dimensions $6 of the whole periods $2 (granularity $1), left-out people ($5) excepted. */
const WHOLE_PERSON_ROWS = `
  SELECT pc.measure, pc.period, pc.dimension, pc.key, pc.user_id, pc.events FROM ${PERSON_ROWS} AS pc
  WHERE ${EVERY_MEASURE} AND pc.granularity = $1::text AND pc.period = ANY ($2::date[]) AND pc.dimension = ANY ($6::text[]) AND NOT (pc.user_id = ANY ($5::uuid[]))`;

/**
 * The same from the day rows of the days [$3[i], $4[i]] of the periods the range cuts, under their period. Those days
 * are also given as a list ($7): a condition on the person rows alone reaches the daily tables' index in every part of
 * PERSON_ROWS, the day rows by school and role (worked out from the daily rows) included, where a join's does not.
 */
const CUT_PERSON_ROWS = `
  SELECT pc.measure, date_trunc($1::text, pc.period::timestamp)::date AS period, pc.dimension, pc.key, pc.user_id, pc.events
  FROM unnest($3::date[], $4::date[]) AS r(first, last) JOIN ${PERSON_ROWS} AS pc ON ${EVERY_MEASURE} AND pc.granularity = 'day' AND pc.period BETWEEN r.first AND r.last
  WHERE pc.period = ANY ($7::date[]) AND pc.dimension = ANY ($6::text[]) AND NOT (pc.user_id = ANY ($5::uuid[]))`;

/** A person counts once per cell: distinct people, their events summed. */
const GROUPED = (rows: string) => `
  SELECT f.measure, to_char(f.period, 'YYYY-MM-DD') AS period, f.dimension, f.key, count(DISTINCT f.user_id) AS people, sum(f.events) AS events
  FROM (${rows}) AS f GROUP BY 1, 2, 3, 4`;

/**
 * The cells of dimensions $6 of the whole periods $2 (granularity $1), less the person rows of the left-out people ($5)
 * in them; and those of the cut periods, from their days in the range.
 */
const CELLS = `
  SELECT c.measure, to_char(c.period, 'YYYY-MM-DD') AS period, c.dimension, c.key, c.people - coalesce(x.people, 0) AS people, c.events - coalesce(x.events, 0) AS events
  FROM usage_cells c
  LEFT JOIN (SELECT measure, period, dimension, key, count(*) AS people, sum(events) AS events FROM ${PERSON_ROWS} AS pc
             WHERE user_id = ANY ($5::uuid[]) AND granularity = $1::text AND period = ANY ($2::date[]) AND dimension = ANY ($6::text[])
             GROUP BY 1, 2, 3, 4) AS x ON x.measure = c.measure AND x.period = c.period AND x.dimension = c.dimension AND x.key = c.key
  WHERE c.granularity = $1::text AND c.period = ANY ($2::date[]) AND c.dimension = ANY ($6::text[]) AND c.people > coalesce(x.people, 0)
  UNION ALL
  ${GROUPED(CUT_PERSON_ROWS)}`;

/** The people under the totals of registrations and activity ($6 = {total}), whole and cut periods. */
const PEOPLE_ROWS = `SELECT * FROM (${WHOLE_PERSON_ROWS} UNION ALL ${CUT_PERSON_ROWS}) AS p WHERE p.measure IN ('active', 'registrations')`;

/** Country: the people of each period and their country ($8 ids and $9 countries, from the identity feature). */
const BY_COUNTRY = GROUPED(`SELECT p.measure, p.period, 'country' AS dimension, coalesce(acc.country, 'unknown') AS key, p.user_id, p.events
  FROM (${PEOPLE_ROWS}) AS p LEFT JOIN unnest($8::uuid[], $9::text[]) AS acc(user_id, country) ON acc.user_id = p.user_id`);

@Injectable()
export class UsageReader {
  constructor(private readonly db: TenantDb) {}

  read(scope: TenantScope, range: UsageRange): Promise<UsageFigures> {
    return this.db.read(scope, async (db) => {
      const excluded = (await queryOne<{ ids: string[] | null }>(db, 'SELECT ls_analytics_excluded_ids()::text[] AS ids'))?.ids ?? [];
      const { whole, cutFirst, cutLast } = await this.periods(db, range);
      const cutDays = cutFirst.flatMap((first, i) => daysFrom(first, cutLast[i]));
      const params: unknown[] = [range.granularity, whole, cutFirst, cutLast, excluded, ['total', range.by], cutDays];
      const rows = await query<CellRow>(db, CELLS, params);
      if (range.by === 'country') {
        const totals = [...params.slice(0, 5), ['total'], cutDays];
        const people = await query<{ user_id: string }>(db, `SELECT DISTINCT user_id FROM (${PEOPLE_ROWS}) AS people`, totals);
        const countries = await readAccountCountries(
          db,
          people.map((p) => p.user_id),
        );
        rows.push(...(await query<CellRow>(db, BY_COUNTRY, [...totals, countries.map((c) => c.userId), countries.map((c) => c.country)])));
      }
      const figures = (measure: CellRow['measure']) => {
        const of = rows.filter((r) => r.measure === measure);
        return {
          cells: of.filter((r) => r.dimension === range.by).map((r) => ({ period: r.period, key: r.key, people: num(r.people), events: num(r.events) })),
          totals: of.filter((r) => r.dimension === 'total').map((r) => ({ period: r.period, people: num(r.people), events: num(r.events) })),
        };
      };
      const registrations = figures('registrations');
      const activeUsers = figures('active');
      const views = (measure: CellRow['measure']) => new Map(figures(measure).totals.map((t) => [t.period, t]));
      const [courseViews, resourceViews] = [views('course_views'), views('resource_views')];
      const content = [...new Set([...courseViews.keys(), ...resourceViews.keys()])].map((period) => ({
        period,
        courseViews: courseViews.get(period)?.events ?? 0,
        courseViewers: courseViews.get(period)?.people ?? 0,
        resourceViews: resourceViews.get(period)?.events ?? 0,
        resourceViewers: resourceViews.get(period)?.people ?? 0,
      }));
      const completion = await completionsPerPeriod(db, range, excluded);
      const schoolIds = range.by === 'school' ? [...new Set([...registrations.cells, ...activeUsers.cells].map((c) => c.key).filter((k) => k !== 'none'))] : [];
      return { registrations, activeUsers, content, completion, schoolNames: await readSchoolNames(db, schoolIds) };
    });
  }

  /**
   * The periods read from the cells (whole), and the days in the range of the others: a period the range cuts is read
   * whole when nothing was counted on its days outside the range (a range ending today, say).
   */
  private async periods(db: EntityManager, range: UsageRange): Promise<{ whole: string[]; cutFirst: string[]; cutLast: string[] }> {
    const periods = periodsBetween(range.from, range.to, range.granularity);
    const isCut = (p: Period) => p.start !== p.period || p.end !== periodEnd(p.period, range.granularity);
    const outside = periods.filter(isCut).flatMap((p) => [
      { period: p.period, first: p.period, last: addDays(p.start, -1) },
      { period: p.period, first: addDays(p.end, 1), last: periodEnd(p.period, range.granularity) },
    ]).filter((o) => !dayBefore(o.last, o.first));
    const counted = outside.length
      ? await query<{ period: string }>(
          db,
          `SELECT DISTINCT o.period FROM unnest($1::text[], $2::date[], $3::date[]) AS o(period, first, last)
           WHERE EXISTS (SELECT 1 FROM usage_daily_actors a WHERE a.day BETWEEN o.first AND o.last)
              OR EXISTS (SELECT 1 FROM usage_registrations r WHERE r.day BETWEEN o.first AND o.last)`,
          [outside.map((o) => o.period), outside.map((o) => o.first), outside.map((o) => o.last)],
        )
      : [];
    const byDay = new Set(counted.map((c) => c.period));
    const cut = periods.filter((p) => byDay.has(p.period));
    return { whole: periods.filter((p) => !byDay.has(p.period)).map((p) => p.period), cutFirst: cut.map((p) => p.start), cutLast: cut.map((p) => p.end) };
  }
}
