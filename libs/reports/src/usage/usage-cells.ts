/**
 * The pre-counted cells of the usage statistics (usage_person_cells,
 * usage_cells; migration 1738030000300), as the usage projection keeps them.
 *
 * A fact is a person's activity on a UTC day (measure 'active': events,
 * course views, resource views) or their registration (measure
 * 'registrations', on the day the account was created). A fact counts in the
 * cells of its day, its ISO week and its month: under the total (key ''),
 * under each school the person was a member of that day ('none' if none) and
 * under each role they had in those schools (else their platform role as it
 * is now, else 'general'); course and resource views under measures of their
 * own (the viewers and the views). A person has one person row per cell they
 * count in (events summed), so a cell's people are its person rows:
 * usage_cells.people grows by one when a person row is new.
 *
 * The person rows of the day totals are the daily tables' own rows (a
 * person's events and views on a day, their registration): they are not
 * written a second time into usage_person_cells (PERSON_ROWS reads both), and
 * their cells grow by one person when the daily row is new (or its views were
 * 0). Those rows were a fifth of the cells written per fact, and the ones
 * that were new rows (inserted, not added to) most often.
 */

/** The dimensions a person's memberships and platform roles decide (worked out again when those change). */
export const MEMBERSHIP_DIMENSIONS = ['school', 'role'];

/** The school and role keys of person `f.user_id` on day `f.day` (one row per distinct key). */
const KEYS_ON_DAY = `
  SELECT 'school' AS dimension, coalesce(m.school_id::text, 'none') AS key
  FROM (VALUES (1)) AS one(x) LEFT JOIN usage_memberships m ON m.user_id = f.user_id
    AND (m.started_at AT TIME ZONE 'UTC')::date <= f.day AND (m.ended_at IS NULL OR (m.ended_at AT TIME ZONE 'UTC')::date >= f.day)
  UNION
  SELECT 'role', coalesce(m.role, CASE WHEN 'platform_admin' = ANY (p.platform_roles) THEN 'platform_admin' WHEN 'dpo' = ANY (p.platform_roles) THEN 'dpo' ELSE 'general' END)
  FROM (VALUES (1)) AS one(x) LEFT JOIN usage_memberships m ON m.user_id = f.user_id
    AND (m.started_at AT TIME ZONE 'UTC')::date <= f.day AND (m.ended_at IS NULL OR (m.ended_at AT TIME ZONE 'UTC')::date >= f.day)
  LEFT JOIN usage_people p ON p.user_id = f.user_id`;

const CELL = 'measure, granularity, period, dimension, key';

/**
 * Every person row: usage_person_cells and the day totals, read from the daily tables (usage_daily_actors: 'active',
 * and 'course_views' and 'resource_views' when there were some; usage_registrations: 'registrations'). A day without
 * views of a kind gives a row whose measure is null (no one's: a read names the measures it wants). Not a WHERE: a part
 * of a UNION ALL with one is planned on its own, and a join's condition (the days of a cut period) no longer reaches
 * its index (EXPLAIN, 140,000 daily rows: the days of a cut period found by index in 1 ms; with WHERE, two sequential
 * scans, 230 ms).
 */
export const PERSON_ROWS = `(
  SELECT measure, granularity, period, dimension, key, user_id, events FROM usage_person_cells
  UNION ALL SELECT 'active', 'day', day, 'total', '', user_id, events FROM usage_daily_actors
  UNION ALL SELECT CASE WHEN course_views > 0 THEN 'course_views' END, 'day', day, 'total', '', user_id, course_views FROM usage_daily_actors
  UNION ALL SELECT CASE WHEN resource_views > 0 THEN 'resource_views' END, 'day', day, 'total', '', user_id, resource_views FROM usage_daily_actors
  UNION ALL SELECT 'registrations', 'day', day, 'total', '', user_id, 0 FROM usage_registrations)`;

/** Adds each cell's change (people, events) to usage_cells: the statement's last part, over `changes`. */
const ADD_TO_CELLS = (changes: string) => `
  INSERT INTO usage_cells (${CELL}, people, events)
  SELECT ${CELL}, sum(people), sum(events) FROM (${changes}) AS c GROUP BY 1, 2, 3, 4, 5
  ON CONFLICT (granularity, period, measure, dimension, key) DO UPDATE SET
    people = usage_cells.people + EXCLUDED.people, events = usage_cells.events + EXCLUDED.events`;

/**
 * Counts the facts of the CTE `facts` (measure, day, user_id, events,
 * course_views, resource_views): every cell when `dayTotals` is given, else
 * the school and role cells only. `dayTotals`: the changes of the day total
 * cells (measure, granularity, period, dimension, key, people, events), from
 * the daily tables as the statement wrote them; their person rows are those
 * tables' rows. The statement's tail, after `WITH …, facts AS (…)`.
 */
export function countFacts(dayTotals?: string): string {
  const all = dayTotals !== undefined;
  return `,
  keyed AS (
    ${
      all
        ? `SELECT f.measure, f.day, f.user_id, f.events, 'total' AS dimension, '' AS key FROM facts f
    UNION ALL SELECT 'course_views', f.day, f.user_id, f.course_views, 'total', '' FROM facts f WHERE f.course_views > 0
    UNION ALL SELECT 'resource_views', f.day, f.user_id, f.resource_views, 'total', '' FROM facts f WHERE f.resource_views > 0
    UNION ALL `
        : ''
    }SELECT f.measure, f.day, f.user_id, f.events, k.dimension, k.key FROM facts f CROSS JOIN LATERAL (${KEYS_ON_DAY}) AS k),
  rows AS (
    SELECT k.measure, g.granularity, date_trunc(g.granularity, k.day::timestamp)::date AS period, k.dimension, k.key, k.user_id, sum(k.events)::int AS events
    FROM keyed k CROSS JOIN (VALUES ('day'), ('week'), ('month')) AS g(granularity)
    WHERE NOT (g.granularity = 'day' AND k.dimension = 'total')
    GROUP BY 1, 2, 3, 4, 5, 6),
  written AS (
    INSERT INTO usage_person_cells (${CELL}, user_id, events) SELECT * FROM rows
    ON CONFLICT (${CELL}, user_id) DO UPDATE SET events = usage_person_cells.events + EXCLUDED.events
    RETURNING ${CELL}, user_id, (xmax = 0) AS inserted)
  ${ADD_TO_CELLS(`SELECT w.measure, w.granularity, w.period, w.dimension, w.key, w.inserted::int AS people, r.events
     FROM written w JOIN rows r USING (${CELL}, user_id)${all ? ` UNION ALL ${dayTotals}` : ''}`)}`;
}

/** The facts already counted of the people $1 (uuid[]), from the projection's tables. */
export const FACTS_OF_PEOPLE = `facts AS (
  SELECT 'active' AS measure, day, user_id, events, course_views, resource_views FROM usage_daily_actors WHERE user_id = ANY ($1::uuid[])
  UNION ALL SELECT 'registrations', day, user_id, 0, 0, 0 FROM usage_registrations WHERE user_id = ANY ($1::uuid[]))`;

/** Takes the school and role rows of the people $1 (uuid[]) out, and out of the cells. */
export const UNCOUNT_MEMBERSHIP_CELLS = `
  WITH gone AS (DELETE FROM usage_person_cells WHERE user_id = ANY ($1::uuid[]) AND dimension = ANY ($2::text[]) RETURNING ${CELL}, events)
  ${ADD_TO_CELLS(`SELECT ${CELL}, -1 AS people, -events AS events FROM gone`)}`;
