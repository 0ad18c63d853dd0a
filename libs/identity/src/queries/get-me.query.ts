/**
 * The caller: their account, schools, children and roles; and, when
 * impersonated, who is really acting. Four statements with a cached session
 * check (issue 15): BEGIN, the caller's facts and tenant scope set in one
 * (AccessPolicy.readAs), the account with its classes in one, COMMIT.
 */
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor, type Membership } from '@learnstream/access';
import { Clock, DomainError } from '@learnstream/domain';
import { queryOne } from '@learnstream/database';
import { ACCOUNT_WITH_CLASSES_SQL, toAccountReadView, type AccountReadView, type AccountWithClassesRow } from './get-account.query';

export interface MeView {
  account: AccountReadView;
  memberships: Membership[];
  children: string[];
  impersonatedBy: string | null;
}

export class GetMeQuery {
  constructor(readonly actor: Actor) {}
}

@QueryHandler(GetMeQuery)
export class GetMeHandler implements IQueryHandler<GetMeQuery, MeView> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
  ) {}

  async execute({ actor }: GetMeQuery): Promise<MeView> {
    return this.policy.readAs(actor, async (db, me) => {
      // A person may always read themself (the policy says so without a query: the facts are read).
      await this.policy.require(actor, { action: 'user.read', userId: actor.userId });
      const row = await queryOne<AccountWithClassesRow>(db, ACCOUNT_WITH_CLASSES_SQL, [actor.userId]);
      if (!row) throw new DomainError('not_found', 'USER_NOT_FOUND', 'no such user');
      const account = toAccountReadView(row, this.policy.ageOfMajority, this.clock.now());
      return { account, memberships: me.memberships, children: me.children, impersonatedBy: actor.realActorId };
    });
  }
}
