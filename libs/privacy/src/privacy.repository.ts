/**
 * The privacy feature's streams: load and fold a request or a person's
 * privacy state, seal what is said about the person under their key, append
 * with the revision read (decided again on a concurrent change).
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { envelopeFor, type EventActor } from '@learnstream/access';
import { retryOnConflict } from '@learnstream/core/headless';
import type { DomainEvent } from '@learnstream/domain';
import { comparePositions, EventLog, type AppendResult, type Crud, type NewEvent, type Position } from '@learnstream/event-store';
import { personal } from '@learnstream/personal-data';
import { ProjectionRunner, SUBJECT_ERASED } from '@learnstream/projections/headless';
import { evolveRequest, initialRequest, requestNotFound, type RequestState } from './privacy-request';
import { evolveSubject, initialSubject, type SubjectState } from './privacy-subject';
import { privacyRequestStream, userStream, type PrivacyRequestEvent, type PrivacySubjectEvent } from './privacy.events';

type Who = EventActor | null;

const VERBS: Record<string, [action: string, crud: Crud]> = {
  PrivacyRequestFiled: ['requested', 'c'],
  PrivacyRequestApproved: ['approved', 'u'],
  PrivacyRequestRejected: ['rejected', 'u'],
  PrivacyRequestWithdrawn: ['withdrawn', 'u'],
  ErasureDeferred: ['deferred', 'u'],
  PrivacyRequestCompleted: ['completed', 'u'],
  ConsentGiven: ['consented', 'c'],
  ConsentWithdrawn: ['withdrew', 'u'],
  ProcessingRestricted: ['restricted', 'u'],
  ProcessingRestrictionLifted: ['unrestricted', 'u'],
  ProfilingObjected: ['objected', 'u'],
  ProfilingObjectionWithdrawn: ['withdrew', 'u'],
  LegalHoldPlaced: ['held', 'u'],
  LegalHoldLifted: ['released', 'u'],
  AccountCancelled: ['cancelled', 'd'],
  AccountLocked: ['locked', 'u'],
  PersonalDataExported: ['exported', 'r'],
  [SUBJECT_ERASED]: ['erased', 'd'],
};

/**
 * A request event for the log: the details and reasons sealed with the subject's key, or a reason with
 * `reasonsOf`'s (an officer's decision about an erased person, whose keys are gone).
 */
export function requestEvent(actor: Who, event: PrivacyRequestEvent, reasonsOf: string = event.data.subjectId): NewEvent {
  const data: Record<string, unknown> = { ...event.data };
  if ('details' in data && data.details !== null) data.details = personal(event.data.subjectId, data.details);
  if ('reason' in data && data.reason !== null) data.reason = personal(reasonsOf, data.reason);
  const [action, crud] = VERBS[event.type];
  return {
    type: event.type,
    data,
    envelope: envelopeFor(actor, { action, crud, object: { type: 'privacy_request', id: event.data.requestId }, relatedUserId: event.data.subjectId }),
  };
}

/**
 * A person's event for their user stream. SubjectErased names no related
 * user (the person is gone: no read model is to get a row for them from it)
 * and has their request as its object.
 */
export function subjectEvent(actor: Who, event: PrivacySubjectEvent | DomainEvent): NewEvent {
  const data: Record<string, unknown> = { ...(event.data as Record<string, unknown>) };
  const userId = String(data.userId);
  if (event.type === 'LegalHoldPlaced' && data.reason !== null) data.reason = personal(userId, data.reason);
  const [action, crud] = VERBS[event.type] ?? ['updated', 'u'];
  const erased = event.type === SUBJECT_ERASED;
  return {
    type: event.type,
    data,
    envelope: envelopeFor(actor, {
      action,
      crud,
      object: erased ? { type: 'privacy_request', id: String(data.requestId) } : { type: 'user', id: userId },
      relatedUserId: erased ? null : userId,
    }),
  };
}

@Injectable()
export class PrivacyRepository {
  constructor(
    readonly log: EventLog,
    @Optional() @Inject(ProjectionRunner) private readonly runner?: ProjectionRunner,
  ) {}

  loadRequest(requestId: string): Promise<{ state: RequestState; revision: bigint | null }> {
    return this.log.aggregate(privacyRequestStream(requestId), initialRequest(), evolveRequest);
  }

  loadSubject(userId: string): Promise<{ state: SubjectState; revision: bigint | null }> {
    return this.log.aggregate(userStream(userId), initialSubject(), evolveSubject);
  }

  /** Decides on the request's current state and appends; decided again on a concurrent change. */
  async changeRequest(
    requestId: string,
    actor: Who,
    decide: (state: RequestState) => PrivacyRequestEvent[],
    reasonsOf?: (state: RequestState) => Promise<string | undefined>,
  ): Promise<{ state: RequestState; result: AppendResult | null }> {
    return retryOnConflict(async () => {
      const { state, revision } = await this.loadRequest(requestId);
      const events = decide(state);
      if (!events.length) return { state, result: null };
      const sealer = await reasonsOf?.(state);
      const result = await this.log.append(privacyRequestStream(requestId), events.map((e) => requestEvent(actor, e, sealer)), { expectedRevision: revision ?? 'no_stream' });
      return { state: events.reduce(evolveRequest, state), result };
    });
  }

  /** Decides on the person's privacy state and appends to their user stream. */
  async changeSubject(
    userId: string,
    actor: Who,
    decide: (state: SubjectState) => (PrivacySubjectEvent | DomainEvent)[],
  ): Promise<{ state: SubjectState; result: AppendResult | null }> {
    return retryOnConflict(async () => {
      const { state, revision } = await this.loadSubject(userId);
      const events = decide(state);
      if (!events.length) return { state, result: null };
      const result = await this.log.append(userStream(userId), events.map((e) => subjectEvent(actor, e)), { expectedRevision: revision ?? 'no_stream' });
      return { state: events.reduce(evolveSubject, state), result };
    });
  }

  /**
   * Decides on a request and its subject together and appends both parts in
   * one atomic batch (a decision and what carries it out: an approval with the
   * restriction, the correction, the completion); decided again on a
   * concurrent change of either stream.
   */
  async changeRequestAndSubject(
    requestId: string,
    actor: Who,
    decide: (request: RequestState, subject: SubjectState) => { request: PrivacyRequestEvent[]; subject: (PrivacySubjectEvent | DomainEvent)[] },
  ): Promise<{ state: RequestState; result: AppendResult | null }> {
    return retryOnConflict(async () => {
      const { state, revision } = await this.loadRequest(requestId);
      if (!state.exists) throw requestNotFound();
      const subjectId = state.subjectId!;
      const { state: person, revision: personRevision } = await this.loadSubject(subjectId);
      const events = decide(state, person);
      const writes = [
        ...(events.request.length ? [{ streamId: privacyRequestStream(requestId), events: events.request.map((e) => requestEvent(actor, e)), expectedRevision: revision ?? ('no_stream' as const) }] : []),
        ...(events.subject.length ? [{ streamId: userStream(subjectId), events: events.subject.map((e) => subjectEvent(actor, e)), expectedRevision: personRevision ?? ('no_stream' as const) }] : []),
      ];
      if (!writes.length) return { state, result: null };
      const results = await this.log.appendBatch(writes);
      return { state: events.request.reduce(evolveRequest, state), result: results.reduce((a, b) => (comparePositions(a.position, b.position) >= 0 ? a : b)) };
    });
  }

  /** Read-your-writes: waits briefly for the read models (never fails a done command). */
  async settle(position: Position | null | undefined): Promise<void> {
    if (position && this.runner) await this.runner.settle(position);
  }
}
