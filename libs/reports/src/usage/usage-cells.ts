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
 *
 * The person rows of the day cells by school and role are not written either:
 * they are the daily rows under the keys of the person on that day
 * (JOIN_KEYS, from usage_memberships and usage_people), worked out when read
 * (PERSON_ROWS). Their cells grow by one person when the fact is new (its daily
 * row inserted, a registration, a fact counted again). Every fact made one or
 * more such rows per dimension, each a new row (an insert into the primary key
 * and the user_id index), the projection's costliest writes; a change of
 * memberships or platform roles takes the person's day rows out of the cells
 * under the keys they had before it (UNCOUNT_DAY_CELLS, run before the
 * batch's changes of memberships) and counts them again after.
 */

/** The dimensions a person's memberships and platform roles decide (worked out again when those change). */
export const MEMBERSHIP_DIMENSIONS = ['school', 'role'];

/**
 * The school and role keys of person `f.user_id` on day `f.day`, as joins for many facts `f` at once: every school
 * they were a member of that day ('none' if none), and their roles in those schools, else their platform role, else
 * 'general'. A row per fact and key, a key twice when two memberships give it (DISTINCT rows are taken: KEYED_FACTS,
 * the reader's PERSON_ROWS). One join over the memberships instead of two index scans, a sort and a UNION per fact.
 */
const JOIN_KEYS = `
  LEFT JOIN usage_memberships m ON m.user_id = f.user_id
    AND (m.started_at AT TIME ZONE 'UTC')::date <= f.day AND (m.ended_at IS NULL OR (m.ended_at AT TIME ZONE 'UTC')::date >= f.day)
  LEFT JOIN usage_people p ON m.membership_id IS NULL AND p.user_id = f.user_id
  CROSS JOIN LATERAL (VALUES ('school', coalesce(m.school_id::text, 'none')),
    ('role', coalesce(m.role, CASE WHEN 'platform_admin' = ANY (p.platform_roles) THEN 'platform_admin' WHEN 'dpo' = ANY (p.platform_roles) THEN 'dpo' ELSE 'general' END))) AS k(dimension, key)`;

const CELL = 'measure, granularity, period, dimension, key';

/** The facts of the CTE `facts` (columns `f.…` given) under each of their school and role keys (dimension, key), once each. */
const KEYED_FACTS = (columns: string) => `SELECT DISTINCT ${columns}, k.dimension, k.key FROM facts f ${JOIN_KEYS}`;

/** The facts as the daily tables hold them (measure, day, user_id, events). */
const DAILY_FACTS = `SELECT 'active' AS measure, day, user_id, events FROM usage_daily_actors
  UNION ALL SELECT 'registrations', day, user_id, 0 FROM usage_registrations`;

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
  UNION ALL SELECT 'registrations', 'day', day, 'total', '', user_id, 0 FROM usage_registrations
  UNION ALL SELECT DISTINCT f.measure, 'day', f.day, k.dimension, k.key, f.user_id, f.events FROM (${DAILY_FACTS}) AS f ${JOIN_KEYS})`;

/** Adds each cell's change (people, events) to usage_cells: the statement's last part, over `changes`. */
const ADD_TO_CELLS = (changes: string) => `
  INSERT INTO usage_cells (${CELL}, people, events)
  SELECT ${CELL}, sum(people), sum(events) FROM (${changes}) AS c GROUP BY 1, 2, 3, 4, 5
  ON CONFLICT (granularity, period, measure, dimension, key) DO UPDATE SET
    people = usage_cells.people + EXCLUDED.people, events = usage_cells.events + EXCLUDED.events`;

/**
 * Counts the facts of the CTE `facts` (measure, day, user_id, events,
 * course_views, resource_views, fresh): every cell when `dayTotals` is given,
 * else the school and role cells only. `dayTotals`: the changes of the day
 * total cells (measure, granularity, period, dimension, key, people, events),
 * from the daily tables as the statement wrote them; their person rows are
 * those tables' rows. The day cells by school and role have no person rows of
 * their own: a fact adds its events, and one person when it is `fresh` (not
 * counted in them before). The statement's tail, after `WITH …, facts AS (…)`.
 */
export function countFacts(dayTotals?: string): string {
  const all = dayTotals !== undefined;
  return `,
  keyed AS (
    ${
      all
        ? `SELECT f.measure, f.day, f.user_id, f.events, f.fresh, 'total' AS dimension, '' AS key FROM facts f
    UNION ALL SELECT 'course_views', f.day, f.user_id, f.course_views, f.fresh, 'total', '' FROM facts f WHERE f.course_views > 0
    UNION ALL SELECT 'resource_views', f.day, f.user_id, f.resource_views, f.fresh, 'total', '' FROM facts f WHERE f.resource_views > 0
    UNION ALL `
        : ''
    }${KEYED_FACTS('f.measure, f.day, f.user_id, f.events, f.fresh')}),
  rows AS (
    SELECT k.measure, g.granularity, date_trunc(g.granularity, k.day::timestamp)::date AS period, k.dimension, k.key, k.user_id, sum(k.events)::int AS events
    FROM keyed k CROSS JOIN (VALUES ('week'), ('month')) AS g(granularity)
    GROUP BY 1, 2, 3, 4, 5, 6),
  written AS (
    INSERT INTO usage_person_cells (${CELL}, user_id, events) SELECT * FROM rows
    ON CONFLICT (${CELL}, user_id) DO UPDATE SET events = usage_person_cells.events + EXCLUDED.events
    RETURNING ${CELL}, (xmax = 0) AS inserted)
  ${ADD_TO_CELLS(`SELECT ${CELL}, 0 AS people, events FROM rows
     UNION ALL SELECT ${CELL}, 1, 0 FROM written WHERE inserted
     UNION ALL SELECT k.measure, 'day', k.day, k.dimension, k.key, k.fresh::int, k.events FROM keyed k WHERE k.dimension <> 'total'${all ? ` UNION ALL ${dayTotals}` : ''}`)}`;
}

/** The facts already counted of the people $1 (uuid[]), from the projection's tables: each counted again (fresh). */
export const FACTS_OF_PEOPLE = `facts AS (
  SELECT 'active' AS measure, day, user_id, events, course_views, resource_views, true AS fresh FROM usage_daily_actors WHERE user_id = ANY ($1::uuid[])
  UNION ALL SELECT 'registrations', day, user_id, 0, 0, 0, true FROM usage_registrations WHERE user_id = ANY ($1::uuid[]))`;

/**
 * Takes the school and role rows of the people $1 (uuid[]) out, and out of the cells: the week and month rows kept,
 * and the day rows under the keys the people have now. Runs before the batch changes their memberships and roles.
 */
export const UNCOUNT_MEMBERSHIP_CELLS = `
  WITH gone AS (DELETE FROM usage_person_cells WHERE user_id = ANY ($1::uuid[]) AND dimension = ANY ($2::text[]) RETURNING ${CELL}, events),
  ${FACTS_OF_PEOPLE}
  ${ADD_TO_CELLS(`SELECT ${CELL}, -1 AS people, -events AS events FROM gone
     UNION ALL SELECT measure, 'day', day, dimension, key, -1, -events FROM (${KEYED_FACTS('f.measure, f.day, f.user_id, f.events')}) AS k`)}`;
