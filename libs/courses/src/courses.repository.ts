/**
 * The course and enrolment streams, as the handlers read and write them: load
 * and fold a stream with its decider's evolve, append decided events with the
 * loaded revision as the expected revision (a concurrent writer makes the
 * append fail, and retryOnConflict decides again on the new state).
 */
import { Injectable } from '@nestjs/common';
import type { Actor } from '@learnstream/access';
import { EventLog, type AppendResult, type ExpectedRevision } from '@learnstream/event-store';
import { courseStreamId } from './course';
import type { CourseEvent } from './course.events';
import { courseNotFound } from './course.errors';
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

  /** Appends to the course's stream; nothing to append (a command that changes nothing) gives null. */
  async appendCourse(actor: Actor, courseId: string, schoolId: string | null, revision: bigint | null, events: CourseEvent[]): Promise<AppendResult | null> {
    if (!events.length) return null;
    return this.log.append(courseStreamId(courseId), toNewEvents(actor, events, schoolId), { expectedRevision: expected(revision) });
  }

  async appendEnrolment(actor: Actor, course: Course, learnerId: string, revision: bigint | null, events: EnrolmentEvent[]): Promise<AppendResult | null> {
    if (!events.length) return null;
    return this.log.append(enrolmentStreamId(course.courseId, learnerId), toNewEvents(actor, events, course.schoolId), { expectedRevision: expected(revision) });
  }

  /** A view, on the viewer's activity stream (any revision: views never conflict). */
  recordView(actor: Actor, schoolId: string | null, event: CourseViewEvent): Promise<AppendResult> {
    return this.log.append(activityStreamId(actor.userId), toNewEvents(actor, [event], schoolId), { expectedRevision: 'any' });
  }
}
