/**
 * Who is enrolled in which course (what the access policy reads for
 * course.participate, and the participants list): one row per learner and
 * course, with the current or last enrolment. The row's school is the
 * envelope's (the course's school, set by the handler from the course's state).
 * The reason of an unenrolment is personal data and stays in the log, sealed.
 *
 * Erasure: the rows stay (a course's enrolment counts do not change) under
 * the erasure's anonymous id, which no one signs in as.
 */
import type { StoredEvent } from '@learnstream/event-store';
import { typedEvent, type ErasedSubject, type Projection } from '@learnstream/projections/headless';
import type { EntityManager } from 'typeorm';
import { ENROLMENT_EVENT_TYPES, type EnrolmentEvent } from '../enrolment.events';

export class CourseEnrolmentsProjection implements Projection {
  readonly name = 'course-enrolments';
  readonly inline = true;
  readonly eventTypes = ENROLMENT_EVENT_TYPES.map((d) => d.type);

  async handle(stored: StoredEvent, tx: EntityManager): Promise<void> {
    const event = typedEvent<EnrolmentEvent>(stored);
    switch (event.type) {
      case 'LearnerEnrolled': {
        const d = event.data;
        await tx.query(
          `INSERT INTO course_enrolments (course_id, learner_id, school_id, status, method, enrolled_at, unenrolled_at, starts_at, ends_at)
           VALUES ($1, $2, $3, 'active', $4, $5, NULL, $6, $7)
           ON CONFLICT (course_id, learner_id) DO UPDATE SET status = 'active', method = EXCLUDED.method, enrolled_at = EXCLUDED.enrolled_at,
             unenrolled_at = NULL, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at`,
          [d.courseId, d.learnerId, stored.envelope.schoolId, d.method, new Date(d.at), d.startsAt, d.endsAt],
        );
        return;
      }
      case 'LearnerUnenrolled':
        await tx.query(`UPDATE course_enrolments SET status = 'unenrolled', unenrolled_at = $3 WHERE course_id = $1 AND learner_id = $2`, [
          event.data.courseId,
          event.data.learnerId,
          new Date(event.data.at),
        ]);
        return;
    }
  }

  /**
   * The same rows as handle() event by event, in two statements: per course
   * and learner, the row of their last enrolment in the batch (a later
   * unenrolment folded in) is upserted; an unenrolment with no enrolment in
   * the batch updates the row there is.
   */
  async handleBatch(events: StoredEvent[], tx: EntityManager): Promise<void> {
    const upserts = new Map<string, { courseId: string; learnerId: string; schoolId: string | null; status: string; method: string; enrolledAt: string; unenrolledAt: string | null; startsAt: string | null; endsAt: string | null }>();
    const leaves = new Map<string, { courseId: string; learnerId: string; at: string }>();
    for (const stored of events) {
      const event = typedEvent<EnrolmentEvent>(stored);
      const { courseId, learnerId, at } = event.data;
      const key = `${courseId}|${learnerId}`;
      if (event.type === 'LearnerEnrolled') {
        const { method, startsAt, endsAt } = event.data;
        upserts.set(key, { courseId, learnerId, schoolId: stored.envelope.schoolId, status: 'active', method, enrolledAt: at, unenrolledAt: null, startsAt, endsAt });
        leaves.delete(key);
        continue;
      }
      const enrolled = upserts.get(key);
      if (enrolled) Object.assign(enrolled, { status: 'unenrolled', unenrolledAt: at });
      else leaves.set(key, { courseId, learnerId, at });
    }
    const rows = [...upserts.values()];
    if (rows.length) {
      await tx.query(
        `INSERT INTO course_enrolments (course_id, learner_id, school_id, status, method, enrolled_at, unenrolled_at, starts_at, ends_at)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[])
         ON CONFLICT (course_id, learner_id) DO UPDATE SET status = EXCLUDED.status, method = EXCLUDED.method, enrolled_at = EXCLUDED.enrolled_at,
           unenrolled_at = EXCLUDED.unenrolled_at, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at`,
        [
          rows.map((r) => r.courseId),
          rows.map((r) => r.learnerId),
          rows.map((r) => r.schoolId),
          rows.map((r) => r.status),
          rows.map((r) => r.method),
          rows.map((r) => r.enrolledAt),
          rows.map((r) => r.unenrolledAt),
          rows.map((r) => r.startsAt),
          rows.map((r) => r.endsAt),
        ],
      );
    }
    const left = [...leaves.values()];
    if (left.length) {
      await tx.query(
        `UPDATE course_enrolments e SET status = 'unenrolled', unenrolled_at = t.at
         FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) AS t(course_id, learner_id, at)
         WHERE e.course_id = t.course_id AND e.learner_id = t.learner_id`,
        [left.map((l) => l.courseId), left.map((l) => l.learnerId), left.map((l) => l.at)],
      );
    }
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE course_enrolments');
  }

  async forgetSubject({ userId, anonymousId }: ErasedSubject, tx: EntityManager): Promise<void> {
    await tx.query('UPDATE course_enrolments SET learner_id = $2 WHERE learner_id = $1', [userId, anonymousId]);
  }
}
