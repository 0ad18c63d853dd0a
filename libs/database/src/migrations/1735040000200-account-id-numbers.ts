import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * External ids (a student number, Moodle's idnumber) on accounts:
 * `accounts.id_number` (personal data: sealed in the log, clear here, gone
 * with the row on erasure), unique among the accounts a school opened. The
 * accounts read model is inline: the unique index refuses a second account of
 * the school with the same id in the append's own transaction (409 IDNUMBER_TAKEN).
 */
export class AccountIdNumbers1735040000200 implements MigrationInterface {
  name = 'AccountIdNumbers1735040000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts ADD COLUMN id_number text`);
    await q.query(`CREATE UNIQUE INDEX accounts_school_id_number_key ON accounts (opened_in_school, id_number) NULLS NOT DISTINCT WHERE id_number IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX accounts_school_id_number_key`);
    await q.query(`ALTER TABLE accounts DROP COLUMN id_number`);
  }
}
