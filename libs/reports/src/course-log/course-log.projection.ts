import { positionToString, type StoredEvent } from '@learnstream/event-store';
import type { EntityManager } from 'typeorm';
import type { ErasedSubject, Projection } from '@learnstream/projections';

/**
 * The course log: every event that carries a courseId, with the envelope's
 * clear fields (no personal data: ids only; IPs stay encrypted in the log).
 *
 * Erasure: the subject's rows stay (a course's activity counts by action do
 * not change), with the subject's id replaced by the erasure's anonymous id
 * wherever it appears: as the actor, the real actor or the related user of
 * someone else's event (a teacher grading them).
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

  /** One multi-row INSERT for the whole batch (column arrays unnested). */
  async handleBatch(events: StoredEvent[], tx: EntityManager): Promise<void> {
    const rows = events.filter((e) => e.envelope.courseId);
    if (!rows.length) return;
    const column = <T>(pick: (e: StoredEvent) => T) => rows.map(pick);
    await tx.query(
      `INSERT INTO course_log (event_id, course_id, school_id, occurred_at, event_type, action, crud, object_type, object_id, actor_id, real_actor_id, related_user_id, origin, position)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::text[], $6::text[], $7::char[], $8::text[], $9::uuid[], $10::uuid[], $11::uuid[], $12::uuid[], $13::text[], $14::text[])
       ON CONFLICT (event_id) DO NOTHING`,
      [
        column((e) => e.id),
        column((e) => e.envelope.courseId),
        column((e) => e.envelope.schoolId),
        column((e) => e.envelope.occurredAt),
        column((e) => e.type),
        column((e) => e.envelope.action),
        column((e) => e.envelope.crud),
        column((e) => e.envelope.object?.type ?? null),
        column((e) => e.envelope.object?.id ?? null),
        column((e) => e.envelope.actorId),
        column((e) => e.envelope.realActorId),
        column((e) => e.envelope.relatedUserId),
        column((e) => e.envelope.origin),
        column((e) => positionToString(e.position)),
      ],
    );
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE course_log');
  }

  async forgetSubject({ userId, anonymousId }: ErasedSubject, tx: EntityManager): Promise<void> {
    for (const column of ['actor_id', 'real_actor_id', 'related_user_id']) {
      await tx.query(`UPDATE course_log SET ${column} = $2 WHERE ${column} = $1`, [userId, anonymousId]);
    }
  }
}
