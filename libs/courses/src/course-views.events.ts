/**
 * Reads are actions too (DESIGN.md): a participant opening a course or one of
 * its resources is an event, on the viewer's activity stream `activity-<userId>`
 * (so that views never contend with edits of the course). Only views by the
 * course's staff and its enrolled learners are recorded, and only once the
 * read was allowed. The data holds ids only: nothing here is personal data
 * beyond the fact of the view, and the viewer is named by an opaque id.
 */
import type { DomainEvent } from '@learnstream/domain';
import type { EventTypeDefinition } from '@learnstream/event-store';
import { eventType, uuid } from './event-data.validation';

export { activityStream as activityStreamId } from '@learnstream/event-store';

export type CourseViewed = DomainEvent<'CourseViewed', { courseId: string; userId: string }>;
export type ResourceViewed = DomainEvent<'ResourceViewed', { courseId: string; sectionId: string; resourceId: string; userId: string }>;

export type CourseViewEvent = CourseViewed | ResourceViewed;

export const COURSE_VIEW_EVENT_TYPES: EventTypeDefinition[] = [
  eventType('CourseViewed', { courseId: uuid, userId: uuid }),
  eventType('ResourceViewed', { courseId: uuid, sectionId: uuid, resourceId: uuid, userId: uuid }),
];
