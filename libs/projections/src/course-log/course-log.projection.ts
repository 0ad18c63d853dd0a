import { positionToString, type StoredEvent } from '@learnstream/event-store';
import type { EntityManager } from 'typeorm';
import type { Projection } from '../projection';
import { CourseLogEntry } from './course-log.entity';

/**
 * The course log: every event that carries a courseId, with the envelope's
 * clear fields (no personal data: ids only; IPs stay encrypted in the log).
 */
export class CourseLogProjection implements Projection {
  readonly name = 'course-log';
  /** Every type: any event may belong to a course. */
  readonly eventTypes = '*' as const;

  async handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    const e = event.envelope;
    if (!e.courseId) return;
    await tx
      .createQueryBuilder()
      .insert()
      .into(CourseLogEntry)
      .values({
        eventId: event.id,
        courseId: e.courseId,
        schoolId: e.schoolId,
        occurredAt: new Date(e.occurredAt),
        eventType: event.type,
        action: e.action,
        crud: e.crud,
        objectType: e.object?.type ?? null,
        objectId: e.object?.id ?? null,
        actorId: e.actorId,
        realActorId: e.realActorId,
        relatedUserId: e.relatedUserId,
        origin: e.origin,
        position: positionToString(event.position),
      })
      .orIgnore()
      .execute();
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE course_log');
  }
}
