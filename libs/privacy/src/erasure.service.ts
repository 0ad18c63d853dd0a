/**
 * Erasure by crypto-shredding (DESIGN.md), for an approved erasure request:
 *
 *   1. the subject's keys are destroyed (KeyStore.destroySubjectKeys, with the
 *      erasure ledger): every copy of their personal data in the log — their
 *      profile, answers, the feedback about them, their IPs of every month —
 *      reads as null from now on, in every process (the key store's caches
 *      check the destruction token on every use);
 *   2. what is not in the log goes: the username index entry (its HMAC would
 *      still say whether a username existed) and their sign-in sessions;
 *   3. `SubjectErased { userId, requestId, anonymousId }` and the completion
 *      of the request (and of every other open erasure request about the
 *      person) are appended in one atomic batch; every projection then
 *      deletes or anonymises the person's rows and acknowledges (erasure_receipts).
 *
 * Before step 1, the mentions report (mentions.ts): where the subject's
 * names stand in other people's free text, kept as positions for the DPO
 * (ErasureMentionsFound, once per request), never the names.
 *
 * The key store is another database: the steps cannot be one transaction, so
 * each can run again and the series converges. A failure before 1 or after it
 * leaves an approved (or deferred, hold lifted) request that the retention
 * sweep completes; after 1 the ledger also has every start complete it
 * (ErasureReplay). A person under a legal hold is not erased:
 * the caller defers the request instead.
 */
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { envelopeFor, type EventActor } from '@learnstream/access';
import { PG_POOL, retryOnConflict } from '@learnstream/core/headless';
import { DomainError, uuidV5, Clock } from '@learnstream/domain';
import { comparePositions, WrongExpectedRevisionError, type AppendResult } from '@learnstream/event-store';
import { KeyStore } from '@learnstream/personal-data';
import { SUBJECT_ERASED } from '@learnstream/projections/headless';
import type pg from 'pg';
import { decideRequest, evolveRequest } from './privacy-request';
import { MentionFinder } from './mentions';
import { erasureMentionsStream, privacyRequestStream, userStream, type PrivacyRequestEvent } from './privacy.events';
import { PrivacyRepository, requestEvent, subjectEvent } from './privacy.repository';

export class LegalHoldError extends DomainError {
  constructor(readonly holdId: string) {
    super('conflict', 'LEGAL_HOLD', 'this person is under a legal hold: their data cannot be shredded until it is lifted');
  }
}

@Injectable()
export class ErasureService {
  constructor(
    private readonly clock: Clock,
    private readonly repo: PrivacyRepository,
    private readonly keys: KeyStore,
    private readonly mentions: MentionFinder,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
  ) {}

  /**
   * Carries out the approved (or deferred) erasure request `requestId`.
   * Returns the append of SubjectErased (null when the request was complete
   * already). Throws LegalHoldError when the subject is under a legal hold.
   */
  async erase(requestId: string, actor: EventActor | null, now: Date = this.clock.now()): Promise<AppendResult | null> {
    const { state: request } = await this.repo.loadRequest(requestId);
    if (!request.exists) throw new DomainError('not_found', 'REQUEST_NOT_FOUND', 'no such privacy request');
    if (request.type !== 'erasure') throw new DomainError('rule', 'NOT_AN_ERASURE', 'this request is not an erasure');
    if (request.status === 'completed') return null;
    if (request.status !== 'approved' && request.status !== 'deferred') throw new DomainError('conflict', 'REQUEST_NOT_OPEN', `the request is ${request.status}`);
    const subjectId = request.subjectId!;
    const { state: subject } = await this.repo.loadSubject(subjectId);
    if (subject.hold) throw new LegalHoldError(subject.hold.holdId);

    // The mentions report: the subject's names, read while their keys exist, looked for in other people's
    // free text; only where they stand is kept (mentions.ts). A first erasure only (names are gone after).
    // Recorded before the keys go (it holds no name), once per request: a run that stopped after it and
    // runs again finds its report there.
    const known = await this.keys.erasure(subjectId);
    if (!known) await this.reportMentions(subjectId, requestId, actor, now);

    // The ledger (file, then key store) first: from here on, every start carries this erasure out again.
    const anonymousId = known?.anonymousId ?? randomUUID();
    await this.keys.destroySubjectKeys(subjectId, `privacy request ${requestId}`, { requestId, anonymousId });
    return this.finish(subjectId, requestId, anonymousId, actor, now);
  }

