import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The DPO's mentions report (issue 14; projection `privacy-mentions`): where
 * an erased person's names stood in other people's free text, found within
 * the erasure. Positions only (record, owner, field, offset, length), never
 * the name; the excerpt is masked when the DPO reads it. Command side only:
 * row-level security forced, the owner's policy, no grant to learnstream_reader.
 */
export class ErasureMentions1734002000200 implements MigrationInterface {
  name = 'ErasureMentions1734002000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE erasure_mentions (
        mention_id uuid PRIMARY KEY,
        request_id uuid NOT NULL,
        owner_id uuid NOT NULL,
        record text NOT NULL,
        record_id uuid NOT NULL,
        field text NOT NULL,
        start_at integer NOT NULL,
        length integer NOT NULL,
        found_at timestamptz NOT NULL,
        redacted_at timestamptz,
        redacted_by uuid
      )`);
    await q.query('CREATE INDEX erasure_mentions_request_idx ON erasure_mentions (request_id)');
    await q.query('CREATE INDEX erasure_mentions_owner_idx ON erasure_mentions (owner_id)');
    await q.query('ALTER TABLE erasure_mentions ENABLE ROW LEVEL SECURITY');
    await q.query('ALTER TABLE erasure_mentions FORCE ROW LEVEL SECURITY');
    await q.query(`
      DO $$ BEGIN
        EXECUTE format('CREATE POLICY owner_access ON erasure_mentions TO %I USING (true) WITH CHECK (true)',
          (SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'erasure_mentions'));
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE erasure_mentions');
  }
}
