import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The open sessions in which someone acts as another user, by that someone:
 * the accounts read model ends them with the staff member's own sessions (a
 * lock, a withdrawn role, a cancellation) in the event's transaction, with
 * `user_id = $1 OR real_actor_id = $1`; with this index both sides are index
 * scans instead of a scan of every session.
 */
export class SessionsByRealActor1735010000200 implements MigrationInterface {
  name = 'SessionsByRealActor1735010000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX auth_sessions_real_actor_idx ON auth_sessions (real_actor_id) WHERE real_actor_id IS NOT NULL AND revoked_at IS NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX auth_sessions_real_actor_idx');
  }
}
