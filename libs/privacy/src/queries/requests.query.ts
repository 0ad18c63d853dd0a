/**
 * Reading requests: the caller's own (about them or filed by them), one
 * request (its subject, its requester, a parent or school admin standing for
 * the subject, the DPO), the DPO's queue, and an erasure's receipts (DPO).
 */
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { DomainError } from '@learnstream/domain';
import { PrivacyReader, type QueueFilter } from '../privacy.reader';
import { representationOf, requireOfficer } from '../representation';
import type { ReceiptView, RequestView } from '../views';

export class ListMyPrivacyRequestsQuery extends Query<{ requests: RequestView[] }> {
  constructor(readonly actor: Actor) {
    super();
  }
}

export class ListPrivacyQueueQuery extends Query<{ requests: RequestView[]; open: number; overdue: number }> {
  constructor(
    readonly actor: Actor,
    readonly filter: QueueFilter,
  ) {
    super();
  }
}

export class GetPrivacyRequestQuery {
  constructor(
    readonly actor: Actor,
    readonly requestId: string,
  ) {}
}

/** An erasure's receipts: which projections have forgotten the person. */
export interface ErasureReceipts {
  requestId: string;
  userId: string | null;
  status: RequestView['status'];
  complete: boolean;
  receipts: ReceiptView[];
}

export class GetErasureReceiptsQuery extends Query<ErasureReceipts> {
  constructor(
    readonly actor: Actor,
    readonly requestId: string,
  ) {
    super();
  }
}

const notFound = () => new DomainError('not_found', 'REQUEST_NOT_FOUND', 'no such privacy request');

/** The request, if the caller may see it; else REQUEST_NOT_FOUND (nothing said about others' requests). */
export async function visibleRequest(policy: AccessPolicy, reader: PrivacyReader, actor: Actor, requestId: string): Promise<RequestView> {
  const view = await reader.request(requestId).catch(() => null);
  if (!view) throw notFound();
  if (view.filedBy === actor.userId && !actor.realActorId) return view;
  if (!(await representationOf(policy, actor, view.subjectId))) throw notFound();
  return view;
}

@QueryHandler(ListMyPrivacyRequestsQuery)
export class ListMyPrivacyRequestsHandler implements IQueryHandler<ListMyPrivacyRequestsQuery> {
  constructor(private readonly reader: PrivacyReader) {}

  async execute({ actor }: ListMyPrivacyRequestsQuery): Promise<{ requests: RequestView[] }> {
    if (actor.realActorId) throw new DomainError('forbidden', 'FORBIDDEN', 'privacy requests are not shown under impersonation');
    return { requests: await this.reader.requestsOf(actor.userId) };
  }
}

@QueryHandler(ListPrivacyQueueQuery)
export class ListPrivacyQueueHandler implements IQueryHandler<ListPrivacyQueueQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly reader: PrivacyReader,
  ) {}

  async execute({ actor, filter }: ListPrivacyQueueQuery): Promise<{ requests: RequestView[]; open: number; overdue: number }> {
    await requireOfficer(this.policy, actor);
    const requests = await this.reader.queue(filter);
    const open = requests.filter((r) => r.daysLeft !== null);
    return { requests, open: open.length, overdue: open.filter((r) => r.overdue).length };
  }
}

@QueryHandler(GetPrivacyRequestQuery)
export class GetPrivacyRequestHandler implements IQueryHandler<GetPrivacyRequestQuery, RequestView> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly reader: PrivacyReader,
  ) {}

  execute({ actor, requestId }: GetPrivacyRequestQuery): Promise<RequestView> {
    return visibleRequest(this.policy, this.reader, actor, requestId);
  }
}

@QueryHandler(GetErasureReceiptsQuery)
export class GetErasureReceiptsHandler implements IQueryHandler<GetErasureReceiptsQuery> {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly reader: PrivacyReader,
  ) {}

  async execute({ actor, requestId }: GetErasureReceiptsQuery): Promise<ErasureReceipts> {
    await requireOfficer(this.policy, actor);
    const request = await this.reader.request(requestId);
    if (request.type !== 'erasure') throw new DomainError('rule', 'NOT_AN_ERASURE', 'receipts are kept for erasures');
    return { status: request.status, ...(await this.reader.receipts(requestId)) };
  }
}
