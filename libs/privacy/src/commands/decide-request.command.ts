/**
 * The DPO approves or rejects a request (with a reason); the requester or the
 * subject may withdraw it while it is pending. Approving carries it out:
 *
 *   export         the export becomes available (GET /privacy/requests/:id/export)
 *   rectification  the corrections are applied (the identity feature's ProfileUpdated)
 *   erasure        crypto-shredding (ErasureService), or deferred under a legal hold
 *   restriction    ProcessingRestricted: out of reports and statistics, kept
 *   objection      ProfilingObjected: no profiling, no at-risk flags
 *
 * The approval and what carries it out are one atomic append (the request's
 * stream and the subject's together); an erasure, whose key destruction is in
 * another database, is a series that converges (approveErasure). Approving a
 * request already approved carries it out again: every step is idempotent.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { DomainError, Clock, type DomainEvent } from '@learnstream/domain';
import type { AppendResult } from '@learnstream/event-store';
import { ErasureService, LegalHoldError } from '../erasure.service';
import { decideRequest, evolveRequest, type RequestState } from '../privacy-request';
import { decideSubject, type SubjectState } from '../privacy-subject';
import type { PrivacyRequestEvent, PrivacySubjectEvent } from '../privacy.events';
import { PrivacyReader } from '../privacy.reader';
import { PrivacyRepository } from '../privacy.repository';
import { profileUpdated } from '../rectification';
import { requireOfficer } from '../representation';
import type { RequestView } from '../views';

export class ApprovePrivacyRequestCommand {
  constructor(
    readonly actor: Actor,
    readonly requestId: string,
    readonly reason: string | null,
  ) {}
}

export class RejectPrivacyRequestCommand {
  constructor(
    readonly actor: Actor,
    readonly requestId: string,
    readonly reason: string,
  ) {}
}

export class WithdrawPrivacyRequestCommand {
  constructor(
    readonly actor: Actor,
    readonly requestId: string,
  ) {}
}

@CommandHandler(ApprovePrivacyRequestCommand)
export class ApprovePrivacyRequestHandler implements ICommandHandler<ApprovePrivacyRequestCommand, RequestView> {
  constructor(
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly policy: AccessPolicy,
    private readonly repo: PrivacyRepository,
    private readonly reader: PrivacyReader,
    private readonly erasure: ErasureService,
  ) {}

  async execute({ actor, requestId, reason }: ApprovePrivacyRequestCommand): Promise<RequestView> {
    await requireOfficer(this.policy, actor);
    const now = this.clock.now();
    const { state: current } = await this.repo.loadRequest(requestId);
    if (!current.exists) throw new DomainError('not_found', 'REQUEST_NOT_FOUND', 'no such privacy request');
    if (current.subjectId === actor.userId) throw new DomainError('forbidden', 'OWN_REQUEST', 'a privacy officer cannot decide a request about themself');
    // An approved request (an older version's execution failed half-way) is carried out again.
    const approve = (s: RequestState) => (s.status === 'approved' ? [] : decideRequest({ type: 'Approve', by: actor.userId, reason, now }, s));
    const result =
      current.type === 'erasure'
        ? await this.approveErasure(actor, requestId, approve, now)
        : (await this.repo.changeRequestAndSubject(requestId, actor, (request, subject) => this.carryOut(actor, request, subject, approve(request), now))).result;
    await this.repo.settle(result?.position);
    return this.reader.request(requestId);
  }

  /** The approval, what carries it out on the subject, and the completion: appended together (one atomic batch). */
  private carryOut(actor: Actor, request: RequestState, subject: SubjectState, approval: PrivacyRequestEvent[], now: Date): { request: PrivacyRequestEvent[]; subject: (PrivacySubjectEvent | DomainEvent)[] } {
    const requestId = request.requestId!;
    const subjectId = request.subjectId!;
    const approved = approval.reduce(evolveRequest, request);
    const done = (outcome: 'export_ready' | 'rectified' | 'restricted' | 'objected') => [...approval, ...decideRequest({ type: 'Complete', outcome, now }, approved)];
    switch (request.type!) {
      case 'export':
        return { request: done('export_ready'), subject: [] };
      case 'rectification': {
        const changes = request.details?.changes;
        if (!changes) throw new DomainError('rule', 'NOTHING_TO_RECTIFY', 'the request’s corrections are gone (the subject was erased)');
        if (subject.erased) throw new DomainError('conflict', 'SUBJECT_ERASED', 'this person has been erased');
        return { request: done('rectified'), subject: [profileUpdated(subjectId, changes, now, this.config.auth.ageOfMajority)] };
      }
      case 'restriction':
        return { request: done('restricted'), subject: decideSubject({ type: 'Restrict', userId: subjectId, requestId, by: actor.userId, now }, subject) };
      case 'objection':
        return { request: done('objected'), subject: decideSubject({ type: 'ObjectToProfiling', userId: subjectId, requestId, now }, subject) };
      case 'erasure':
        throw new Error('an erasure is carried out by approveErasure');
    }
  }

  /**
   * An erasure: under a legal hold, the approval and the deferral are one
   * append. Otherwise the approval is recorded, then the erasure runs: its key
   * destruction is in another database (the key store, with the ledger) and
   * cannot share a transaction with the log, so it is a series that converges
   * instead: a crash after the approval leaves an approved request that the
   * retention sweep completes, a crash after the key destruction one that
   * every start completes (ErasureReplay); approving again carries it out.
   */
  private async approveErasure(actor: Actor, requestId: string, approve: (s: RequestState) => PrivacyRequestEvent[], now: Date): Promise<AppendResult | null> {
    const defer = (request: RequestState, holdId: string) => (request.status === 'deferred' ? [] : decideRequest({ type: 'Defer', holdId, now }, request));
    const approved = await this.repo.changeRequestAndSubject(requestId, actor, (request, subject) => {
      const approval = approve(request);
      return { request: subject.hold ? [...approval, ...defer(approval.reduce(evolveRequest, request), subject.hold.holdId)] : approval, subject: [] };
    });
    if (approved.state.status === 'deferred') return approved.result;
    try {
      return (await this.erasure.erase(requestId, actor, now)) ?? approved.result;
    } catch (error) {
      // A hold placed since: the request waits for it.
      if (!(error instanceof LegalHoldError)) throw error;
      const holdId = error.holdId;
      return (await this.repo.changeRequest(requestId, actor, (s) => defer(s, holdId))).result;
    }
  }
}

