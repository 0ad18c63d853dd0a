import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Session revocations are pushed: whatever ends a session (logout, password
 * change, lock, a withdrawn role, cancellation, erasure, a reused refresh
 * token), the row's change notifies `learnstream_sessions` with `s:<session id>`
 * at commit, and every process drops it from its session cache and ends the
 * live streams it carries (SessionRevocations in libs/access).
 */
export class SessionRevocationNotify1733000600100 implements MigrationInterface {
  name = 'SessionRevocationNotify1733000600100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION notify_session_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' OR (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL) THEN
          PERFORM pg_notify('learnstream_sessions', 's:' || OLD.session_id::text);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER auth_sessions_revoked AFTER UPDATE OF revoked_at OR DELETE ON auth_sessions
      FOR EACH ROW EXECUTE FUNCTION notify_session_revoked()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER auth_sessions_revoked ON auth_sessions');
    await q.query('DROP FUNCTION notify_session_revoked()');
  }
}
