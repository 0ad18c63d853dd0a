/**
 * The flags every report respects (`subject_flags`), one row per person who
 * has any privacy event:
 *
 *   restricted          any of restriction_reasons: 'request' (an approved
 *                       restriction, until lifted), 'legal_hold', 'cancelled'
 *                       → out of reports and statistics, data kept
 *   analytics_excluded  restricted, or the analytics consent withdrawn
 *                       → out of the usage statistics
 *   profiling_objected  the last of ProfilingObjected / ProfilingObjectionWithdrawn
 *                       → no at-risk flags or automated advice
 *   consents            purpose → { given, at, by, onBehalf }
 *   legal hold, cancellation and when it is to be shredded
 *
 * Every change recomputes the derived flags in the same statement, so the
 * row is always consistent. Erasure deletes the row.
 *
 * Inline (written in the append's transaction): the access policy decides on
 * it (a restricted learner is left out of what teachers read, from the
 * moment the restriction is recorded, not when an asynchronous projection
 * gets to it), and the privacy commands answer from it.
 */
import type { StoredEvent } from '@learnstream/event-store';
import { typedEvent, type ErasedSubject, type Projection } from '@learnstream/projections/headless';
import type { EntityManager } from 'typeorm';
import { PRIVACY_SUBJECT_EVENT_TYPES, type PrivacySubjectEvent } from '../privacy.events';

/** The derived flags, from the row's own columns (after the change). */
const DERIVE = `restricted = cardinality(restriction_reasons) > 0,
  analytics_excluded = cardinality(restriction_reasons) > 0 OR coalesce((consents->'analytics'->>'given')::boolean, true) = false`;

const addReason = (reason: string) => `restriction_reasons = array(SELECT DISTINCT unnest(restriction_reasons || '${reason}'::text) ORDER BY 1)`;
const removeReason = (reason: string) => `restriction_reasons = array_remove(restriction_reasons, '${reason}'::text)`;

export class SubjectFlagsProjection implements Projection {
  readonly name = 'subject-flags';
  readonly inline = true;
  readonly eventTypes = PRIVACY_SUBJECT_EVENT_TYPES;

  async handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    const e = typedEvent<PrivacySubjectEvent>(event);
    const userId = e.data.userId;
    const at = event.envelope.occurredAt;
    await tx.query(`INSERT INTO subject_flags (user_id, updated_at) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING`, [userId, at]);
    const set = async (sets: string, params: unknown[] = []) => {
      await tx.query(`UPDATE subject_flags SET ${sets}, updated_at = $2 WHERE user_id = $1`, [userId, at, ...params]);
      await tx.query(`UPDATE subject_flags SET ${DERIVE} WHERE user_id = $1`, [userId]);
    };
    switch (e.type) {
      case 'ConsentGiven':
      case 'ConsentWithdrawn': {
        const consent = { given: e.type === 'ConsentGiven', at: e.data.at, by: e.data.by, onBehalf: e.data.onBehalf };
        return set(`consents = consents || jsonb_build_object($3::text, $4::jsonb)`, [e.data.purpose, JSON.stringify(consent)]);
      }
      case 'ProcessingRestricted':
        return set(addReason('request'));
      case 'ProcessingRestrictionLifted':
        return set(removeReason('request'));
      case 'ProfilingObjected':
        return set('profiling_objected = true');
      case 'ProfilingObjectionWithdrawn':
        return set('profiling_objected = false');
      case 'LegalHoldPlaced':
        return set(`${addReason('legal_hold')}, legal_hold_id = $3, legal_hold_reason = $4, legal_hold_since = $5, legal_hold_until = $6`, [
          e.data.holdId,
          (e.data.reason as string | null) ?? null,
          e.data.at,
          e.data.until,
        ]);
      case 'LegalHoldLifted':
        return set(`${removeReason('legal_hold')}, legal_hold_id = NULL, legal_hold_reason = NULL, legal_hold_since = NULL, legal_hold_until = NULL`);
      case 'AccountCancelled':
        return set(`${addReason('cancelled')}, cancelled_at = $3, shred_after = $4`, [e.data.at, e.data.shredAfter]);
      case 'PersonalDataExported':
      case 'SubjectErased':
        return; // no flag changes: the row exists (above); erasure deletes it in forgetSubject
    }
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE subject_flags');
  }

  async forgetSubject({ userId }: ErasedSubject, tx: EntityManager): Promise<void> {
    await tx.query('DELETE FROM subject_flags WHERE user_id = $1', [userId]);
  }
}
