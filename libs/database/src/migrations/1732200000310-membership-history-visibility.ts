import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A learner (and their parent) may see the learner's own membership history,
 * including memberships of a school they have left: the tenant policy on
 * school_memberships also admits the rows of the people in the request's
 * user scope (the caller and their children).
 */
export class MembershipHistoryVisibility1732200000310 implements MigrationInterface {
  name = 'MembershipHistoryVisibility1732200000310';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY tenant_isolation ON school_memberships`);
    await q.query(`CREATE POLICY tenant_isolation ON school_memberships TO learnstream_reader USING (ls_scope_all() OR school_id = ANY (ls_school_ids()) OR user_id = ANY (ls_user_ids()))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY tenant_isolation ON school_memberships`);
    await q.query(`CREATE POLICY tenant_isolation ON school_memberships TO learnstream_reader USING (ls_scope_all() OR school_id = ANY (ls_school_ids()))`);
  }
}
