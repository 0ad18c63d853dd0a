import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity and affiliations: who is who (read models built from the log) and
 * the sign-in state (sessions, refresh tokens, username index), plus tenant
 * isolation in the data layer.
 *
 * Tenant isolation: queries on behalf of a user run as the role
 * `learnstream_reader` (SET LOCAL ROLE inside their transaction), and
 * row-level security on every tenant table lets that role see only the rows of
 * the schools (and users) in the request's scope, given as transaction-local
 * settings. A query that forgets its WHERE clause, or a controller that forgets
 * a check, still cannot return another school's rows; a request that sets no
 * scope sees nothing. Projections write as the table owner, which RLS does not
 * restrict (the policies are not FORCEd).
 */
export class Directory1732200000300 implements MigrationInterface {
  name = 'Directory1732200000300';

  async up(q: QueryRunner): Promise<void> {
    // Roles are cluster-wide: create it once, tolerate a concurrent creator.
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'learnstream_reader') THEN
          CREATE ROLE learnstream_reader NOLOGIN NOSUPERUSER NOBYPASSRLS;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    // The application's own login role must be allowed to SET ROLE to it (a superuser always may).
    await q.query(`
      DO $$ BEGIN
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
          EXECUTE format('GRANT learnstream_reader TO %I', current_user);
        END IF;
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE WARNING 'cannot grant learnstream_reader to %: ask a DBA to run GRANT learnstream_reader TO %', current_user, current_user;
      END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO learnstream_reader`);

    // The scope of the current request (transaction-local settings; absent = nothing).
    await q.query(`
      CREATE FUNCTION ls_scope_all() RETURNS boolean LANGUAGE sql STABLE AS
        $$ SELECT coalesce(current_setting('learnstream.scope_all', true), '') = 'on' $$`);
    await q.query(`
      CREATE FUNCTION ls_school_ids() RETURNS uuid[] LANGUAGE sql STABLE AS
        $$ SELECT coalesce(nullif(current_setting('learnstream.school_ids', true), ''), '{}')::uuid[] $$`);
    await q.query(`
      CREATE FUNCTION ls_user_ids() RETURNS uuid[] LANGUAGE sql STABLE AS
        $$ SELECT coalesce(nullif(current_setting('learnstream.user_ids', true), ''), '{}')::uuid[] $$`);

    // --- Sign-in state: written by the command side, never visible to learnstream_reader.
    await q.query(`
      CREATE TABLE username_index (
        username_hmac bytea PRIMARY KEY,
        user_id uuid NOT NULL UNIQUE,
        claimed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE auth_sessions (
        session_id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        real_actor_id uuid,
        impersonation_reason_event uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason text
      )`);
    await q.query(`CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id) WHERE revoked_at IS NULL`);
    await q.query(`
      CREATE TABLE refresh_tokens (
        token_hash bytea PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES auth_sessions (session_id) ON DELETE CASCADE,
        issued_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id)`);

    // --- Read models (projections), tenant-isolated.
    await q.query(`
      CREATE TABLE schools (
        school_id uuid PRIMARY KEY,
        name text NOT NULL,
        code text NOT NULL,
        country text,
        created_at timestamptz NOT NULL,
        archived_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE school_classes (
        class_id uuid PRIMARY KEY,
        school_id uuid NOT NULL,
        name text NOT NULL,
        grade_level text,
        created_at timestamptz NOT NULL,
        archived_at timestamptz
      )`);
    await q.query(`CREATE INDEX school_classes_school_idx ON school_classes (school_id)`);
    await q.query(`
      CREATE TABLE school_memberships (
        membership_id uuid PRIMARY KEY,
        school_id uuid NOT NULL,
        user_id uuid NOT NULL,
        role text NOT NULL CHECK (role IN ('learner', 'teacher', 'school_admin')),
        class_id uuid,
        grade_level text,
        started_at timestamptz NOT NULL,
        ended_at timestamptz
      )`);
    await q.query(`CREATE INDEX school_memberships_user_idx ON school_memberships (user_id)`);
    await q.query(`CREATE INDEX school_memberships_school_idx ON school_memberships (school_id, role)`);
    await q.query(`
      CREATE TABLE accounts (
        user_id uuid PRIMARY KEY,
        username text NOT NULL,
        display_name text,
        given_name text,
        family_name text,
        email text,
        phone text,
        date_of_birth date,
        gender text,
        national_id text,
        country text,
        interests jsonb NOT NULL DEFAULT '[]',
        platform_roles text[] NOT NULL DEFAULT '{}',
        status text NOT NULL DEFAULT 'active',
        origin text NOT NULL,
        opened_by uuid,
        opened_in_school uuid,
        consent_recorded jsonb,
        parental_consent_at timestamptz,
        must_change_password boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        last_login_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE parent_links (
        link_id uuid PRIMARY KEY,
        parent_id uuid NOT NULL,
        child_id uuid NOT NULL,
        status text NOT NULL CHECK (status IN ('requested', 'confirmed', 'rejected', 'revoked')),
        requested_by uuid NOT NULL,
        requested_at timestamptz NOT NULL,
        decided_by uuid,
        decided_at timestamptz
      )`);
    await q.query(`CREATE INDEX parent_links_parent_idx ON parent_links (parent_id)`);
    await q.query(`CREATE INDEX parent_links_child_idx ON parent_links (child_id)`);

    await q.query(`GRANT SELECT ON schools, school_classes, school_memberships, accounts, parent_links, course_log TO learnstream_reader`);
    for (const table of ['schools', 'school_classes', 'school_memberships', 'course_log']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY tenant_isolation ON ${table} TO learnstream_reader USING (ls_scope_all() OR school_id = ANY (ls_school_ids()))`);
    }
    // A person is visible to a reader in a school they belong to, and to themself and their linked parents.
    await q.query(`ALTER TABLE accounts ENABLE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY tenant_isolation ON accounts TO learnstream_reader USING (
        ls_scope_all() OR user_id = ANY (ls_user_ids())
        OR EXISTS (SELECT 1 FROM school_memberships m WHERE m.user_id = accounts.user_id AND m.school_id = ANY (ls_school_ids())))`);
    await q.query(`ALTER TABLE parent_links ENABLE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY tenant_isolation ON parent_links TO learnstream_reader USING (
        ls_scope_all() OR parent_id = ANY (ls_user_ids()) OR child_id = ANY (ls_user_ids())
        OR EXISTS (SELECT 1 FROM school_memberships m WHERE m.user_id = parent_links.child_id AND m.school_id = ANY (ls_school_ids())))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE parent_links, accounts, school_memberships, school_classes, schools, refresh_tokens, auth_sessions, username_index`);
    await q.query(`DROP POLICY IF EXISTS tenant_isolation ON course_log`);
    await q.query(`ALTER TABLE course_log DISABLE ROW LEVEL SECURITY`);
    await q.query(`REVOKE SELECT ON course_log FROM learnstream_reader`);
    await q.query(`DROP FUNCTION ls_scope_all(), ls_school_ids(), ls_user_ids()`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM learnstream_reader`);
  }
}
