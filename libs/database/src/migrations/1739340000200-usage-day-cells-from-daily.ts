import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The person rows of the usage statistics' day cells by school and role
 * (granularity 'day', dimension 'school' or 'role') are the daily tables'
 * rows under the keys the person had that day (usage_memberships,
 * usage_people), worked out when read (PERSON_ROWS,
 * libs/reports/src/usage/usage-cells.ts). The usage projection no longer
 * writes them into usage_person_cells: every fact made a new row of each
 * (issue 15, the catch-up). usage_cells is unchanged: the day cells are still
 * kept, and count the same people.
 */
export class UsageDayCellsFromDaily1739340000200 implements MigrationInterface {
  name = 'UsageDayCellsFromDaily1739340000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM usage_person_cells WHERE granularity = 'day' AND dimension IN ('school', 'role')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO usage_person_cells (measure, granularity, period, dimension, key, user_id, events)
      SELECT f.measure, 'day', f.day, k.dimension, k.key, f.user_id, f.events
      FROM (SELECT 'active' AS measure, day, user_id, events FROM usage_daily_actors
            UNION ALL SELECT 'registrations', day, user_id, 0 FROM usage_registrations) AS f
      CROSS JOIN LATERAL (
        SELECT 'school' AS dimension, coalesce(m.school_id::text, 'none') AS key
        FROM (VALUES (1)) AS one(x) LEFT JOIN usage_memberships m ON m.user_id = f.user_id
          AND (m.started_at AT TIME ZONE 'UTC')::date <= f.day AND (m.ended_at IS NULL OR (m.ended_at AT TIME ZONE 'UTC')::date >= f.day)
        UNION
        SELECT 'role', coalesce(m.role, CASE WHEN 'platform_admin' = ANY (p.platform_roles) THEN 'platform_admin' WHEN 'dpo' = ANY (p.platform_roles) THEN 'dpo' ELSE 'general' END)
        FROM (VALUES (1)) AS one(x) LEFT JOIN usage_memberships m ON m.user_id = f.user_id
          AND (m.started_at AT TIME ZONE 'UTC')::date <= f.day AND (m.ended_at IS NULL OR (m.ended_at AT TIME ZONE 'UTC')::date >= f.day)
        LEFT JOIN usage_people p ON p.user_id = f.user_id) AS k`);
  }
}
