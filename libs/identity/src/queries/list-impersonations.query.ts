/** Every time support acted as this user: who, when, why, and when it ended (read from the user's own stream). */
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, ForbiddenError, type Actor } from '@learnstream/access';
import { AccountsRepository, userStream } from '../accounts.repository';

export interface ImpersonationView {
  sessionId: string;
  by: string;
  reason: string | null;
  startedAt: string;
  endedAt: string | null;
}

export class ListImpersonationsQuery {
  constructor(
    readonly actor: Actor,
    readonly userId: string,
  ) {}
}

@QueryHandler(ListImpersonationsQuery)
export class ListImpersonationsHandler implements IQueryHandler<ListImpersonationsQuery, ImpersonationView[]> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly accounts: AccountsRepository,
  ) {}

  async execute({ actor, userId }: ListImpersonationsQuery): Promise<ImpersonationView[]> {
    const me = await this.policy.factsOf(actor);
    const allowed = (userId === actor.userId && !actor.realActorId) || me.platformRoles.includes('dpo') || me.platformRoles.includes('platform_admin');
    if (!allowed) throw new ForbiddenError('only the user themself, the DPO or a platform admin may list impersonations');
    const sessions = new Map<string, ImpersonationView>();
    for await (const e of this.accounts.log.readStream(userStream(userId))) {
      const d = e.data as { sessionId: string; by: string; reason?: string | null; at: string };
      if (e.type === 'ImpersonationStarted') sessions.set(d.sessionId, { sessionId: d.sessionId, by: d.by, reason: d.reason ?? null, startedAt: d.at, endedAt: null });
      if (e.type === 'ImpersonationEnded' && sessions.has(d.sessionId)) sessions.get(d.sessionId)!.endedAt = d.at;
    }
    return [...sessions.values()];
  }
}
