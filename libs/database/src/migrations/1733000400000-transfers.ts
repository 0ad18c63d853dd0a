import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Transfers (libs/affiliations/src/transfer.ts): an existing account asked to
 * join a school, waiting for the person (or a parent of a minor, or the
 * platform admin) to decide. Row-level secured like the memberships: a row is
 * visible to the asking school, the school a learner would leave, and the
 * person (and their parents) through the user scope.
 */
export class Transfers1733000400000 implements MigrationInterface {
  name = 'Transfers1733000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE school_transfers (
        transfer_id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        to_school_id uuid NOT NULL,
        from_school_id uuid,
        role text NOT NULL CHECK (role IN ('learner', 'teacher', 'school_admin')),
        class_id uuid,
        status text NOT NULL CHECK (status IN ('requested', 'accepted', 'declined', 'cancelled')),
        requested_by uuid,
        requested_at timestamptz NOT NULL,
        decided_by uuid,
        decided_as text,
        decided_at timestamptz
      )`);
    await q.query(`CREATE INDEX school_transfers_user_idx ON school_transfers (user_id, status)`);
    await q.query(`CREATE INDEX school_transfers_to_idx ON school_transfers (to_school_id, status)`);
    await q.query(`CREATE INDEX school_transfers_from_idx ON school_transfers (from_school_id, status)`);
    await q.query(`GRANT SELECT ON school_transfers TO learnstream_reader`);
    await q.query(`ALTER TABLE school_transfers ENABLE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY tenant_isolation ON school_transfers TO learnstream_reader USING (
        ls_scope_all() OR to_school_id = ANY (ls_school_ids()) OR from_school_id = ANY (ls_school_ids()) OR user_id = ANY (ls_user_ids()))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE school_transfers`);
  }
}
