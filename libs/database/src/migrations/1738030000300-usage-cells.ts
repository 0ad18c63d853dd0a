import type { MigrationInterface, QueryRunner } from 'typeorm';
import { UsagePeriodActors1737080000800 } from './1737080000800-usage-period-actors';

/**
 * The usage statistics read pre-counted cells (issue 15: p95 ≤ 50 ms on a
 * 1,000,000-event term; a 12-week report by school read ~24,000 person-weeks).
 *
 *   usage_person_cells  one row per measure ('active', 'registrations',
 *                       'course_views', 'resource_views'), granularity ('day',
 *                       'week', 'month'), period (its first day), dimension
 *                       ('total', 'school', 'role'), key (a school id or
 *                       'none', a role; '' for the total) and person counted
 *                       in that cell: their events (views for the content
 *                       measures, 0 for registrations) on the days of the
 *                       period they had that key;
 *   usage_cells         the same summed over people: people (distinct, as
 *                       each person has one row per cell) and events.
 *
 * The usage projection keeps both: a person's rows are added when they act or
 * register (a cell's people grow when its person row is new), and a person's
 * school and role rows are worked out again when their memberships or platform
 * roles change (back-dated ones too). The reader takes usage_cells and takes
 * away the rows of the people left out of statistics (analytics_excluded: few,
 * found by user_id). usage_period_actors is replaced (dropped).
 *
 * Filled here from the projection's own tables (exact: the same rule as the
 * projection's). Row-level security as usage_daily_actors: platform-wide readers only
 * (the scope read once per statement, as a sub-select: see 1738020000100).
 */
const TABLES = ['usage_person_cells', 'usage_cells'];

export class UsageCells1738030000300 implements MigrationInterface {
  name = 'UsageCells1738030000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE usage_person_cells (
        measure text NOT NULL,
        granularity text NOT NULL,
        period date NOT NULL,
        dimension text NOT NULL,
        key text NOT NULL,
        user_id uuid NOT NULL,
        events integer NOT NULL,
        PRIMARY KEY (measure, granularity, period, dimension, key, user_id)
      )`);
    await q.query('CREATE INDEX usage_person_cells_user_idx ON usage_person_cells (user_id)');
    await q.query(`
      CREATE TABLE usage_cells (
        measure text NOT NULL,
        granularity text NOT NULL,
        period date NOT NULL,
        dimension text NOT NULL,
        key text NOT NULL,
        people integer NOT NULL,
        events bigint NOT NULL,
        PRIMARY KEY (granularity, period, measure, dimension, key)
      )`);
    await q.query(`
      INSERT INTO usage_person_cells (measure, granularity, period, dimension, key, user_id, events)
      WITH facts AS (
        SELECT 'active' AS measure, day, user_id, events, course_views, resource_views FROM usage_daily_actors
        UNION ALL SELECT 'registrations', day, user_id, 0, 0, 0 FROM usage_registrations),
      keyed AS (
        SELECT f.measure, f.day, f.user_id, f.events, 'total' AS dimension, '' AS key FROM facts f
        UNION ALL SELECT 'course_views', f.day, f.user_id, f.course_views, 'total', '' FROM facts f WHERE f.course_views > 0
        UNION ALL SELECT 'resource_views', f.day, f.user_id, f.resource_views, 'total', '' FROM facts f WHERE f.resource_views > 0
        UNION ALL SELECT f.measure, f.day, f.user_id, f.events, k.dimension, k.key FROM facts f CROSS JOIN LATERAL (
          SELECT 'school' AS dimension, coalesce(m.school_id::text, 'none') AS key
          FROM (VALUES (1)) one(x) LEFT JOIN usage_memberships m ON m.user_id = f.user_id
            AND (m.started_at AT TIME ZONE 'UTC')::date <= f.day AND (m.ended_at IS NULL OR (m.ended_at AT TIME ZONE 'UTC')::date >= f.day)
          UNION
          SELECT 'role', coalesce(m.role, CASE WHEN 'platform_admin' = ANY (p.platform_roles) THEN 'platform_admin' WHEN 'dpo' = ANY (p.platform_roles) THEN 'dpo' ELSE 'general' END)
          FROM (VALUES (1)) one(x) LEFT JOIN usage_memberships m ON m.user_id = f.user_id
            AND (m.started_at AT TIME ZONE 'UTC')::date <= f.day AND (m.ended_at IS NULL OR (m.ended_at AT TIME ZONE 'UTC')::date >= f.day)
          LEFT JOIN usage_people p ON p.user_id = f.user_id) k)
      SELECT k.measure, g.granularity, date_trunc(g.granularity, k.day::timestamp)::date, k.dimension, k.key, k.user_id, sum(k.events)
      FROM keyed k CROSS JOIN (VALUES ('day'), ('week'), ('month')) AS g(granularity)
      GROUP BY 1, 2, 3, 4, 5, 6`);
    await q.query(`
      INSERT INTO usage_cells (measure, granularity, period, dimension, key, people, events)
      SELECT measure, granularity, period, dimension, key, count(*), sum(events) FROM usage_person_cells GROUP BY 1, 2, 3, 4, 5`);
    await q.query('DROP TABLE usage_period_actors');
    await q.query(`GRANT SELECT ON ${TABLES.join(', ')} TO learnstream_reader`);
    for (const table of TABLES) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY platform_only ON ${table} TO learnstream_reader USING ((SELECT ls_scope_all()))`);
      await q.query(`
        DO $$ BEGIN
          EXECUTE format('CREATE POLICY owner_access ON ${table} TO %I USING (true) WITH CHECK (true)',
            (SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = '${table}'));
        END $$`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ${TABLES.join(', ')}`);
    await new UsagePeriodActors1737080000800().up(q);
  }
}
