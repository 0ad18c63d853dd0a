import type { StoredEvent } from '@learnstream/event-store';
import { typedEvent, type ErasedSubject, type Projection } from '@learnstream/projections/headless';
import type { EntityManager } from 'typeorm';
import { TRANSFER_EVENT_TYPES, type TransferEvent } from '../affiliation.events';

/**
 * Transfers, one row each with its current status (`school_transfers`,
 * row-level secured on both schools and the person). The grade level stays
 * in the log (sealed): the row holds ids and statuses only.
 *
 * Erasure: the person's transfers are deleted; where they asked for or
 * decided someone else's, the erasure's anonymous id takes their place.
 */
export class TransfersProjection implements Projection {
  readonly name = 'school-transfers';
  readonly inline = true;
  readonly eventTypes = TRANSFER_EVENT_TYPES;

  async handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    const e = typedEvent<TransferEvent>(event);
    switch (e.type) {
      case 'TransferRequested': {
        const { transferId, userId, toSchoolId, fromSchoolId, role, classId, by, at } = e.data;
        await tx.query(
          `INSERT INTO school_transfers (transfer_id, user_id, to_school_id, from_school_id, role, class_id, status, requested_by, requested_at)
           VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7, $8) ON CONFLICT (transfer_id) DO NOTHING`,
          [transferId, userId, toSchoolId, fromSchoolId, role, classId, by, at],
        );
        return;
      }
      case 'TransferAccepted':
      case 'TransferDeclined':
      case 'TransferCancelled': {
        const status = { TransferAccepted: 'accepted', TransferDeclined: 'declined', TransferCancelled: 'cancelled' }[e.type];
        const as = e.type === 'TransferCancelled' ? null : e.data.as;
        await tx.query(`UPDATE school_transfers SET status = $2, decided_by = $3, decided_as = $4, decided_at = $5, from_school_id = $6 WHERE transfer_id = $1`, [
          e.data.transferId, status, e.data.by, as, e.data.at, e.data.fromSchoolId,
        ]);
        return;
      }
    }
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE school_transfers');
  }

  async forgetSubject({ userId, anonymousId }: ErasedSubject, tx: EntityManager): Promise<void> {
    await tx.query('DELETE FROM school_transfers WHERE user_id = $1', [userId]);
    await tx.query('UPDATE school_transfers SET requested_by = $2 WHERE requested_by = $1', [userId, anonymousId]);
    await tx.query('UPDATE school_transfers SET decided_by = $2 WHERE decided_by = $1', [userId, anonymousId]);
  }
}