@CommandHandler(RejectPrivacyRequestCommand)
export class RejectPrivacyRequestHandler implements ICommandHandler<RejectPrivacyRequestCommand, RequestView> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly repo: PrivacyRepository,
    private readonly reader: PrivacyReader,
  ) {}

  async execute({ actor, requestId, reason }: RejectPrivacyRequestCommand): Promise<RequestView> {
    await requireOfficer(this.policy, actor);
    // The reason is sealed with the subject's key; an erased person's (a request of theirs still open when they were
    // erased: nothing left to carry out) are gone, so it is sealed with the officer's, or the request could never close.
    const reasonsOf = async (s: RequestState) => ((await this.repo.loadSubject(s.subjectId!)).state.erased ? actor.userId : undefined);
    const { result } = await this.repo.changeRequest(requestId, actor, (s) => decideRequest({ type: 'Reject', by: actor.userId, reason, now: this.clock.now() }, s), reasonsOf);
    await this.repo.settle(result?.position);
    return this.reader.request(requestId);
  }
}

@CommandHandler(WithdrawPrivacyRequestCommand)
export class WithdrawPrivacyRequestHandler implements ICommandHandler<WithdrawPrivacyRequestCommand, RequestView> {
  constructor(
    private readonly clock: Clock,
    private readonly repo: PrivacyRepository,
    private readonly reader: PrivacyReader,
  ) {}

  async execute({ actor, requestId }: WithdrawPrivacyRequestCommand): Promise<RequestView> {
    const { state } = await this.repo.loadRequest(requestId);
    // Only the requester or the subject; anyone else learns nothing about the request.
    if (!state.exists || actor.realActorId || (state.filedBy !== actor.userId && state.subjectId !== actor.userId)) {
      throw new DomainError('not_found', 'REQUEST_NOT_FOUND', 'no such privacy request');
    }
    const { result } = await this.repo.changeRequest(requestId, actor, (s) => decideRequest({ type: 'Withdraw', by: actor.userId, now: this.clock.now() }, s));
    await this.repo.settle(result?.position);
    return this.reader.request(requestId);
  }
}
