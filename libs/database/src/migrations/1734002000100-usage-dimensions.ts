import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The usage statistics keep the role and school a person had (issue 14).
 *
 * Until now the breakdowns by role and school joined the directory read
 * models (school_memberships, accounts) when a report was read; an erasure
 * deletes a person's memberships and account, so their activity, kept under
 * the erasure's anonymous id, moved from 'learner' to 'general' and from
 * their school to 'none'. The usage projection now keeps its own copy of the
 * clear facts it breaks down by, and re-keys it with the activity:
 *
 *   usage_memberships  one row per membership (ids, role, start and end:
 *                      clear fields of SchoolJoined/SchoolLeft);
 *   usage_people       a person's platform roles (AccountCreated,
 *                      PlatformRoleGranted/Revoked).
 *
 * Both are filled here from the directory as it is (people erased before
 * this migration are gone from it already), then by the projection.
 * Row-level security as usage_daily_actors: platform-wide readers only.
 */
const TABLES = ['usage_memberships', 'usage_people'];

export class UsageDimensions1734002000100 implements MigrationInterface {
  name = 'UsageDimensions1734002000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE usage_memberships (
        membership_id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        school_id uuid NOT NULL,
        role text NOT NULL,
        started_at timestamptz NOT NULL,
        ended_at timestamptz
      )`);
    await q.query('CREATE INDEX usage_memberships_user_idx ON usage_memberships (user_id)');
    await q.query(`CREATE TABLE usage_people (user_id uuid PRIMARY KEY, platform_roles text[] NOT NULL DEFAULT '{}')`);
    await q.query(`INSERT INTO usage_memberships SELECT membership_id, user_id, school_id, role, started_at, ended_at FROM school_memberships`);
    await q.query(`INSERT INTO usage_people SELECT user_id, platform_roles FROM accounts`);
    await q.query(`GRANT SELECT ON ${TABLES.join(', ')} TO learnstream_reader`);
    for (const table of TABLES) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY platform_only ON ${table} TO learnstream_reader USING (ls_scope_all())`);
      await q.query(`
        DO $$ BEGIN
          EXECUTE format('CREATE POLICY owner_access ON ${table} TO %I USING (true) WITH CHECK (true)',
            (SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = '${table}'));
        END $$`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ${TABLES.join(', ')}`);
  }
}
