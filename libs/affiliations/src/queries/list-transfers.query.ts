import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import { AffiliationsRepository } from '../affiliations.repository';
import type { TransferStatus } from '../transfer';
import { transferViewOfRow, type TransferRow, type TransferView } from '../views';

const COLUMNS = `t.*, s.name AS to_school_name`;

/**
 * A school's transfers: the accounts it asked to join (incoming) and the
 * learners other schools asked away from it (outgoing: the sending school sees
 * them). School admins and platform admins.
 */
export class ListSchoolTransfersQuery extends Query<{ transfers: TransferView[] }> {
  constructor(
    readonly actor: Actor,
    readonly schoolId: string,
    readonly status: TransferStatus | null,
  ) {
    super();
  }
}

@QueryHandler(ListSchoolTransfersQuery)
export class ListSchoolTransfersHandler implements IQueryHandler<ListSchoolTransfersQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly tenants: TenantDb,
  ) {}

  async execute({ actor, schoolId, status }: ListSchoolTransfersQuery) {
    await this.policy.require(actor, { action: 'school.manage', schoolId });
    const platform = (await this.policy.factsOf(actor)).platformRoles.includes('platform_admin');
    const rows: TransferRow[] = await this.tenants.read(await this.policy.scopeOf(actor), (db) =>
      db.query(
        `SELECT ${COLUMNS} FROM school_transfers t LEFT JOIN schools s ON s.school_id = t.to_school_id
          WHERE (t.to_school_id = $1 OR t.from_school_id = $1) AND ($2::text IS NULL OR t.status = $2)
          ORDER BY t.requested_at, t.transfer_id`,
        [schoolId, status],
      ),
    );
    return { transfers: rows.map((r) => transferViewOfRow(r, platform ? 'person' : r.to_school_id === schoolId ? 'to' : 'from')) };
  }
}

/** The transfers asking the caller, or their minor children, to join a school: what they have to decide. */
export class ListMyTransfersQuery extends Query<{ transfers: TransferView[] }> {
  constructor(
    readonly actor: Actor,
    readonly status: TransferStatus | null,
  ) {
    super();
  }
}

@QueryHandler(ListMyTransfersQuery)
export class ListMyTransfersHandler implements IQueryHandler<ListMyTransfersQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly tenants: TenantDb,
    private readonly repo: AffiliationsRepository,
  ) {}

  async execute({ actor, status }: ListMyTransfersQuery) {
    const me = await this.policy.factsOf(actor);
    const people = [actor.userId, ...me.children];
    const scope = await this.policy.scopeOf(actor);
    // The asking school's name is shown to the person it asks, whatever their own school: read with its row.
    const rows: TransferRow[] = await this.tenants.read({ ...scope, userIds: people }, (db) =>
      db.query(
        `SELECT t.* FROM school_transfers t WHERE t.user_id = ANY ($1::uuid[]) AND ($2::text IS NULL OR t.status = $2) ORDER BY t.requested_at, t.transfer_id`,
        [people, status],
      ),
    );
    const names = await this.repo.schoolNames(rows.map((r) => r.to_school_id));
    return { transfers: rows.map((r) => transferViewOfRow({ ...r, to_school_name: names.get(r.to_school_id) ?? null }, 'person')) };
  }
}