  private async reportMentions(subjectId: string, requestId: string, actor: EventActor | null, now: Date): Promise<void> {
    const mentions = await this.mentions.find(subjectId, await this.mentions.namesOf(this.repo.log, subjectId));
    if (!mentions.length) return;
    const envelope = envelopeFor(actor, { action: 'found', crud: 'c', object: { type: 'privacy_request', id: requestId } });
    try {
      await this.repo.log.append(erasureMentionsStream(requestId), [{ type: 'ErasureMentionsFound', data: { requestId, mentions, at: now.toISOString() }, envelope }], { expectedRevision: 'no_stream' });
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error; // reported by an earlier run
    }
  }

  /** The person's erasure requests approved or deferred (the request read model; each is decided again on its stream). */
  async openErasures(subjectId: string): Promise<string[]> {
    return this.erasureRequests(subjectId, ['approved', 'deferred']);
  }

  private async erasureRequests(subjectId: string, statuses: string[]): Promise<string[]> {
    const { rows } = await this.pool.query<{ request_id: string }>(
      `SELECT request_id FROM privacy_requests WHERE subject_id = $1 AND type = 'erasure' AND status = ANY ($2) ORDER BY filed_at`,
      [subjectId, statuses],
    );
    return rows.map((r) => r.request_id);
  }

  /**
   * The event-database half of an erasure whose keys are gone: the username
   * index entry and sessions go, SubjectErased (with the ledger's anonymous
   * id) and the request's completion are appended. Idempotent. Also what
   * ErasureReplay runs on an event database restored from before the erasure;
   * there a request the dump does not hold is filed again by the system.
   */
  async finish(
    subjectId: string,
    requestId: string | null,
    anonymousId: string,
    actor: EventActor | null,
    now: Date,
  ): Promise<AppendResult | null> {
    await this.pool.query('DELETE FROM username_index WHERE user_id = $1', [subjectId]);
    // Refresh tokens go with their sessions (ON DELETE CASCADE); sessions in which they were impersonated too.
    await this.pool.query('DELETE FROM auth_sessions WHERE user_id = $1 OR real_actor_id = $1', [subjectId]);
    const reqId = requestId ?? uuidV5('learnstream erasure request', subjectId);

    // Every other open erasure request about the person is fulfilled by this erasure: completed in the same batch,
    // those still pending approved by it first (with no reason: a reason is sealed under the person's keys, which
    // are gone). Left pending, one could be neither approved nor rejected any more and would fall overdue.
    const others = (await this.erasureRequests(subjectId, ['pending', 'approved', 'deferred'])).filter((id) => id !== reqId);
    return retryOnConflict(async () => {
      const [{ state: req, revision }, { state: person }] = await Promise.all([this.repo.loadRequest(reqId), this.repo.loadSubject(subjectId)]);
      const request: PrivacyRequestEvent[] = [];
      let state = req;
      const step = (command: Parameters<typeof decideRequest>[0]) => {
        const events = decideRequest(command, state);
        state = events.reduce(evolveRequest, state);
        request.push(...events);
      };
      if (!state.exists) {
        step({ type: 'File', requestId: reqId, subjectId, requestType: 'erasure', filedBy: null, filedAs: 'system', details: null, now, deadlineDays: 0 });
      }
      if (state.status === 'pending') step({ type: 'Approve', by: null, reason: null, now });
      if (state.status === 'approved' || state.status === 'deferred') step({ type: 'Complete', outcome: 'erased', now });
      const alsoDone = [];
      for (const id of others) {
        const { state: other, revision: otherRevision } = await this.repo.loadRequest(id);
        if (other.subjectId !== subjectId || other.type !== 'erasure' || (other.status !== 'pending' && other.status !== 'approved' && other.status !== 'deferred')) continue;
        const approval = other.status === 'pending' ? decideRequest({ type: 'Approve', by: actor?.userId ?? null, reason: null, now }, other) : [];
        const events = [...approval, ...decideRequest({ type: 'Complete', outcome: 'erased', now }, approval.reduce(evolveRequest, other))].map((e) => requestEvent(actor, e));
        alsoDone.push({ streamId: privacyRequestStream(id), events, expectedRevision: otherRevision ?? ('no_stream' as const) });
      }
      const at = now.toISOString();
      const erased = person.erased ? [] : [subjectEvent(actor, { type: SUBJECT_ERASED, data: { userId: subjectId, requestId: reqId, anonymousId, at } })];
      if (!request.length && !erased.length && !alsoDone.length) return null;
      const results = await this.repo.log.appendBatch([
        ...(request.length ? [{ streamId: privacyRequestStream(reqId), events: request.map((e) => requestEvent(actor, e)), expectedRevision: revision ?? ('no_stream' as const) }] : []),
        ...alsoDone,
        ...(erased.length ? [{ streamId: userStream(subjectId), events: erased, expectedRevision: 'any' as const }] : []),
      ]);
      return results.reduce((a, b) => (comparePositions(a.position, b.position) >= 0 ? a : b));
    });
  }
}
