/**
 * Every time support acted as this user: who, when, why, and when it ended
 * (read from the user's own stream). For the DPO and platform admins, the
 * staff member's IP and user agent where the session started and ended: they
 * are sealed under the staff member's own key (the request metadata of an
 * impersonated session is theirs), so this trail outlives the user's erasure.
 * The user sees who, when and why, not the staff member's metadata.
 */
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, ForbiddenError, type Actor } from '@learnstream/access';
import { AccountsRepository, userStream } from '../accounts.repository';

/** Where a request came from: the staff member's IP and user agent (null once past retention). */
export interface RequestOriginView {
  ip: string | null;
  userAgent: string | null;
}

export interface ImpersonationView {
  sessionId: string;
  by: string;
  reason: string | null;
  startedAt: string;
  endedAt: string | null;
  /** For the DPO and platform admins only, else null. */
  startedFrom: RequestOriginView | null;
  endedFrom: RequestOriginView | null;
}

export class ListImpersonationsQuery extends Query<ImpersonationView[]> {
  constructor(
    readonly actor: Actor,
    readonly userId: string,
  ) {
    super();
  }
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
    const staff = me.platformRoles.includes('dpo') || me.platformRoles.includes('platform_admin');
    const origin = (envelope: { ip: string | null; userAgent: string | null }): RequestOriginView | null => (staff ? { ip: envelope.ip, userAgent: envelope.userAgent } : null);
    const sessions = new Map<string, ImpersonationView>();
    for await (const e of this.accounts.log.readStream(userStream(userId))) {
      const d = e.data as { sessionId: string; by: string; reason?: string | null; at: string };
      if (e.type === 'ImpersonationStarted') {
        sessions.set(d.sessionId, { sessionId: d.sessionId, by: d.by, reason: d.reason ?? null, startedAt: d.at, endedAt: null, startedFrom: origin(e.envelope), endedFrom: null });
      }
      const session = sessions.get(d.sessionId);
      if (e.type === 'ImpersonationEnded' && session) Object.assign(session, { endedAt: d.at, endedFrom: origin(e.envelope) });
    }
    return [...sessions.values()];
  }
}
