import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The key store for personal data (libs/personal-data): per-subject data keys
 * wrapped by the master key, the erasure ledger, and a one-row state table.
 *
 * - `subject_keys`: one key per subject and scope. `data` encrypts the subject's
 *   personal data; `request:YYYY-MM` encrypts their request metadata (IP, user
 *   agent) of that calendar month (UTC), so expiring old IPs is deleting rows.
 *   Period expiry compares scopes as text (`request:2024-04` < `request:2024-05`),
 *   so the format is checked here and the column compares bytewise (COLLATE "C")
 *   whatever the database's locale.
 * - `erased_subjects`: the erasure ledger. A subject in it never gets a key
 *   again; after a backup restore, deleting the keys of ledger subjects
 *   (`KeyStore.reapplyErasures`) shreds them again.
 * - `key_store_check`: one row. `canary` is a known text encrypted under the
 *   master key, so a wrong MASTER_KEY stops the start instead of reading
 *   garbage; `destruction_token` changes in every transaction that destroys
 *   keys, which lets each process check in one tiny query that its key cache
 *   is still valid.
 */
export class PersonalData1732200000100 implements MigrationInterface {
  name = 'PersonalData1732200000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subject_keys (
        key_id uuid PRIMARY KEY,
        subject_id uuid NOT NULL,
        scope text COLLATE "C" NOT NULL CHECK (scope = 'data' OR scope ~ '^request:[0-9]{4}-(0[1-9]|1[0-2])$'),
        wrapped_key bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (subject_id, scope)
      )`);
    await q.query(`CREATE INDEX subject_keys_scope_idx ON subject_keys (scope)`);
    await q.query(`
      CREATE TABLE erased_subjects (
        subject_id uuid PRIMARY KEY,
        erased_at timestamptz NOT NULL DEFAULT now(),
        reason text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE key_store_check (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        canary bytea,
        canary_created_at timestamptz,
        destruction_token uuid NOT NULL
      )`);
    await q.query(`INSERT INTO key_store_check (id, destruction_token) VALUES (true, gen_random_uuid())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE key_store_check');
    await q.query('DROP TABLE erased_subjects');
    await q.query('DROP TABLE subject_keys');
  }
}
