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
import { typedEvent, type ErasedSubject, type Projection } from '@learnstream/projections';
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

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('TRUNCATE course_enrolments');
  }

  async forgetSubject({ userId, anonymousId }: ErasedSubject, tx: EntityManager): Promise<void> {
    await tx.query('UPDATE course_enrolments SET learner_id = $2 WHERE learner_id = $1', [userId, anonymousId]);
  }
}
