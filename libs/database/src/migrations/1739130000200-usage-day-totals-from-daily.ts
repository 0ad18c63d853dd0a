import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The person rows of the usage statistics' day totals (granularity 'day',
 * dimension 'total') are the daily tables' rows: usage_daily_actors
 * ('active', and the course and resource views when there were some) and
 * usage_registrations ('registrations'). The usage projection no longer
 * writes them into usage_person_cells as well (they were a fifth of the rows
 * it wrote per fact: issue 15, the catch-up), and the reader takes them from
 * the daily tables (PERSON_ROWS, libs/reports/src/usage/usage-cells.ts).
 * usage_cells is unchanged: the day total cells are still kept.
 */
export class UsageDayTotalsFromDaily1739130000200 implements MigrationInterface {
  name = 'UsageDayTotalsFromDaily1739130000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM usage_person_cells WHERE granularity = 'day' AND dimension = 'total'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO usage_person_cells (measure, granularity, period, dimension, key, user_id, events)
      SELECT 'active', 'day', day, 'total', '', user_id, events FROM usage_daily_actors
      UNION ALL SELECT 'course_views', 'day', day, 'total', '', user_id, course_views FROM usage_daily_actors WHERE course_views > 0
      UNION ALL SELECT 'resource_views', 'day', day, 'total', '', user_id, resource_views FROM usage_daily_actors WHERE resource_views > 0
      UNION ALL SELECT 'registrations', 'day', day, 'total', '', user_id, 0 FROM usage_registrations`);
  }
}
