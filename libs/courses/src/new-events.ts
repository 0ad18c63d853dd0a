/**
 * From decided events to events for the log: the envelope of a Moodle log row
 * (verb, object, course, tenant, person affected) and, for the one personal
 * field (an unenrolment's reason), the seal under the learner's id.
 */
import { envelopeFor, type EventActor, type EnvelopeFields } from '@learnstream/access';
import type { NewEvent, Origin } from '@learnstream/event-store';
import { personal } from '@learnstream/personal-data';
import type { CourseEvent } from './course.events';
import type { CourseViewEvent } from './course-views.events';
import { enrolmentId } from './enrolment';
import type { EnrolmentEvent } from './enrolment.events';

type Verb = Pick<EnvelopeFields, 'action' | 'crud' | 'object' | 'relatedUserId'>;

function verbOf(event: CourseEvent | EnrolmentEvent | CourseViewEvent): Verb {
  const course = { type: 'course', id: event.data.courseId };
  switch (event.type) {
    case 'CourseCreated':
      return { action: 'created', crud: 'c', object: course };
    case 'CourseUpdated':
      return { action: 'updated', crud: 'u', object: course };
    case 'CourseArchived':
      return { action: 'archived', crud: 'u', object: course };
    case 'CourseRestored':
      return { action: 'restored', crud: 'u', object: course };
    case 'CourseSectionAdded':
      return { action: 'created', crud: 'c', object: { type: 'section', id: event.data.sectionId } };
    case 'CourseSectionRenamed':
      return { action: 'updated', crud: 'u', object: { type: 'section', id: event.data.sectionId } };
    case 'CourseSectionRemoved':
      return { action: 'deleted', crud: 'd', object: { type: 'section', id: event.data.sectionId } };
    case 'CourseSectionsReordered':
      return { action: 'reordered', crud: 'u', object: course };
    case 'CourseResourceAdded':
      return { action: 'created', crud: 'c', object: { type: 'resource', id: event.data.resourceId } };
    case 'CourseResourceUpdated':
    case 'CourseResourceVisibilityChanged':
      return { action: 'updated', crud: 'u', object: { type: 'resource', id: event.data.resourceId } };
    case 'CourseResourceRemoved':
      return { action: 'deleted', crud: 'd', object: { type: 'resource', id: event.data.resourceId } };
    case 'CourseTeacherAssigned':
      return { action: 'assigned', crud: 'c', object: { type: 'user', id: event.data.userId }, relatedUserId: event.data.userId };
    case 'CourseTeacherUnassigned':
      return { action: 'unassigned', crud: 'd', object: { type: 'user', id: event.data.userId }, relatedUserId: event.data.userId };
    case 'CourseActivityAdded':
      return { action: 'created', crud: 'c', object: { type: 'activity', id: event.data.activityId } };
    case 'CourseActivityRemoved':
      return { action: 'deleted', crud: 'd', object: { type: 'activity', id: event.data.activityId } };
    case 'LearnerEnrolled':
      return { action: 'enrolled', crud: 'c', object: { type: 'enrolment', id: enrolmentId(event.data.courseId, event.data.learnerId) }, relatedUserId: event.data.learnerId };
    case 'LearnerUnenrolled':
      return { action: 'unenrolled', crud: 'd', object: { type: 'enrolment', id: enrolmentId(event.data.courseId, event.data.learnerId) }, relatedUserId: event.data.learnerId };
    case 'CourseViewed':
      return { action: 'viewed', crud: 'r', object: course };
    case 'ResourceViewed':
      return { action: 'viewed', crud: 'r', object: { type: 'resource', id: event.data.resourceId } };
  }
}

/** The envelope fields of a course, enrolment or view event in a course of school `schoolId` (null: platform-wide). */
export function envelopeFieldsOf(event: CourseEvent | EnrolmentEvent | CourseViewEvent, schoolId: string | null): EnvelopeFields {
  return { relatedUserId: null, ...verbOf(event), courseId: event.data.courseId, schoolId };
}

/** Seals the personal field: an unenrolment's free-text reason, under the learner's id. */
function sealed(event: CourseEvent | EnrolmentEvent | CourseViewEvent): Record<string, unknown> {
  if (event.type === 'LearnerUnenrolled' && event.data.reason != null) return { ...event.data, reason: personal(event.data.learnerId, event.data.reason) };
  return event.data as unknown as Record<string, unknown>;
}

/**
 * The log events of decided events, caused by `actor`, in a course of school
 * `schoolId`: each occurred at its data's `at` (the decider's now, or the
 * historic time an import gave); origin `import` marks an import's.
 */
export function toNewEvents(actor: EventActor, events: (CourseEvent | EnrolmentEvent | CourseViewEvent)[], schoolId: string | null, origin?: Origin): NewEvent[] {
  return events.map((event) => ({ type: event.type, data: sealed(event), envelope: envelopeFor(actor, { ...envelopeFieldsOf(event, schoolId), occurredAt: 'at' in event.data ? event.data.at : undefined, ...(origin && { origin }) }) }));
}
