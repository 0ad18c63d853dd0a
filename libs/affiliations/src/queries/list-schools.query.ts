import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import { schoolViewOfRow, type SchoolView } from '../views';

export class ListSchoolsQuery extends Query<{ schools: SchoolView[] }> {
  constructor(
    readonly actor: Actor,
    readonly includeArchived: boolean,
  ) {
    super();
  }
}

/** The caller's schools (all of them for a platform admin): no WHERE on the tenant, row-level security filters. */
@QueryHandler(ListSchoolsQuery)
export class ListSchoolsHandler implements IQueryHandler<ListSchoolsQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly tenants: TenantDb,
  ) {}

  async execute({ actor, includeArchived }: ListSchoolsQuery) {
    const rows = await this.tenants.read(await this.policy.scopeOf(actor), (db) =>
      db.query(`SELECT * FROM schools WHERE $1 OR archived_at IS NULL ORDER BY name, school_id`, [includeArchived]),
    );
    return { schools: rows.map(schoolViewOfRow) };
  }
}
