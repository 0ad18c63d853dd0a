import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Interoperability (libs/interop): Moodle imports and the xAPI LRS.
 *
 *   interop_id_map              which Learnstream id a Moodle user, course or
 *                               course module became (from a mapping file, or a
 *                               placeholder the import created: `created`), per
 *                               Moodle site. Ids only.
 *   interop_import_checkpoints  one row per imported file (key: SHA-256 of its
 *                               first MB): the byte offset and line after the
 *                               last committed batch, so an interrupted import
 *                               resumes there, and the running counts of what was
 *                               imported and skipped, and why.
 *   xapi_clients                LRS credentials (HTTP Basic): each tied to one
 *                               school; the secret is kept as a SHA-256 hash only
 *                               (it is 256 random bits: no dictionary to try).
 *                               Operational state, like sign-in sessions: its
 *                               creation and revocation are events.
 *   xapi_statements             read model of projection `xapi-statements`
 *                               (XapiStatementRecorded): the clear fields the
 *                               Statement Resource filters and pages on, and
 *                               where the statement itself is in the log
 *                               (stream, revision): the statement is read from
 *                               the log, decrypted, when it is returned. The
 *                               actor is a keyed hash (agent_key) or a user id.
 *                               Tenant-isolated by school (row-level security).
 */
export class Interop1732200000900 implements MigrationInterface {
  name = 'Interop1732200000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE interop_id_map (
        site text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('user', 'course', 'course_module')),
        external_id text NOT NULL,
        learnstream_id uuid NOT NULL,
        course_id uuid,
        section_id uuid,
        created boolean NOT NULL DEFAULT false,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (site, kind, external_id)
      )`);
    await q.query(`CREATE INDEX interop_id_map_learnstream_idx ON interop_id_map (learnstream_id)`);

    await q.query(`
      CREATE TABLE interop_import_checkpoints (
        file_key text PRIMARY KEY,
        kind text NOT NULL,
        site text NOT NULL,
        file_name text NOT NULL,
        file_size bigint NOT NULL,
        byte_offset bigint NOT NULL,
        line bigint NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'interrupted', 'done')),
        counts jsonb NOT NULL DEFAULT '{}',
        started_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);

    await q.query(`
      CREATE TABLE xapi_clients (
        client_id uuid PRIMARY KEY,
        school_id uuid NOT NULL,
        name text NOT NULL,
        secret_hash bytea NOT NULL,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX xapi_clients_school_idx ON xapi_clients (school_id)`);

    await q.query(`
      CREATE TABLE xapi_statements (
        school_id uuid NOT NULL,
        statement_id uuid NOT NULL,
        event_id uuid NOT NULL UNIQUE,
        stream_id text NOT NULL,
        stream_revision bigint NOT NULL,
        client_id uuid NOT NULL,
        verb_id text NOT NULL,
        object_type text NOT NULL,
        activity_id text,
        activity_ids text[] NOT NULL DEFAULT '{}',
        statement_ref_id uuid,
        agent_key text,
        related_agent_keys text[] NOT NULL DEFAULT '{}',
        learner_id uuid,
        course_id uuid,
        registration uuid,
        voiding boolean NOT NULL,
        voided boolean NOT NULL DEFAULT false,
        mapped_event_id uuid,
        "timestamp" timestamptz NOT NULL,
        stored timestamptz NOT NULL,
        PRIMARY KEY (school_id, statement_id)
      )`);
    await q.query(`CREATE INDEX xapi_statements_stored_idx ON xapi_statements (school_id, stored, statement_id)`);
    await q.query(`CREATE INDEX xapi_statements_agent_idx ON xapi_statements (school_id, agent_key, stored)`);
    await q.query(`CREATE INDEX xapi_statements_verb_idx ON xapi_statements (school_id, verb_id, stored)`);
    await q.query(`CREATE INDEX xapi_statements_activity_idx ON xapi_statements (school_id, activity_id, stored)`);
    await q.query(`CREATE INDEX xapi_statements_activities_idx ON xapi_statements USING gin (activity_ids)`);
    await q.query(`CREATE INDEX xapi_statements_voiding_idx ON xapi_statements (school_id, statement_ref_id) WHERE voiding`);
    await q.query(`CREATE INDEX xapi_statements_mapped_idx ON xapi_statements (mapped_event_id) WHERE mapped_event_id IS NOT NULL`);
    await q.query(`CREATE INDEX xapi_statements_learner_idx ON xapi_statements (learner_id) WHERE learner_id IS NOT NULL`);
    await q.query(`GRANT SELECT ON xapi_statements TO learnstream_reader`);
    await q.query(`ALTER TABLE xapi_statements ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY tenant_isolation ON xapi_statements TO learnstream_reader USING (ls_scope_all() OR school_id = ANY (ls_school_ids()))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE xapi_statements, xapi_clients, interop_import_checkpoints, interop_id_map');
  }
}
