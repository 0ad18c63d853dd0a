import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import { classViewOfRow, type ClassView } from '../views';

export class ListClassesQuery extends Query<{ classes: ClassView[] }> {
  constructor(
    readonly actor: Actor,
    readonly schoolId: string,
    readonly includeArchived: boolean,
  ) {
    super();
  }
}

@QueryHandler(ListClassesQuery)
export class ListClassesHandler implements IQueryHandler<ListClassesQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly tenants: TenantDb,
  ) {}

  async execute({ actor, schoolId, includeArchived }: ListClassesQuery) {
    await this.policy.require(actor, { action: 'school.read', schoolId });
    const rows = await this.tenants.read(await this.policy.scopeOf(actor), (db) =>
      db.query(`SELECT * FROM school_classes WHERE school_id = $1 AND ($2 OR archived_at IS NULL) ORDER BY grade_level NULLS LAST, name, class_id`, [schoolId, includeArchived]),
    );
    return { classes: rows.map(classViewOfRow) };
  }
}
