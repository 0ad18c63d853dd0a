/**
 * The courses feature's read models as other features read them, inside their
 * TenantDb transaction (row-level security on): courses, enrolments, the
 * section of each activity and the visible resources. Set-wise (arrays of
 * ids in, one statement each), so a report reads them without N+1. The
 * progress reports and the course log read these tables only through here.
 */
import { knownRead, query, read, runRead, type Queryable, type Read } from '@learnstream/database';

/** What a report shows of a course. */
export interface CourseHeading {
  courseId: string;
  schoolId: string | null;
  code: string;
  title: string;
  subject: string;
  gradeLevel: string | null;
  archivedAt: Date | null;
}

interface CourseHeadingRow {
  course_id: string;
  school_id: string | null;
  code: string;
  title: string;
  subject: string;
  grade_level: string | null;
  /** A Date from a row of pg, a string from a Read's JSON. */
  archived_at: Date | string | null;
}

const HEADING_COLUMNS = 'course_id, school_id, code, title, subject, grade_level, archived_at';

const toHeading = (r: CourseHeadingRow): CourseHeading => ({
  courseId: r.course_id,
  schoolId: r.school_id,
  code: r.code,
  title: r.title,
  subject: r.subject,
  gradeLevel: r.grade_level,
  archivedAt: r.archived_at === null ? null : new Date(r.archived_at),
});

/** The courses of these ids the reader may see, by id. */
export function coursesRead(courseIds: readonly string[]): Read<Map<string, CourseHeading>> {
  if (!courseIds.length) return knownRead(new Map<string, CourseHeading>());
  return read(`SELECT ${HEADING_COLUMNS} FROM courses WHERE course_id = ANY ($1)`, [courseIds], (rows: CourseHeadingRow[]) => new Map(rows.map((r) => [r.course_id, toHeading(r)])));
}

export const readCourses = (db: Queryable, courseIds: readonly string[]): Promise<Map<string, CourseHeading>> => runRead(db, coursesRead(courseIds));

/** A school's courses, by title then id. */
export async function readSchoolCourses(db: Queryable, schoolId: string): Promise<CourseHeading[]> {
  const rows = await query<CourseHeadingRow>(db, `SELECT ${HEADING_COLUMNS} FROM courses WHERE school_id = $1 ORDER BY title, course_id`, [schoolId]);
  return rows.map(toHeading);
}

export interface EnrolmentRecord {
  courseId: string;
  learnerId: string;
  status: 'active' | 'unenrolled';
  method: string;
  enrolledAt: Date;
  unenrolledAt: Date | null;
}

interface EnrolmentRow {
  course_id: string;
  learner_id: string;
  status: 'active' | 'unenrolled';
  method: string;
  /** Strings: a Read's JSON. */
  enrolled_at: string;
  unenrolled_at: string | null;
}

/**
 * Enrolments (each learner's latest in a course), of these courses or of these learners (either may be
 * null: any), and with `during` only those enrolled at some time in [from, to): enrolled before `to`
 * and not unenrolled before `from`. By enrolment time, then course, then learner.
 */
export function enrolmentsRead(of: { courseIds?: readonly string[]; learnerIds?: readonly string[]; during?: { from: Date | string; to: Date | string } }): Read<EnrolmentRecord[]> {
  if (of.courseIds?.length === 0 || of.learnerIds?.length === 0) return knownRead([]);
  return read(
    `SELECT course_id, learner_id, status, method, enrolled_at, unenrolled_at FROM course_enrolments
     WHERE ($1::uuid[] IS NULL OR course_id = ANY ($1)) AND ($2::uuid[] IS NULL OR learner_id = ANY ($2))
       AND ($4::timestamptz IS NULL OR enrolled_at < $4) AND ($3::timestamptz IS NULL OR unenrolled_at IS NULL OR unenrolled_at >= $3)
     ORDER BY enrolled_at, course_id, learner_id`,
    [of.courseIds ?? null, of.learnerIds ?? null, of.during?.from ?? null, of.during?.to ?? null],
    (rows: EnrolmentRow[]) =>
      rows.map((r) => ({
        courseId: r.course_id,
        learnerId: r.learner_id,
        status: r.status,
        method: r.method,
        enrolledAt: new Date(r.enrolled_at),
        unenrolledAt: r.unenrolled_at === null ? null : new Date(r.unenrolled_at),
      })),
  );
}

export const readEnrolments = (db: Queryable, of: Parameters<typeof enrolmentsRead>[0]): Promise<EnrolmentRecord[]> => runRead(db, enrolmentsRead(of));

/** The section each of these activities (quizzes, assignments, …) is placed in; null when in none. */
export async function readActivitySections(db: Queryable, activityIds: readonly string[]): Promise<Map<string, string | null>> {
  if (!activityIds.length) return new Map();
  const rows = await query<{ activity_id: string; section_id: string | null }>(db, 'SELECT activity_id, section_id FROM course_activities WHERE activity_id = ANY ($1)', [activityIds]);
  return new Map(rows.map((r) => [r.activity_id, r.section_id]));
}

export interface ResourceHeading {
  resourceId: string;
  courseId: string;
  sectionId: string;
  kind: string;
  title: string;
}

/** The visible resources of these courses, by course then place. */
export async function readVisibleResources(db: Queryable, courseIds: readonly string[]): Promise<ResourceHeading[]> {
  if (!courseIds.length) return [];
  const rows = await query<{ resource_id: string; course_id: string; section_id: string; kind: string; title: string }>(
    db,
    'SELECT resource_id, course_id, section_id, kind, title FROM course_resources WHERE course_id = ANY ($1) AND visible ORDER BY course_id, position',
    [courseIds],
  );
  return rows.map((r) => ({ resourceId: r.resource_id, courseId: r.course_id, sectionId: r.section_id, kind: r.kind, title: r.title }));
}

/** The titles of these courses, sections and resources (those the reader may see), by id. */
export async function readContentTitles(
  db: Queryable,
  ids: { courses?: readonly string[]; sections?: readonly string[]; resources?: readonly string[] },
): Promise<Map<string, string>> {
  const { courses = [], sections = [], resources = [] } = ids;
  if (!courses.length && !sections.length && !resources.length) return new Map();
  const rows = await query<{ id: string; title: string }>(
    db,
    `SELECT course_id AS id, title FROM courses WHERE course_id = ANY ($1::uuid[])
     UNION ALL SELECT section_id, title FROM course_sections WHERE section_id = ANY ($2::uuid[])
     UNION ALL SELECT resource_id, title FROM course_resources WHERE resource_id = ANY ($3::uuid[])`,
    [courses, sections, resources],
  );
  return new Map(rows.map((r) => [r.id, r.title]));
}
