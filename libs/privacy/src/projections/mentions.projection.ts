/**
 * The DPO's mentions report (`erasure_mentions`, mentions.ts): one row per
 * place an erased person's name stood in someone else's free text, and when
 * it was redacted. Positions only, never the name.
 *
 * Erasure: an owner's rows go with them (their text is shredded with their
 * key, nothing is left to redact); a DPO's redactions keep the anonymous id.
 */
import type { StoredEvent } from '@learnstream/event-store';
import type { ErasedSubject, Projection } from '@learnstream/projections/headless';
import type { EntityManager } from 'typeorm';
import type { ErasureMentionsFound, PersonalDataRedacted } from '../privacy.events';

export const MENTION_EVENT_TYPES = ['ErasureMentionsFound', 'PersonalDataRedacted'] as const;

export class MentionsProjection implements Projection {
  readonly name = 'privacy-mentions';
  /** Inline: the DPO reads the report in the approval's answer, and a redaction is checked against it. */
  readonly inline = true;
  readonly eventTypes = MENTION_EVENT_TYPES;

  async handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    const e = { type: event.type, data: event.data } as ErasureMentionsFound | PersonalDataRedacted;
    switch (e.type) {
      case 'ErasureMentionsFound': {
        const m = e.data.mentions;
        await tx.query(
          `INSERT INTO erasure_mentions (mention_id, request_id, owner_id, record, record_id, field, start_at, length, found_at)
           SELECT u.mention_id, $2::uuid, u.owner_id, u.record, u.record_id, u.field, u.start_at, u.length, $1::timestamptz
           FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::uuid[], $7::text[], $8::int[], $9::int[]) AS u(mention_id, owner_id, record, record_id, field, start_at, length)
           ON CONFLICT (mention_id) DO NOTHING`,
          [e.data.at, e.data.requestId, m.map((x) => x.mentionId), m.map((x) => x.ownerId), m.map((x) => x.record), m.map((x) => x.recordId), m.map((x) => x.field), m.map((x) => x.start), m.map((x) => x.length)],
        );
        return;
      }
      case 'PersonalDataRedacted':
        await tx.query('UPDATE erasure_mentions SET redacted_at = $2, redacted_by = $3 WHERE mention_id = $1', [e.data.mentionId, e.data.at, e.data.by]);
        return;
    }
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE erasure_mentions');
  }

  async forgetSubject({ userId, anonymousId }: ErasedSubject, tx: EntityManager): Promise<void> {
    await tx.query('DELETE FROM erasure_mentions WHERE owner_id = $1', [userId]);
    await tx.query('UPDATE erasure_mentions SET redacted_by = $2 WHERE redacted_by = $1', [userId, anonymousId]);
  }
}
