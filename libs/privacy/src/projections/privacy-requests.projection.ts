/**
 * The requests read model (`privacy_requests`): one row per request with its
 * status, deadline and decision; the DPO's queue and the subject's list.
 * Details and reasons arrive decrypted (null once the subject is erased).
 *
 * Erasure: the rows stay (that a request was made and honoured is the
 * accountability record), their details and reasons are cleared.
 *
 * Inline (written in the append's transaction): commands decide on it (an
 * erasure completes every open erasure request of the person; the sweep
 * finds the requests still to carry out) and answer from it (a request just
 * filed or decided is shown as it now is, never as 404 because an
 * asynchronous projection was behind).
 */
import type { StoredEvent } from '@learnstream/event-store';
import { typedEvent, type ErasedSubject, type Projection } from '@learnstream/projections/headless';
import type { EntityManager } from 'typeorm';
import { PRIVACY_REQUEST_EVENT_TYPES, type PrivacyRequestEvent } from '../privacy.events';

export class PrivacyRequestsProjection implements Projection {
  readonly name = 'privacy-requests';
  readonly inline = true;
  readonly eventTypes = PRIVACY_REQUEST_EVENT_TYPES;

  async handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    const e = typedEvent<PrivacyRequestEvent>(event);
    const d = e.data;
    switch (e.type) {
      case 'PrivacyRequestFiled':
        await tx.query(
          `INSERT INTO privacy_requests (request_id, subject_id, type, status, filed_by, filed_as, details, filed_at, due_at, updated_at)
           VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $7) ON CONFLICT (request_id) DO NOTHING`,
          [d.requestId, d.subjectId, d.type, e.data.filedBy, e.data.filedAs, e.data.details === null ? null : JSON.stringify(e.data.details), d.at, e.data.dueAt],
        );
        return;
      case 'PrivacyRequestApproved':
      case 'PrivacyRequestRejected':
        await tx.query(
          `UPDATE privacy_requests SET status = $2, decided_by = $3, decided_at = $4, decision_reason = $5, updated_at = $4 WHERE request_id = $1`,
          [d.requestId, e.type === 'PrivacyRequestApproved' ? 'approved' : 'rejected', e.data.by, d.at, (e.data.reason as string | null) ?? null],
        );
        return;
      case 'PrivacyRequestWithdrawn':
        await tx.query(`UPDATE privacy_requests SET status = 'withdrawn', updated_at = $2 WHERE request_id = $1`, [d.requestId, d.at]);
        return;
      case 'ErasureDeferred':
        await tx.query(`UPDATE privacy_requests SET status = 'deferred', updated_at = $2 WHERE request_id = $1`, [d.requestId, d.at]);
        return;
      case 'PrivacyRequestCompleted':
        await tx.query(`UPDATE privacy_requests SET status = 'completed', completed_at = $2, outcome = $3, updated_at = $2 WHERE request_id = $1`, [d.requestId, d.at, e.data.outcome]);
        return;
    }
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE privacy_requests');
  }

  async forgetSubject({ userId }: ErasedSubject, tx: EntityManager): Promise<void> {
    await tx.query('UPDATE privacy_requests SET details = NULL, decision_reason = NULL WHERE subject_id = $1', [userId]);
  }
}
