import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Row-level security on the interop tables of 1733000700000/-100, as
 * 1733000300000 does for the command side: enabled and forced, only the
 * owner (the application's role) has a policy; learnstream_reader has no grant.
 */
const TABLES = ['xapi_agents', 'interop_import_jobs', 'interop_import_rejections'];

export class InteropRowSecurity1733000700200 implements MigrationInterface {
  name = 'InteropRowSecurity1733000700200';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        DO $$ BEGIN
          EXECUTE format('CREATE POLICY owner_access ON ${table} TO %I USING (true) WITH CHECK (true)',
            (SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = '${table}'));
        END $$`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await q.query(`DROP POLICY owner_access ON ${table}`);
      await q.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
    }
  }
}
