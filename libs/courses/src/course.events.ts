/**
 * The events of a course: its contract with projections and other features.
 * Every one of them goes to the course's stream, `course-<courseId>`, and its
 * type starts with "Course" so that no other feature's event can take the name.
 * Each carries the ids it concerns, who did it (`by`) and when (`at`), so a
 * projection never needs the stream name or an earlier event to place it.
 *
 * Nothing here is personal data: course texts are written by staff about the
 * course, not about a person. The enrolment key travels only as a hash.
 */
import type { DomainEvent } from '@learnstream/domain';
import type { EventTypeDefinition } from '@learnstream/event-store';
import { arrayOf, boolean, eventType, instant, integer, nullable, number, object, oneOf, optional, string, uuid, type Shape } from './event-data.validation';
import type { Period } from './period';
import { isPlainObject } from './value-checks';

export const RESOURCE_KINDS = ['page', 'file', 'url', 'video'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export interface PageContent {
  body: string;
}
export interface FileContent {
  /** Where the file store keeps the bytes; the course holds the reference only. */
  fileRef: string;
  mimeType: string;
  sizeBytes: number;
}
export interface UrlContent {
  url: string;
}
export interface VideoContent {
  url: string;
  durationSeconds: number;
}
export type ResourceContent = PageContent | FileContent | UrlContent | VideoContent;

/** A resource's kind and the content that kind has: the pair is always consistent. */
export type ResourceOfKind =
  | { kind: 'page'; content: PageContent }
  | { kind: 'file'; content: FileContent }
  | { kind: 'url'; content: UrlContent }
  | { kind: 'video'; content: VideoContent };

export const COURSE_ROLES = ['teacher', 'non_editing_teacher'] as const;
/** A teacher edits the course and grades; a non-editing teacher only grades. */
export type CourseRole = (typeof COURSE_ROLES)[number];

export const ACTIVITY_KINDS = ['quiz', 'assignment', 'offline'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

export interface SelfEnrolment {
  enabled: boolean;
  /** Hash of the enrolment key (made by the command handler), or null when no key is asked. */
  keyHash: string | null;
}

/** What every course event says about who acted and when. */
interface Stamp {
  by: string;
  at: string;
}

export type CourseCreated = DomainEvent<
  'CourseCreated',
  {
    courseId: string;
    /** The school (tenant) that owns it, or null for a platform-wide course. */
    schoolId: string | null;
    title: string;
    code: string;
    summary: string | null;
    subject: string;
    gradeLevel: string | null;
    /** The course's id in another system, unique in its school (absent in events before it existed). */
    idNumber?: string | null;
    selfEnrolment: SelfEnrolment;
    enrolmentPeriod: Period;
  } & Stamp
>;

/** Only the fields that changed, each with its new value. */
export interface CourseChanges {
  title?: string;
  summary?: string | null;
  subject?: string;
  gradeLevel?: string | null;
  idNumber?: string | null;
  selfEnrolment?: SelfEnrolment;
  enrolmentPeriod?: Period;
}

export type CourseUpdated = DomainEvent<'CourseUpdated', { courseId: string; changes: CourseChanges } & Stamp>;
export type CourseArchived = DomainEvent<'CourseArchived', { courseId: string } & Stamp>;
export type CourseRestored = DomainEvent<'CourseRestored', { courseId: string } & Stamp>;

/** `position` is the section's index (from 0) in the course once it is added. */
export type CourseSectionAdded = DomainEvent<'CourseSectionAdded', { courseId: string; sectionId: string; title: string; position: number } & Stamp>;
export type CourseSectionRenamed = DomainEvent<'CourseSectionRenamed', { courseId: string; sectionId: string; title: string } & Stamp>;
/** Always preceded, in the same append, by a CourseResourceRemoved for each resource the section held. */
export type CourseSectionRemoved = DomainEvent<'CourseSectionRemoved', { courseId: string; sectionId: string } & Stamp>;
/** The complete new order of the course's sections. */
export type CourseSectionsReordered = DomainEvent<'CourseSectionsReordered', { courseId: string; sectionIds: string[] } & Stamp>;

/** A resource is appended at the end of its section. */
export type CourseResourceAdded = DomainEvent<
  'CourseResourceAdded',
  // idNumber: the resource's external id (Moodle's idnumber), unique in the course; absent on resources added before it existed.
  { courseId: string; sectionId: string; resourceId: string; title: string; visible: boolean; idNumber?: string | null } & ResourceOfKind & Stamp
>;
/** `kind` is unchanged (a resource never changes kind); it says how to read `changes.content`. */
export type CourseResourceUpdated = DomainEvent<
  'CourseResourceUpdated',
  { courseId: string; sectionId: string; resourceId: string; kind: ResourceKind; changes: { title?: string; content?: ResourceContent } } & Stamp
>;
export type CourseResourceVisibilityChanged = DomainEvent<
  'CourseResourceVisibilityChanged',
  { courseId: string; sectionId: string; resourceId: string; visible: boolean } & Stamp
>;
export type CourseResourceRemoved = DomainEvent<'CourseResourceRemoved', { courseId: string; sectionId: string; resourceId: string } & Stamp>;

/** Also sent when an existing staff member's role changes. */
export type CourseTeacherAssigned = DomainEvent<'CourseTeacherAssigned', { courseId: string; userId: string; role: CourseRole } & Stamp>;
export type CourseTeacherUnassigned = DomainEvent<'CourseTeacherUnassigned', { courseId: string; userId: string } & Stamp>;

/** The course learns of an activity whose details live in the assessments feature. */
/** idNumber: the activity's id in another system, unique in the school (absent in events before it existed). */
export type CourseActivityAdded = DomainEvent<'CourseActivityAdded', { courseId: string; activityId: string; kind: ActivityKind; sectionId: string; idNumber?: string | null } & Stamp>;
export type CourseActivityRemoved = DomainEvent<'CourseActivityRemoved', { courseId: string; activityId: string; sectionId: string } & Stamp>;

export type CourseEvent =
  | CourseCreated
  | CourseUpdated
  | CourseArchived
  | CourseRestored
  | CourseSectionAdded
  | CourseSectionRenamed
  | CourseSectionRemoved
  | CourseSectionsReordered
  | CourseResourceAdded
  | CourseResourceUpdated
  | CourseResourceVisibilityChanged
  | CourseResourceRemoved
  | CourseTeacherAssigned
  | CourseTeacherUnassigned
  | CourseActivityAdded
  | CourseActivityRemoved;

// ---- validators for the event registry: required fields, right primitive types ----

const stamp: Shape = { by: uuid, at: instant };
const period = object({ startsAt: nullable(instant), endsAt: nullable(instant) });
const selfEnrolment = object({ enabled: boolean, keyHash: nullable(string) });
const inSection: Shape = { courseId: uuid, sectionId: uuid, resourceId: uuid };

const CONTENT_SHAPES: Record<ResourceKind, Shape> = {
  page: { body: string },
  file: { fileRef: string, mimeType: string, sizeBytes: integer },
  url: { url: string },
  video: { url: string, durationSeconds: number },
};

/** Checks `content` against the shape of `kind`, once `kind` itself is known to be valid. */
function contentProblems(kind: unknown, content: unknown, path: string): string[] {
  const shape = CONTENT_SHAPES[kind as ResourceKind];
  return shape ? object(shape)(content, path) : [];
}

export const COURSE_EVENT_TYPES: EventTypeDefinition[] = [
  eventType('CourseCreated', {
    courseId: uuid,
    schoolId: nullable(uuid),
    title: string,
    code: string,
    summary: nullable(string),
    subject: string,
    gradeLevel: nullable(string),
    idNumber: optional(nullable(string)),
    selfEnrolment,
    enrolmentPeriod: period,
    ...stamp,
  }),
  eventType('CourseUpdated', {
    courseId: uuid,
    changes: object({
      title: optional(string),
      summary: optional(nullable(string)),
      subject: optional(string),
      gradeLevel: optional(nullable(string)),
      idNumber: optional(nullable(string)),
      selfEnrolment: optional(selfEnrolment),
      enrolmentPeriod: optional(period),
    }),
    ...stamp,
  }),
  eventType('CourseArchived', { courseId: uuid, ...stamp }),
  eventType('CourseRestored', { courseId: uuid, ...stamp }),
  eventType('CourseSectionAdded', { courseId: uuid, sectionId: uuid, title: string, position: integer, ...stamp }),
  eventType('CourseSectionRenamed', { courseId: uuid, sectionId: uuid, title: string, ...stamp }),
  eventType('CourseSectionRemoved', { courseId: uuid, sectionId: uuid, ...stamp }),
  eventType('CourseSectionsReordered', { courseId: uuid, sectionIds: arrayOf(uuid), ...stamp }),
  eventType(
    'CourseResourceAdded',
    { ...inSection, title: string, visible: boolean, kind: oneOf(...RESOURCE_KINDS), idNumber: optional(nullable(string)), ...stamp },
    (data) => contentProblems(data.kind, data.content, 'content'),
  ),
  eventType(
    'CourseResourceUpdated',
    { ...inSection, kind: oneOf(...RESOURCE_KINDS), changes: object({ title: optional(string) }), ...stamp },
    (data) => {
      const changes = data.changes;
      return isPlainObject(changes) && changes.content !== undefined ? contentProblems(data.kind, changes.content, 'changes.content') : [];
    },
  ),
  eventType('CourseResourceVisibilityChanged', { ...inSection, visible: boolean, ...stamp }),
  eventType('CourseResourceRemoved', { ...inSection, ...stamp }),
  eventType('CourseTeacherAssigned', { courseId: uuid, userId: uuid, role: oneOf(...COURSE_ROLES), ...stamp }),
  eventType('CourseTeacherUnassigned', { courseId: uuid, userId: uuid, ...stamp }),
  eventType('CourseActivityAdded', { courseId: uuid, activityId: uuid, kind: oneOf(...ACTIVITY_KINDS), sectionId: uuid, idNumber: optional(nullable(string)), ...stamp }),
  eventType('CourseActivityRemoved', { courseId: uuid, activityId: uuid, sectionId: uuid, ...stamp }),
];
