/** The shapes the course queries answer with, from read-model rows. */
import type { CourseRole } from '../course.events';

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

export interface CourseSummaryView {
  courseId: string;
  schoolId: string | null;
  code: string;
  title: string;
  summary: string | null;
  subject: string;
  gradeLevel: string | null;
  /** The course's id in another system (unique in its school), or null. */
  idNumber: string | null;
  archived: boolean;
  archivedAt: string | null;
  /** Whether learners may enrol themselves, and whether that needs a key (the key itself is never shown). */
  selfEnrolment: { enabled: boolean; keyRequired: boolean };
  enrolmentPeriod: { startsAt: string | null; endsAt: string | null };
  createdAt: string;
  updatedAt: string;
}

export const COURSE_COLUMNS = `c.course_id, c.school_id, c.code, c.title, c.summary, c.subject, c.grade_level, c.id_number, c.self_enrolment,
  c.enrolment_key_hash IS NOT NULL AS key_required, c.enrolment_starts_at, c.enrolment_ends_at, c.archived_at, c.created_at, c.updated_at`;

/** A row of COURSE_COLUMNS. */
export interface CourseRow {
  course_id: string;
  school_id: string | null;
  code: string;
  title: string;
  summary: string | null;
  subject: string;
  grade_level: string | null;
  id_number: string | null;
  self_enrolment: boolean;
  key_required: boolean;
  enrolment_starts_at: Date | null;
  enrolment_ends_at: Date | null;
  archived_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function toCourseSummary(r: CourseRow): CourseSummaryView {
  return {
    courseId: r.course_id,
    schoolId: r.school_id,
    code: r.code,
    title: r.title,
    summary: r.summary,
    subject: r.subject,
    gradeLevel: r.grade_level,
    idNumber: r.id_number,
    archived: r.archived_at !== null,
    archivedAt: iso(r.archived_at),
    selfEnrolment: { enabled: r.self_enrolment, keyRequired: r.key_required },
    enrolmentPeriod: { startsAt: iso(r.enrolment_starts_at), endsAt: iso(r.enrolment_ends_at) },
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

export interface ResourceView {
  resourceId: string;
  courseId: string;
  sectionId: string;
  kind: string;
  title: string;
  visible: boolean;
  position: number;
}

/** A row of `course_resources`. */
export interface ResourceRow {
  resource_id: string;
  course_id: string;
  section_id: string;
  kind: string;
  title: string;
  visible: boolean;
  position: number;
}

export const toResource = (r: ResourceRow): ResourceView => ({
  resourceId: r.resource_id,
  courseId: r.course_id,
  sectionId: r.section_id,
  kind: r.kind,
  title: r.title,
  visible: r.visible,
  position: r.position,
});

export interface ViewerView {
  /** The caller's role on the course's staff, if any. */
  role: CourseRole | null;
  enrolled: boolean;
  /** Whether the caller sees hidden resources and may edit (course.teach / course.edit are asked on each command). */
  teaches: boolean;
}

export { iso };
