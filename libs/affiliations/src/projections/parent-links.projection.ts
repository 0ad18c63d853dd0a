import type { StoredEvent } from '@learnstream/event-store';
import { typedEvent, type ErasedSubject, type Projection } from '@learnstream/projections/headless';
import type { EntityManager } from 'typeorm';
import { PARENT_LINK_EVENT_TYPES, type ParentLinkEvent } from '../affiliation.events';

/**
 * Parent links, one row per (parent, child) pair with its current status.
 * decided_by / decided_at: who moved the link to its current status and when
 * (the confirmation, rejection or revocation); null while it is requested.
 * A new request after a rejection or revocation reopens the row; a replayed
 * older request never overwrites a newer state.
 *
 * Erasure: the person's links, as parent or child, are deleted; where they
 * requested or decided someone else's link, the erasure's anonymous id
 * takes their place.
 */
export class ParentLinksProjection implements Projection {
  readonly name = 'parent-links';
  readonly inline = true;
  readonly eventTypes = PARENT_LINK_EVENT_TYPES;

  async handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    const e = typedEvent<ParentLinkEvent>(event);
    switch (e.type) {
      case 'ParentLinkRequested': {
        const { linkId, parentId, childId, requestedBy, at } = e.data;
        await tx.query(
          `INSERT INTO parent_links (link_id, parent_id, child_id, status, requested_by, requested_at)
           VALUES ($1, $2, $3, 'requested', $4, $5)
           ON CONFLICT (link_id) DO UPDATE SET status = 'requested', requested_by = EXCLUDED.requested_by, requested_at = EXCLUDED.requested_at, decided_by = NULL, decided_at = NULL
           WHERE parent_links.requested_at < EXCLUDED.requested_at`,
          // requested_by is NOT NULL in the table: a request made by the system is recorded as the parent's own.
          [linkId, parentId, childId, requestedBy ?? parentId, at],
        );
        return;
      }
      case 'ParentLinkConfirmed':
      case 'ParentLinkRejected':
      case 'ParentLinkRevoked': {
        const status = { ParentLinkConfirmed: 'confirmed', ParentLinkRejected: 'rejected', ParentLinkRevoked: 'revoked' }[e.type];
        const by = e.type === 'ParentLinkRevoked' ? e.data.revokedBy : e.data.decidedBy;
        await tx.query(`UPDATE parent_links SET status = $2, decided_by = $3, decided_at = $4 WHERE link_id = $1`, [e.data.linkId, status, by, e.data.at]);
        return;
      }
    }
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE parent_links');
  }

  async forgetSubject({ userId, anonymousId }: ErasedSubject, tx: EntityManager): Promise<void> {
    await tx.query('DELETE FROM parent_links WHERE parent_id = $1 OR child_id = $1', [userId]);
    await tx.query('UPDATE parent_links SET requested_by = $2 WHERE requested_by = $1', [userId, anonymousId]);
    await tx.query('UPDATE parent_links SET decided_by = $2 WHERE decided_by = $1', [userId, anonymousId]);
  }
}
