import { positionToString, type StoredEvent } from '@learnstream/event-store';
import type { EntityManager } from 'typeorm';
import { insertRows } from '@learnstream/database';
import { envelopeColumns, type ErasedSubject, type Projection } from '@learnstream/projections';

/**
 * The course log: every event that carries a courseId, with the envelope's
 * clear fields (no personal data: ids only; IPs stay encrypted in the log).
 *
 * Erasure: the subject's rows stay (a course's activity counts by action do
 * not change), with the subject's id replaced by the erasure's anonymous id
 * wherever it appears: as the actor, the real actor, the related user of
 * someone else's event (a teacher grading them) or its object (a teacher
 * assigned to the course: the old id beside the anonymous one would say whose
 * it is).
 */
export class CourseLogProjection implements Projection {
  readonly name = 'course-log';
  /** Every type: any event may belong to a course. */
  readonly eventTypes = '*' as const;
  /** Only the envelope's clear fields: no decryption needed. */
  readonly readsPersonalData = false;

  handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    return this.handleBatch([event], tx);
  }

  /** One multi-row INSERT for the whole batch. */
  async handleBatch(events: StoredEvent[], tx: EntityManager): Promise<void> {
    await insertRows(
      tx,
      'course_log',
      { ...envelopeColumns((e: StoredEvent) => e), origin: ['text', (e) => e.envelope.origin], position: ['text', (e) => positionToString(e.position)] },
      events.filter((e) => e.envelope.courseId),
      'ON CONFLICT (event_id) DO NOTHING',
    );
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE course_log');
  }

  async forgetSubject({ userId, anonymousId }: ErasedSubject, tx: EntityManager): Promise<void> {
    for (const column of ['actor_id', 'real_actor_id', 'related_user_id', 'object_id']) {
      await tx.query(`UPDATE course_log SET ${column} = $2 WHERE ${column} = $1`, [userId, anonymousId]);
    }
  }
}
