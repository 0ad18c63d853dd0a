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
 * Approving a request already approved (its execution failed half-way)
 * carries it out again: every step is idempotent.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { DomainError, Clock } from '@learnstream/domain';
import type { AppendResult } from '@learnstream/event-store';
import { ErasureService, LegalHoldError } from '../erasure.service';
import { decideRequest, type RequestState } from '../privacy-request';
import { decideSubject } from '../privacy-subject';
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
    let state = current;
    let last: AppendResult | null = null;
    if (current.status !== 'approved') {
      const approved = await this.repo.changeRequest(requestId, actor, (s) => decideRequest({ type: 'Approve', by: actor.userId, reason, now }, s));
      state = approved.state;
      last = approved.result;
    }
    last = (await this.carryOut(actor, state, now)) ?? last;
    await this.repo.settle(last?.position);
    return this.reader.request(requestId);
  }

  private async carryOut(actor: Actor, request: RequestState, now: Date): Promise<AppendResult | null> {
    const requestId = request.requestId!;
    const subjectId = request.subjectId!;
    const complete = async (outcome: 'export_ready' | 'rectified' | 'restricted' | 'objected') =>
      (await this.repo.changeRequest(requestId, actor, (s) => (s.status === 'completed' ? [] : decideRequest({ type: 'Complete', outcome, now }, s)))).result;
    switch (request.type!) {
      case 'export':
        return complete('export_ready');
      case 'rectification': {
        const changes = request.details?.changes;
        if (!changes) throw new DomainError('rule', 'NOTHING_TO_RECTIFY', 'the request’s corrections are gone (the subject was erased)');
        await this.repo.changeSubject(subjectId, actor, (s) => {
          if (s.erased) throw new DomainError('conflict', 'SUBJECT_ERASED', 'this person has been erased');
          return [profileUpdated(subjectId, changes, now, this.config.auth.ageOfMajority)];
        });
        return complete('rectified');
      }
      case 'restriction':
        await this.repo.changeSubject(subjectId, actor, (s) => decideSubject({ type: 'Restrict', userId: subjectId, requestId, by: actor.userId, now }, s));
        return complete('restricted');
      case 'objection':
        await this.repo.changeSubject(subjectId, actor, (s) => decideSubject({ type: 'ObjectToProfiling', userId: subjectId, requestId, now }, s));
        return complete('objected');
      case 'erasure':
        try {
          return await this.erasure.erase(requestId, actor, now);
        } catch (error) {
          if (!(error instanceof LegalHoldError)) throw error;
          const holdId = error.holdId;
          return (await this.repo.changeRequest(requestId, actor, (s) => (s.status === 'deferred' ? [] : decideRequest({ type: 'Defer', holdId, now }, s)))).result;
        }
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
    const { result } = await this.repo.changeRequest(requestId, actor, (s) => decideRequest({ type: 'Reject', by: actor.userId, reason, now: this.clock.now() }, s));
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
