/**
 * Who teaches a course. A teacher edits the course and grades; a
 * non-editing teacher grades only. The helpers are pure so that handlers and
 * other features (grades) ask the same question the same way; they know course
 * roles only: platform and school administrators are the handlers' concern.
 *
 * A course that has had an editing teacher always keeps one: the last cannot be
 * unassigned or demoted (LAST_TEACHER). A new course starts with no staff; its
 * creator is not assigned implicitly (an admin creating a course for a school
 * is usually not its teacher).
 */
import type { AssignTeacher, UnassignTeacher } from './course.commands';
import { lastTeacher, teacherNotFound } from './course.errors';
import { COURSE_ROLES, type CourseEvent, type CourseRole } from './course.events';
import type { Course, CourseState } from './course.state';
import { assertValid, uuidProblems } from './course.validation';

export function courseRoleOf(state: CourseState, userId: string): CourseRole | null {
  return state?.staff.find((m) => m.userId === userId)?.role ?? null;
}

/**
 * Whether the user may change the course's content and settings. An archived
 * course still answers true for its teachers, who are the ones to restore it;
 * the decider refuses every other change to it.
 */
export function canEditCourse(state: CourseState, userId: string): boolean {
  return courseRoleOf(state, userId) === 'teacher';
}

/** Whether the user may grade the course's learners: any teacher, editing or not. */
export function canGradeInCourse(state: CourseState, userId: string): boolean {
  return courseRoleOf(state, userId) !== null;
}

const isLastEditingTeacher = (course: Course, userId: string): boolean =>
  courseRoleOf(course, userId) === 'teacher' && course.staff.filter((m) => m.role === 'teacher').length === 1;

export function assignTeacher(command: AssignTeacher, course: Course): CourseEvent[] {
  assertValid([
    ...uuidProblems('userId', command.userId),
    ...(COURSE_ROLES.includes(command.role) ? [] : [`role must be one of ${COURSE_ROLES.join(', ')}`]),
  ]);
  if (courseRoleOf(course, command.userId) === command.role) return [];
  if (command.role !== 'teacher' && isLastEditingTeacher(course, command.userId)) throw lastTeacher(command.userId);
  return [{ type: 'CourseTeacherAssigned', data: { courseId: course.courseId, userId: command.userId, role: command.role, by: command.by, at: command.now } }];
}

export function unassignTeacher(command: UnassignTeacher, course: Course): CourseEvent[] {
  if (courseRoleOf(course, command.userId) === null) throw teacherNotFound(command.userId);
  if (isLastEditingTeacher(course, command.userId)) throw lastTeacher(command.userId);
  return [{ type: 'CourseTeacherUnassigned', data: { courseId: course.courseId, userId: command.userId, by: command.by, at: command.now } }];
}
