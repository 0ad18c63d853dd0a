/**
 * The course and enrolment streams, as the handlers read and write them: load
 * and fold a stream with its decider's evolve, append decided events with the
 * loaded revision as the expected revision (a concurrent writer makes the
 * append fail, and retryOnConflict decides again on the new state).
 */
import { Injectable } from '@nestjs/common';
import type { Actor } from '@learnstream/access';
import { violatesUnique } from '@learnstream/database';
import { EventLog, comparePositions, type AppendResult, type ExpectedRevision, type NewAppend, type Origin } from '@learnstream/event-store';
import { courseStreamId } from './course';
import type { CourseEvent } from './course.events';
import { courseNotFound, idNumberTaken } from './course.errors';
import { evolveCourse, initialCourseState, type Course, type CourseState } from './course.state';
import { activityStreamId, type CourseViewEvent } from './course-views.events';
import { enrolmentStreamId, evolveEnrolment, initialEnrolmentState, type EnrolmentState } from './enrolment';
import type { EnrolmentEvent } from './enrolment.events';
import { toNewEvents } from './new-events';

export interface Loaded<S> {
  state: S;
  revision: bigint | null;
}

const expected = (revision: bigint | null): ExpectedRevision => (revision === null ? 'no_stream' : revision);

@Injectable()
export class CoursesRepository {
  constructor(readonly log: EventLog) {}

  loadCourse(courseId: string): Promise<Loaded<CourseState>> {
    return this.log.aggregate(courseStreamId(courseId), initialCourseState(), (state, event) => evolveCourse(state, event as unknown as CourseEvent));
  }

  /** The course, or COURSE_NOT_FOUND. */
  async existingCourse(courseId: string): Promise<Loaded<Course>> {
    const { state, revision } = await this.loadCourse(courseId);
    if (!state) throw courseNotFound(courseId);
    return { state, revision };
  }

  loadEnrolment(courseId: string, learnerId: string): Promise<Loaded<EnrolmentState>> {
    return this.log.aggregate(enrolmentStreamId(courseId, learnerId), initialEnrolmentState(), (state, event) => evolveEnrolment(state, event as unknown as EnrolmentEvent));
  }

  /**
   * Appends to the course's stream, and in the same atomic append the other
   * streams' events a change comes with (a new quiz's own stream beside its
   * CourseActivityAdded): all are written, or none. Nothing to append (a
   * command that changes nothing) gives null. The result is the course
   * stream's, with the position of the batch's last event. `origin` import
   * marks history recorded with occurredAt.
   */
  async appendCourse(
    actor: Actor,
    courseId: string,
    schoolId: string | null,
    revision: bigint | null,
    events: CourseEvent[],
    alongside: readonly NewAppend[] = [],
    origin?: Origin,
  ): Promise<AppendResult | null> {
    const others = alongside.filter((a) => a.events.length);
    if (!events.length && !others.length) return null;
    const own: NewAppend[] = events.length ? [{ streamId: courseStreamId(courseId), events: toNewEvents(actor, events, schoolId, origin), expectedRevision: expected(revision) }] : [];
    const results = await this.log.appendBatch([...own, ...others]).catch((error: unknown) => {
      // The inline courses read model's unique index (school, idNumber) refused the append.
      if (violatesUnique(error, 'courses_school_id_number_key')) throw idNumberTaken('course');
      if (violatesUnique(error, 'course_activities_school_id_number_key')) throw idNumberTaken('activity');
      throw error;
    });
    const position = results.map((r) => r.position).reduce((a, b) => (comparePositions(a, b) >= 0 ? a : b));
    return { nextExpectedRevision: events.length ? results[0].nextExpectedRevision : (revision ?? -1n), position };
  }

  async appendEnrolment(actor: Actor, course: Course, learnerId: string, revision: bigint | null, events: EnrolmentEvent[], origin?: Origin): Promise<AppendResult | null> {
    if (!events.length) return null;
    return this.log.append(enrolmentStreamId(course.courseId, learnerId), toNewEvents(actor, events, course.schoolId, origin), { expectedRevision: expected(revision) });
  }

  /** A view, on the viewer's activity stream (any revision: views never conflict). */
  recordView(actor: Actor, schoolId: string | null, event: CourseViewEvent): Promise<AppendResult> {
    return this.log.append(activityStreamId(actor.userId), toNewEvents(actor, [event], schoolId), { expectedRevision: 'any' });
  }
}
