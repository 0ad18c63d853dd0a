import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The LRS's document resources and activity definitions (libs/interop/src/xapi/documents.ts),
 * command-side tables like xapi_clients and xapi_agents (not rebuilt from the log):
 *
 *   xapi_documents   State (activity + agent + optional registration), Activity Profile
 *                    (activity) and Agent Profile (agent) documents of a school's LRS:
 *                    the document's bytes, its content type, its ETag (SHA-1) and when
 *                    it was last written. `agent_id` is the agent's random id of
 *                    xapi_agents (never an email or a hash of one); erasing a learner
 *                    deletes the documents of their agents.
 *   xapi_activities  each activity's definition as the school's statements gave it,
 *                    merged (the Activities resource).
 * Row-level security enabled and forced, only the owner (the application's role) has a policy.
 */
const TABLES = ['xapi_documents', 'xapi_activities'];

export class XapiDocuments1734004000100 implements MigrationInterface {
  name = 'XapiDocuments1734004000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE xapi_documents (
        school_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('state', 'activity_profile', 'agent_profile')),
        activity_id text NOT NULL DEFAULT '',
        agent_id uuid,
        registration text NOT NULL DEFAULT '',
        document_id text NOT NULL,
        content_type text NOT NULL,
        content bytea NOT NULL,
        etag text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE NULLS NOT DISTINCT (school_id, kind, activity_id, agent_id, registration, document_id)
      )`);
    await q.query('CREATE INDEX xapi_documents_agent_idx ON xapi_documents (agent_id) WHERE agent_id IS NOT NULL');
    await q.query(`
      CREATE TABLE xapi_activities (
        school_id uuid NOT NULL,
        activity_id text NOT NULL,
        definition jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (school_id, activity_id)
      )`);
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
    await q.query('DROP TABLE xapi_activities');
    await q.query('DROP TABLE xapi_documents');
  }
}
