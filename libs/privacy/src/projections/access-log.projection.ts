/**
 * The access log (`personal_data_access_log`): one row per read of another
 * person's personal data and person read, from PersonalDataAccessed, and from
 * the progress reports' LearnerProfileViewed when the reader is not the
 * learner (that feature records its reads its own way). Ids only.
 *
 * Erasure: rows stay for breach review (how many people a reader read), with
 * the erased person's id replaced by the erasure's anonymous id, as the
 * person read or as the reader.
 */
import type { StoredEvent } from '@learnstream/event-store';
import type { ErasedSubject, Projection } from '@learnstream/projections';
import type { EntityManager } from 'typeorm';

interface Row {
  eventId: string;
  subjectId: string;
  readerId: string;
  realReaderId: string | null;
  what: string;
  purpose: string;
  courseId: string | null;
  schoolId: string | null;
  at: string;
}

export class AccessLogProjection implements Projection {
  readonly name = 'personal-data-access-log';
  readonly eventTypes = ['PersonalDataAccessed', 'LearnerProfileViewed'];
  readonly readsPersonalData = false;

  handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    return this.handleBatch([event], tx);
  }

  async handleBatch(events: StoredEvent[], tx: EntityManager): Promise<void> {
    const rows: Row[] = [];
    for (const event of events) {
      const env = event.envelope;
      const d = event.data as Record<string, unknown>;
      const base = { eventId: event.id, realReaderId: env.realActorId, courseId: env.courseId, schoolId: env.schoolId, at: env.occurredAt };
      if (event.type === 'PersonalDataAccessed') {
        for (const subjectId of d.subjectIds as string[]) {
          rows.push({ ...base, subjectId, readerId: String(d.readerId), what: String(d.what), purpose: String(d.purpose), courseId: (d.courseId as string | null) ?? env.courseId });
        }
      } else if (event.type === 'LearnerProfileViewed' && env.actorId && typeof d.learnerId === 'string' && d.learnerId !== env.actorId) {
        rows.push({ ...base, subjectId: d.learnerId, readerId: env.actorId, what: 'learner_profile', purpose: env.realActorId ? 'support' : 'teaching' });
      }
    }
    if (!rows.length) return;
    const col = <T>(pick: (r: Row) => T) => rows.map(pick);
    await tx.query(
      `INSERT INTO personal_data_access_log (event_id, subject_id, reader_id, real_reader_id, what, purpose, course_id, school_id, occurred_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::uuid[], $8::uuid[], $9::timestamptz[])
       ON CONFLICT (event_id, subject_id) DO NOTHING`,
      [col((r) => r.eventId), col((r) => r.subjectId), col((r) => r.readerId), col((r) => r.realReaderId), col((r) => r.what), col((r) => r.purpose), col((r) => r.courseId), col((r) => r.schoolId), col((r) => r.at)],
    );
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE personal_data_access_log');
  }

  async forgetSubject({ userId, anonymousId }: ErasedSubject, tx: EntityManager): Promise<void> {
    for (const column of ['subject_id', 'reader_id', 'real_reader_id']) {
      await tx.query(`UPDATE personal_data_access_log SET ${column} = $2 WHERE ${column} = $1`, [userId, anonymousId]);
    }
  }
}
