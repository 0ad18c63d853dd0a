/**
 * Who taught a course, as a Moodle log shows it (pure): placeholder accounts
 * of people with such evidence become teachers of the school and staff of
 * those courses, instead of learners.
 *
 *   role assigned   `\core\event\role_assigned` in a course (context level 50):
 *                   the person given Moodle's role 3 (editingteacher) is a
 *                   teacher, role 4 (teacher, i.e. non-editing) a non-editing
 *                   teacher. Moodle's default role ids: a site whose roles were
 *                   renumbered gives wrong evidence (map its people instead).
 *   teaching level  an event whose educational level is teaching (edulevel 1:
 *                   the standard log's column; for the Logs report, the event
 *                   classes below, which Moodle declares LEVEL_TEACHING) done
 *                   in a course: its actor teaches it: editing (a course or
 *                   module created, updated, deleted) → teacher, otherwise
 *                   (grading, the grader report) → non-editing teacher.
 * The strongest role a person has in a course wins; `at` is its first evidence.
 */
import type { MoodleLogRow } from './moodle-log';

export type TeachingRole = 'teacher' | 'non_editing_teacher';

export interface TeachingEvidence {
  userId: number;
  courseId: number;
  role: TeachingRole;
  /** Unix seconds. */
  at: number;
}

const LEVEL_TEACHING = 1;
const CONTEXT_COURSE = 50;
const SITE_COURSE = 1;
const ROLES: Record<number, TeachingRole> = { 3: 'teacher', 4: 'non_editing_teacher' };

/** Event classes the Logs report names whose level is teaching (the report has no edulevel column). */
export const TEACHING_CLASSES = new Set([
  '\\core\\event\\user_graded',
  '\\core\\event\\course_updated',
  '\\core\\event\\course_module_created',
  '\\core\\event\\course_module_updated',
  '\\core\\event\\course_module_deleted',
  '\\core\\event\\course_section_created',
  '\\core\\event\\course_section_updated',
  '\\core\\event\\course_section_deleted',
  '\\gradereport_grader\\event\\grade_report_viewed',
  '\\mod_assign\\event\\submission_graded',
]);

const EDITING = /\\core\\event\\course_(updated|module_(created|updated|deleted)|section_(created|updated|deleted))$/;

export function teachingEvidence(row: MoodleLogRow): TeachingEvidence | null {
  if (row.courseid === null || row.courseid <= SITE_COURSE) return null;
  if (row.eventname === '\\core\\event\\role_assigned') {
    const role = row.objectid !== null ? ROLES[row.objectid] : undefined;
    if (!role || row.relateduserid === null || row.relateduserid <= 0 || (row.contextlevel !== null && row.contextlevel !== CONTEXT_COURSE)) return null;
    return { userId: row.relateduserid, courseId: row.courseid, role, at: row.timecreated };
  }
  const teaching = row.edulevel === LEVEL_TEACHING || (row.edulevel === null && TEACHING_CLASSES.has(row.eventname));
  if (!teaching || row.anonymous || row.userid === null || row.userid <= 0) return null;
  return { userId: row.userid, courseId: row.courseid, role: EDITING.test(row.eventname) ? 'teacher' : 'non_editing_teacher', at: row.timecreated };
}

/** Evidence gathered over a file: per person, per course, the strongest role and when it was first seen. */
export class TeachingEvidenceLog {
  private readonly byUser = new Map<number, Map<number, { role: TeachingRole; at: number }>>();

  add(e: TeachingEvidence | null): void {
    if (!e) return;
    const courses = this.byUser.get(e.userId) ?? new Map<number, { role: TeachingRole; at: number }>();
    this.byUser.set(e.userId, courses);
    const had = courses.get(e.courseId);
    courses.set(e.courseId, {
      role: had?.role === 'teacher' || e.role === 'teacher' ? 'teacher' : 'non_editing_teacher',
      at: had ? Math.min(had.at, e.at) : e.at,
    });
  }

  teaches(userId: number): boolean {
    return this.byUser.has(userId);
  }

  *entries(): Generator<TeachingEvidence> {
    for (const [userId, courses] of this.byUser) for (const [courseId, { role, at }] of courses) yield { userId, courseId, role, at };
  }
}
