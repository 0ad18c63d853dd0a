/** The caller: their account, schools, children and roles; and, when impersonated, who is really acting. */
import { IQueryHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor, type Membership } from '@learnstream/access';
import { GetAccountQuery, type AccountView } from './get-account.query';

export interface MeView {
  account: AccountView;
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
    private readonly policy: AccessPolicy,
    private readonly queries: QueryBus,
  ) {}

  async execute({ actor }: GetMeQuery): Promise<MeView> {
    const account = await this.queries.execute(new GetAccountQuery(actor, actor.userId));
    const facts = await this.policy.factsOf(actor);
    return { account, memberships: facts.memberships, children: facts.children, impersonatedBy: actor.realActorId };
  }
}
