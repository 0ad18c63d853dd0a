import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, ForbiddenError, TenantDb, type Actor, type SchoolRole } from '@learnstream/access';
import { decodeKeyCursor, encodeKeyCursor } from '@learnstream/core';
import { DomainError } from '@learnstream/domain';
import { EventLog } from '@learnstream/event-store';
import { accessPurposeOf, recordPersonalDataAccess } from '@learnstream/privacy';
import { memberViewOfRow, type DirectoryView, type MemberRow, type MembersPage } from '../views';

export interface MemberFilter {
  role: SchoolRole | null;
  classId: string | null;
  includeEnded: boolean;
  /** The member whose account the school opened with this external id. */
  idNumber?: string | null;
  limit?: number;
  /** The nextCursor of the page before. */
  cursor?: string;
}

export class ListMembersQuery extends Query<Omit<MembersPage, 'next'>> {
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
    // An external id is never shown to a teacher: finding who holds one would tell it all the same.
    if (view === 'teacher' && filter.idNumber != null) throw new ForbiddenError('only the school’s admins and platform admins may find members by their external id (idNumber)');
    const includeEnded = view !== 'teacher' && filter.includeEnded;
    const limit = filter.limit ?? 100;
    // The directory's order: display name (none last), then the person, then the membership: a page starts after the last one's key.
    const after = filter.cursor === undefined ? null : decodeKeyCursor(filter.cursor, 3);
    if (after && !(typeof after[0] === 'string' && typeof after[1] === 'string' && typeof after[2] === 'string')) throw new DomainError('invalid', 'VALIDATION_FAILED', 'cursor is not a cursor this list gave');
    const from = `FROM school_memberships m LEFT JOIN accounts a ON a.user_id = m.user_id
          WHERE m.school_id = $1 AND ($2::text IS NULL OR m.role = $2) AND ($3::uuid IS NULL OR m.class_id = $3) AND ($4 OR m.ended_at IS NULL)
            AND ($5::text IS NULL OR (a.id_number = $5 AND a.opened_in_school = $1))`;
    const sortKey = `(CASE WHEN a.display_name IS NULL THEN '1' ELSE '0' || a.display_name END), m.user_id::text, m.membership_id::text`;
    const params = [schoolId, filter.role, filter.classId, includeEnded, filter.idNumber ?? null];
    const [rows, everyone]: [(MemberRow & { sort_name: string })[], { user_id: string }[]] = await this.tenants.read(await this.policy.scopeOf(actor), async (db) => [
      await db.query(
        `SELECT m.membership_id, m.user_id, m.role, m.class_id, m.grade_level, m.started_at, m.ended_at,
                a.username, a.display_name, ${view === 'school_admin' ? 'a.email' : 'NULL AS email'},
                CASE WHEN a.display_name IS NULL THEN '1' ELSE '0' || a.display_name END AS sort_name
           ${from} AND ($6::text IS NULL OR (${sortKey}) > ($6::text, $7::text, $8::text))
          ORDER BY ${sortKey} LIMIT $9`,
        [...params, after?.[0] ?? null, after?.[1] ?? null, after?.[2] ?? null, limit + 1],
      ),
      await db.query(`SELECT m.user_id ${from}`, params),
    ]);
    // Restricted people are left out (and counted), not read: from the total, and from the page.
    const hidden = await this.policy.restrictedFrom(actor, everyone.map((r) => r.user_id));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const shown = page.filter((r) => !hidden.has(r.user_id));
    await recordPersonalDataAccess(this.log, actor, {
      subjectIds: shown.map((r) => r.user_id),
      what: 'directory',
      purpose: accessPurposeOf(me),
      schoolId,
    });
    return {
      members: shown.map((r) => memberViewOfRow(r, view)),
      total: everyone.filter((r) => !hidden.has(r.user_id)).length,
      restricted: hidden.size,
      nextCursor: rows.length > limit ? encodeKeyCursor([last.sort_name, last.user_id, last.membership_id]) : null,
    };
  }
}
