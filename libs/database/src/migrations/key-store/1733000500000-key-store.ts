import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The key store's own database (KEYSTORE_DATABASE_URL, docs/privacy.md): the
 * tables the event database held until 1733000500100, unchanged, plus the
 * erasure ledger's link to the request and the anonymous id, so that an
 * erasure can be carried out again on a restored event database.
 *
 * - `subject_keys`: one key per subject and scope (`data`, `request:YYYY-MM`),
 *   wrapped by the master key; scopes compare bytewise (COLLATE "C").
 * - `erased_subjects`: the erasure ledger (also kept in ERASURE_LEDGER_PATH). A
 *   subject in it never gets a key again.
 * - `key_store_check`: the master-key canary and the destruction token.
 */
export class KeyStore1733000500000 implements MigrationInterface {
  name = 'KeyStore1733000500000';

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
        reason text NOT NULL,
        request_id uuid,
        anonymous_id uuid
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
