import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import type { ParentLinkStatus } from '../parent-link';
import { parentLinkViewOfRow, type ParentLinkView } from '../views';

const LINK_COLUMNS = `l.*, p.display_name AS parent_display_name, c.display_name AS child_display_name`;
const LINK_FROM = `parent_links l LEFT JOIN accounts p ON p.user_id = l.parent_id LEFT JOIN accounts c ON c.user_id = l.child_id`;

/**
 * A person's links, as parent and as child. A parent reading their own sees
 * their links as parent only once confirmed: a pending or rejected request
 * (perhaps made by username) must not tell them the child exists.
 */
export class ListUserParentLinksQuery extends Query<{ parentLinks: ParentLinkView[] }> {
  constructor(
    readonly actor: Actor,
    readonly userId: string,
  ) {
    super();
  }
}

@QueryHandler(ListUserParentLinksQuery)
export class ListUserParentLinksHandler implements IQueryHandler<ListUserParentLinksQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly tenants: TenantDb,
  ) {}

  async execute({ actor, userId }: ListUserParentLinksQuery) {
    await this.policy.require(actor, { action: 'user.read', userId });
    const rows = await this.tenants.read(await this.policy.scopeOf(actor), (db) =>
      db.query(
        `SELECT ${LINK_COLUMNS} FROM ${LINK_FROM}
          WHERE (l.parent_id = $1 AND (NOT $2 OR l.status = 'confirmed')) OR l.child_id = $1
          ORDER BY l.requested_at, l.link_id`,
        [userId, userId === actor.userId],
      ),
    );
    return { parentLinks: rows.map(parentLinkViewOfRow) };
  }
}

/** The links of a school's current learners: what its admins have to decide. */
export class ListSchoolParentLinksQuery extends Query<{ parentLinks: ParentLinkView[] }> {
  constructor(
    readonly actor: Actor,
    readonly schoolId: string,
    readonly status: ParentLinkStatus | null,
  ) {
    super();
  }
}

@QueryHandler(ListSchoolParentLinksQuery)
export class ListSchoolParentLinksHandler implements IQueryHandler<ListSchoolParentLinksQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly tenants: TenantDb,
  ) {}

  async execute({ actor, schoolId, status }: ListSchoolParentLinksQuery) {
    await this.policy.require(actor, { action: 'school.manage', schoolId });
    const rows = await this.tenants.read(await this.policy.scopeOf(actor), (db) =>
      db.query(
        `SELECT ${LINK_COLUMNS} FROM ${LINK_FROM}
          WHERE EXISTS (SELECT 1 FROM school_memberships m WHERE m.user_id = l.child_id AND m.school_id = $1 AND m.ended_at IS NULL)
            AND ($2::text IS NULL OR l.status = $2)
          ORDER BY l.requested_at, l.link_id`,
        [schoolId, status],
      ),
    );
    return { parentLinks: rows.map(parentLinkViewOfRow) };
  }
}
