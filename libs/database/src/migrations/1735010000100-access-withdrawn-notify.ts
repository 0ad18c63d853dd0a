import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Withdrawn access is pushed like an ended session: taking a teacher off a
 * course (a course_staff row deleted or its role changed) or ending a school
 * membership (ended, deleted, or its role changed) notifies
 * `learnstream_sessions` with `a:<user id>` at commit, and every process has
 * the long-lived responses of that user (the live course log) ask the access
 * policy again at once instead of at their next periodic recheck
 * (SessionRevocations in libs/access).
 */
export class AccessWithdrawnNotify1735010000100 implements MigrationInterface {
  name = 'AccessWithdrawnNotify1735010000100';

  async up(q: QueryRunner): Promise<void> {
    // One function per table (PL/pgSQL resolves OLD.ended_at against the row type of the table that fired).
    await q.query(`
      CREATE FUNCTION notify_course_staff_withdrawn() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          PERFORM pg_notify('learnstream_sessions', 'a:' || OLD.user_id::text);
        ELSIF NEW.role IS DISTINCT FROM OLD.role THEN
          PERFORM pg_notify('learnstream_sessions', 'a:' || OLD.user_id::text);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION notify_membership_withdrawn() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          PERFORM pg_notify('learnstream_sessions', 'a:' || OLD.user_id::text);
        ELSIF NEW.role IS DISTINCT FROM OLD.role OR (OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL) THEN
          PERFORM pg_notify('learnstream_sessions', 'a:' || OLD.user_id::text);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER course_staff_withdrawn AFTER UPDATE OF role OR DELETE ON course_staff
      FOR EACH ROW EXECUTE FUNCTION notify_course_staff_withdrawn()`);
    await q.query(`
      CREATE TRIGGER school_memberships_withdrawn AFTER UPDATE OF role, ended_at OR DELETE ON school_memberships
      FOR EACH ROW EXECUTE FUNCTION notify_membership_withdrawn()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER school_memberships_withdrawn ON school_memberships');
    await q.query('DROP TRIGGER course_staff_withdrawn ON course_staff');
    await q.query('DROP FUNCTION notify_membership_withdrawn()');
    await q.query('DROP FUNCTION notify_course_staff_withdrawn()');
  }
}
