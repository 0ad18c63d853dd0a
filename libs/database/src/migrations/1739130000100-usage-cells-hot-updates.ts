import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The usage projection adds to the same rows over and over (a person's week and
 * month cells, the day's counts: one UPDATE per batch they act in). With full
 * pages (fillfactor 100) each such update writes the new row version on
 * another page, and so a new entry in every index of the table (the primary
 * key and the user_id index of usage_person_cells and usage_daily_actors).
 * Pages filled to 70 % leave room for the new version on the same page: a
 * heap-only (HOT) update, which touches no index (no indexed column changes:
 * only the counts). Applies to pages written from now on; a rebuild
 * (TRUNCATE) writes them all anew.
 */
const TABLES = ['usage_person_cells', 'usage_cells', 'usage_daily_actors'];

export class UsageCellsHotUpdates1739130000100 implements MigrationInterface {
  name = 'UsageCellsHotUpdates1739130000100';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await q.query(`ALTER TABLE ${table} SET (fillfactor = 70)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await q.query(`ALTER TABLE ${table} RESET (fillfactor)`);
  }
}
