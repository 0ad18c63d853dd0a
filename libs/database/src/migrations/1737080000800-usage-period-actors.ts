import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The usage statistics read whole weeks and months pre-summed (issue 15).
 *
 *   usage_period_actors  one row per granularity ('week', 'month'), period
 *                        (its first day, as date_trunc names it) and person
 *                        who acted in it: the sums of their usage_daily_actors
 *                        rows over the period.
 *
 * A 12-week report read ~7 times fewer rows (one per person and week instead
 * of one per person and day). Filled here from usage_daily_actors (exact: the
 * sums of its rows), then by the usage projection in the same batch as the
 * daily rows. Row-level security as usage_daily_actors: platform-wide readers only.
 */
const TABLE = 'usage_period_actors';

export class UsagePeriodActors1737080000800 implements MigrationInterface {
  name = 'UsagePeriodActors1737080000800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ${TABLE} (
        granularity text NOT NULL CHECK (granularity IN ('week', 'month')),
        period date NOT NULL,
        user_id uuid NOT NULL,
        events integer NOT NULL,
        course_views integer NOT NULL DEFAULT 0,
        resource_views integer NOT NULL DEFAULT 0,
        PRIMARY KEY (granularity, period, user_id)
      )`);
    await q.query(`CREATE INDEX ${TABLE}_user_idx ON ${TABLE} (user_id)`);
    await q.query(`
      INSERT INTO ${TABLE} (granularity, period, user_id, events, course_views, resource_views)
      SELECT g.granularity, date_trunc(g.granularity, a.day::timestamp)::date, a.user_id, sum(a.events), sum(a.course_views), sum(a.resource_views)
      FROM usage_daily_actors a CROSS JOIN (VALUES ('week'), ('month')) AS g(granularity)
      GROUP BY 1, 2, 3`);
    await q.query(`GRANT SELECT ON ${TABLE} TO learnstream_reader`);
    await q.query(`ALTER TABLE ${TABLE} ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE ${TABLE} FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY platform_only ON ${TABLE} TO learnstream_reader USING (ls_scope_all())`);
    await q.query(`
      DO $$ BEGIN
        EXECUTE format('CREATE POLICY owner_access ON ${TABLE} TO %I USING (true) WITH CHECK (true)',
          (SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = '${TABLE}'));
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ${TABLE}`);
  }
}
