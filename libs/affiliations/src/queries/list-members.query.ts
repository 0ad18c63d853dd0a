import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor, type SchoolRole } from '@learnstream/access';
import { EventLog } from '@learnstream/event-store';
import { accessPurposeOf, recordPersonalDataAccess } from '@learnstream/privacy';
import { memberViewOfRow, type DirectoryView, type MemberRow, type MemberView } from '../views';

export interface MemberFilter {
  role: SchoolRole | null;
  classId: string | null;
  includeEnded: boolean;
}

export class ListMembersQuery extends Query<{ members: MemberView[]; restricted: number }> {
  constructor(
    readonly actor: Actor,
    readonly schoolId: string,
    readonly filter: MemberFilter,
  ) {
    super();
  }
}

/**
 * A school's directory, by need to know:
 *   teacher        userId, username, displayName, role, classId, gradeLevel of active members: no contact data
 *   platform admin the same, with the membership's id and dates, and past members on request
 *   school admin   all of that, and the email (contact data is the school's own business)
 * Contact data a reader may not see is not even selected. The read is
 * recorded for the access audit (PersonalDataAccessed: every member listed).
 * Members whose processing is restricted are left out, and counted in
 * `restricted` (AccessPolicy.restrictedFrom).
 */
@QueryHandler(ListMembersQuery)
export class ListMembersHandler implements IQueryHandler<ListMembersQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly tenants: TenantDb,
    private readonly log: EventLog,
  ) {}

  async execute({ actor, schoolId, filter }: ListMembersQuery) {
    await this.policy.require(actor, { action: 'user.directory', schoolId });
    const me = await this.policy.factsOf(actor);
    const view: DirectoryView = me.memberships.some((m) => m.schoolId === schoolId && m.role === 'school_admin')
      ? 'school_admin'
      : me.platformRoles.includes('platform_admin')
        ? 'platform_admin'
        : 'teacher';
    const includeEnded = view !== 'teacher' && filter.includeEnded;
    const all: MemberRow[] = await this.tenants.read(await this.policy.scopeOf(actor), (db) =>
      db.query(
        `SELECT m.membership_id, m.user_id, m.role, m.class_id, m.grade_level, m.started_at, m.ended_at,
                a.username, a.display_name, ${view === 'school_admin' ? 'a.email' : 'NULL AS email'}
           FROM school_memberships m LEFT JOIN accounts a ON a.user_id = m.user_id
          WHERE m.school_id = $1 AND ($2::text IS NULL OR m.role = $2) AND ($3::uuid IS NULL OR m.class_id = $3) AND ($4 OR m.ended_at IS NULL)
          ORDER BY a.display_name NULLS LAST, m.user_id, m.started_at`,
        [schoolId, filter.role, filter.classId, includeEnded],
      ),
    );
    // Restricted people are left out (and counted), not read.
    const hidden = await this.policy.restrictedFrom(actor, all.map((r) => r.user_id));
    const rows = all.filter((r) => !hidden.has(r.user_id));
    await recordPersonalDataAccess(this.log, actor, {
      subjectIds: rows.map((r) => r.user_id),
      what: 'directory',
      purpose: accessPurposeOf(me),
      schoolId,
    });
    return { members: rows.map((r) => memberViewOfRow(r, view)), restricted: hidden.size };
  }
}
