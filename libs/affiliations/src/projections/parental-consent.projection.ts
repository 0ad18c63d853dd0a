import type { StoredEvent } from '@learnstream/event-store';
import { typedEvent, type Projection } from '@learnstream/projections/headless';
import type { EntityManager } from 'typeorm';
import { PARENTAL_CONSENT_EVENT_TYPES, type ParentalConsentEvent } from '../affiliation.events';

/**
 * `accounts.parental_consent_at`: since when a parental consent has been in
 * force for the child (null: none). That column only: the accounts rows are
 * the identity feature's, and an account not (yet) projected is left alone.
 * Each event carries the resulting value, so no earlier event is needed.
 */
export class ParentalConsentProjection implements Projection {
  readonly name = 'parental-consent';
  readonly eventTypes = PARENTAL_CONSENT_EVENT_TYPES;

  async handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    const e = typedEvent<ParentalConsentEvent>(event);
    await tx.query(`UPDATE accounts SET parental_consent_at = $2 WHERE user_id = $1`, [e.data.childId, e.data.inForceSince]);
  }

  /** "Truncates" the one column it owns. */
  async reset(tx: EntityManager): Promise<void> {
    await tx.query('UPDATE accounts SET parental_consent_at = NULL WHERE parental_consent_at IS NOT NULL');
  }
}
