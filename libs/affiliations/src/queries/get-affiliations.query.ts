import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import { affiliationViewOfRow, type AffiliationView } from '../views';

export class GetAffiliationsQuery extends Query<{ affiliations: AffiliationView[] }> {
  constructor(
    readonly actor: Actor,
    readonly userId: string,
  ) {
    super();
  }
}

/**
 * A person's memberships, current and past, oldest first. Row-level security
 * still applies: memberships in schools outside the reader's scope (a
 * learner's former school, for the learner) are not shown.
 */
@QueryHandler(GetAffiliationsQuery)
export class GetAffiliationsHandler implements IQueryHandler<GetAffiliationsQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly tenants: TenantDb,
  ) {}

  async execute({ actor, userId }: GetAffiliationsQuery) {
    await this.policy.require(actor, { action: 'user.read', userId });
    const rows = await this.tenants.read(await this.policy.scopeOf(actor), (db) =>
      db.query(
        `SELECT m.*, s.name AS school_name, s.code AS school_code, c.name AS class_name
           FROM school_memberships m
           LEFT JOIN schools s ON s.school_id = m.school_id
           LEFT JOIN school_classes c ON c.class_id = m.class_id
          WHERE m.user_id = $1
          ORDER BY m.started_at, m.membership_id`,
        [userId],
      ),
    );
    return { affiliations: rows.map(affiliationViewOfRow) };
  }
}
