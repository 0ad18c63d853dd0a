/**
 * What can be asked of a course. Every command names the course it targets
 * (its stream is `course-<courseId>`), who asks (`by`, a user id) and when
 * (`now`, an ISO-8601 UTC instant given by the handler: the decider has no clock).
 * New ids (course, section, resource, activity) come in the command, so a
 * retried request cannot create a second copy.
 *
 * Who may send them (an editing teacher, a school or platform admin) is the
 * handler's concern: see canEditCourse in course-staff.ts.
 */
import type { ActivityKind, CourseRole, ResourceContent, ResourceOfKind, SelfEnrolment } from './course.events';
import type { PeriodInput } from './period';

interface CourseCommandBase {
  courseId: string;
  by: string;
  now: string;
}

export interface CreateCourse extends CourseCommandBase {
  type: 'CreateCourse';
  /** null for a platform-wide course. */
  schoolId: string | null;
  title: string;
  /** Short name: 1 to 30 letters, digits, '-' or '_'. */
  code: string;
  summary?: string | null;
  subject: string;
  gradeLevel: string | null;
  /** The course's id in another system, unique in its school. */
  idNumber?: string | null;
  selfEnrolment: SelfEnrolment;
  enrolmentPeriod?: PeriodInput;
}

/** Only the fields given change; an update that changes nothing records nothing. */
export interface UpdateCourse extends CourseCommandBase {
  type: 'UpdateCourse';
  title?: string;
  summary?: string | null;
  subject?: string;
  gradeLevel?: string | null;
  idNumber?: string | null;
  /** keyHash left out keeps the current key; null removes it. */
  selfEnrolment?: { enabled: boolean; keyHash?: string | null };
  /** Replaces the whole period; `{}` opens it at both ends. */
  enrolmentPeriod?: PeriodInput;
}

export interface ArchiveCourse extends CourseCommandBase {
  type: 'ArchiveCourse';
}
export interface RestoreCourse extends CourseCommandBase {
  type: 'RestoreCourse';
}

export interface AddSection extends CourseCommandBase {
  type: 'AddSection';
  sectionId: string;
  title: string;
  /** Index (from 0) the section takes; left out, it goes last. */
  position?: number;
}
export interface RenameSection extends CourseCommandBase {
  type: 'RenameSection';
  sectionId: string;
  title: string;
}
/** Removes the section with its resources; refused while activities are in it. */
export interface RemoveSection extends CourseCommandBase {
  type: 'RemoveSection';
  sectionId: string;
}
/** The complete new order: every section of the course, once. */
export interface ReorderSections extends CourseCommandBase {
  type: 'ReorderSections';
  sectionIds: string[];
}

export type AddResource = CourseCommandBase & {
  type: 'AddResource';
  resourceId: string;
  sectionId: string;
  title: string;
  visible: boolean;
  /** The resource's id in another system (Moodle's idnumber): unique in the course. */
  idNumber?: string | null;
} & ResourceOfKind;

/** A resource keeps its kind: new content must be of that kind. */
export interface UpdateResource extends CourseCommandBase {
  type: 'UpdateResource';
  resourceId: string;
  title?: string;
  content?: ResourceContent;
}
export interface SetResourceVisibility extends CourseCommandBase {
  type: 'SetResourceVisibility';
  resourceId: string;
  visible: boolean;
}
export interface RemoveResource extends CourseCommandBase {
  type: 'RemoveResource';
  resourceId: string;
}

/** Adds a staff member, or changes the role of one already there. */
export interface AssignTeacher extends CourseCommandBase {
  type: 'AssignTeacher';
  userId: string;
  role: CourseRole;
}
export interface UnassignTeacher extends CourseCommandBase {
  type: 'UnassignTeacher';
  userId: string;
}

export interface AddActivity extends CourseCommandBase {
  type: 'AddActivity';
  activityId: string;
  kind: ActivityKind;
  sectionId: string;
  /** The activity's id in another system (Moodle's idnumber): unique in the school. */
  idNumber?: string | null;
}
export interface RemoveActivity extends CourseCommandBase {
  type: 'RemoveActivity';
  activityId: string;
}

export type CourseCommand =
  | CreateCourse
  | UpdateCourse
  | ArchiveCourse
  | RestoreCourse
  | AddSection
  | RenameSection
  | RemoveSection
  | ReorderSections
  | AddResource
  | UpdateResource
  | SetResourceVisibility
  | RemoveResource
  | AssignTeacher
  | UnassignTeacher
  | AddActivity
  | RemoveActivity;
