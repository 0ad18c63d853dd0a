import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import { DomainError } from '@learnstream/domain';
import { schoolViewOfRow, type SchoolView } from '../views';

export class GetSchoolQuery extends Query<SchoolView> {
  constructor(
    readonly actor: Actor,
    readonly schoolId: string,
  ) {
    super();
  }
}

@QueryHandler(GetSchoolQuery)
export class GetSchoolHandler implements IQueryHandler<GetSchoolQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly tenants: TenantDb,
  ) {}

  async execute({ actor, schoolId }: GetSchoolQuery) {
    await this.policy.require(actor, { action: 'school.read', schoolId });
    const [row] = await this.tenants.read(await this.policy.scopeOf(actor), (db) => db.query(`SELECT * FROM schools WHERE school_id = $1`, [schoolId]));
    if (!row) throw new DomainError('not_found', 'SCHOOL_NOT_FOUND', 'no such school');
    return schoolViewOfRow(row);
  }
}
