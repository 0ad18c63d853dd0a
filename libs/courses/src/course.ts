/**
 * The course decider: a course's settings, its lifecycle (created, archived,
 * restored), and the dispatch of every course command. Stream `course-<courseId>`.
 *
 * The order of the checks: the course must exist (COURSE_NOT_FOUND), then an
 * archived course refuses everything but RestoreCourse (COURSE_ARCHIVED), then
 * the input (COURSE_INVALID), then what it refers to (…_NOT_FOUND), then the
 * state it would change (…_EXISTS, LAST_TEACHER, …). A command that would change
 * nothing (same title, same role, same order) records nothing.
 */
import type { Decider } from '@learnstream/domain';
import {
  addActivity,
  addResource,
  addSection,
  removeActivity,
  removeResource,
  removeSection,
  renameSection,
  reorderSections,
  setResourceVisibility,
  updateResource,
} from './course-content';
import { assignTeacher, unassignTeacher } from './course-staff';
import type { ArchiveCourse, CourseCommand, CreateCourse, RestoreCourse, UpdateCourse } from './course.commands';
import { courseArchived, courseExists, courseNotArchived, courseNotFound } from './course.errors';
import type { CourseChanges, CourseEvent } from './course.events';
import { evolveCourse, initialCourseState, type Course, type CourseState } from './course.state';
import { assertValid, codeProblems, COURSE_FIELD_CHECKS, COURSE_FIELDS, uuidProblems } from './course.validation';
import { samePeriod, toPeriod } from './period';
import { isUuid } from './value-checks';

export const courseStreamId = (courseId: string): string => `course-${courseId}`;

const stamp = (command: { by: string; now: string }) => ({ by: command.by, at: command.now });
const trimmedOrNull = (value: string | null): string | null => (value === null ? null : value.trim());

function createCourse(command: CreateCourse, state: CourseState): CourseEvent[] {
  if (state) throw courseExists(command.courseId);
  const summary = command.summary ?? null;
  const gradeLevel = command.gradeLevel ?? null;
  const idNumber = command.idNumber ?? null;
  assertValid([
    ...uuidProblems('courseId', command.courseId),
    ...(command.schoolId === null || isUuid(command.schoolId) ? [] : ['schoolId must be a UUID or null']),
    ...codeProblems(command.code),
    ...COURSE_FIELD_CHECKS.title(command.title),
    ...COURSE_FIELD_CHECKS.summary(summary),
    ...COURSE_FIELD_CHECKS.subject(command.subject),
    ...COURSE_FIELD_CHECKS.gradeLevel(gradeLevel),
    ...COURSE_FIELD_CHECKS.idNumber(idNumber),
    ...COURSE_FIELD_CHECKS.selfEnrolment(command.selfEnrolment),
    ...(command.enrolmentPeriod === undefined ? [] : COURSE_FIELD_CHECKS.enrolmentPeriod(command.enrolmentPeriod)),
  ]);
  return [
    {
      type: 'CourseCreated',
      data: {
        courseId: command.courseId,
        schoolId: command.schoolId,
        title: command.title.trim(),
        code: command.code,
        summary,
        subject: command.subject.trim(),
        gradeLevel: trimmedOrNull(gradeLevel),
        idNumber: trimmedOrNull(idNumber),
        selfEnrolment: { enabled: command.selfEnrolment.enabled, keyHash: command.selfEnrolment.keyHash ?? null },
        enrolmentPeriod: toPeriod(command.enrolmentPeriod),
        ...stamp(command),
      },
    },
  ];
}

/** Records only the fields whose value actually changes. */
function updateCourse(command: UpdateCourse, course: Course): CourseEvent[] {
  const given = COURSE_FIELDS.filter((field) => command[field] !== undefined);
  assertValid([
    ...(given.length ? [] : [`nothing to update: give at least one of ${COURSE_FIELDS.join(', ')}`]),
    ...given.flatMap((field) => COURSE_FIELD_CHECKS[field](command[field])),
  ]);
  const changes: CourseChanges = {};
  const { title, summary, subject, gradeLevel, idNumber, selfEnrolment, enrolmentPeriod } = command;
  if (title !== undefined && title.trim() !== course.title) changes.title = title.trim();
  if (summary !== undefined && summary !== course.summary) changes.summary = summary;
  if (subject !== undefined && subject.trim() !== course.subject) changes.subject = subject.trim();
  if (gradeLevel !== undefined && trimmedOrNull(gradeLevel) !== course.gradeLevel) changes.gradeLevel = trimmedOrNull(gradeLevel);
  if (idNumber !== undefined && trimmedOrNull(idNumber) !== course.idNumber) changes.idNumber = trimmedOrNull(idNumber);
  if (selfEnrolment !== undefined) {
    const next = { enabled: selfEnrolment.enabled, keyHash: selfEnrolment.keyHash === undefined ? course.selfEnrolment.keyHash : selfEnrolment.keyHash };
    if (next.enabled !== course.selfEnrolment.enabled || next.keyHash !== course.selfEnrolment.keyHash) changes.selfEnrolment = next;
  }
  if (enrolmentPeriod !== undefined && !samePeriod(toPeriod(enrolmentPeriod), course.enrolmentPeriod)) changes.enrolmentPeriod = toPeriod(enrolmentPeriod);
  if (!Object.keys(changes).length) return [];
  return [{ type: 'CourseUpdated', data: { courseId: course.courseId, changes, ...stamp(command) } }];
}

const archiveCourse = (command: ArchiveCourse, course: Course): CourseEvent[] => [
  { type: 'CourseArchived', data: { courseId: course.courseId, ...stamp(command) } },
];

function restoreCourse(command: RestoreCourse, course: Course): CourseEvent[] {
  if (!course.archived) throw courseNotArchived(course.courseId);
  return [{ type: 'CourseRestored', data: { courseId: course.courseId, ...stamp(command) } }];
}

export function decideCourse(command: CourseCommand, state: CourseState): CourseEvent[] {
  if (command.type === 'CreateCourse') return createCourse(command, state);
  if (!state) throw courseNotFound(command.courseId);
  if (command.type === 'RestoreCourse') return restoreCourse(command, state);
  if (state.archived) throw courseArchived(state.courseId);
  switch (command.type) {
    case 'UpdateCourse':
      return updateCourse(command, state);
    case 'ArchiveCourse':
      return archiveCourse(command, state);
    case 'AddSection':
      return addSection(command, state);
    case 'RenameSection':
      return renameSection(command, state);
    case 'RemoveSection':
      return removeSection(command, state);
    case 'ReorderSections':
      return reorderSections(command, state);
    case 'AddResource':
      return addResource(command, state);
    case 'UpdateResource':
      return updateResource(command, state);
    case 'SetResourceVisibility':
      return setResourceVisibility(command, state);
    case 'RemoveResource':
      return removeResource(command, state);
    case 'AssignTeacher':
      return assignTeacher(command, state);
    case 'UnassignTeacher':
      return unassignTeacher(command, state);
    case 'AddActivity':
      return addActivity(command, state);
    case 'RemoveActivity':
      return removeActivity(command, state);
  }
}

export const courseDecider: Decider<CourseCommand, CourseEvent, CourseState> = {
  initialState: initialCourseState,
  evolve: evolveCourse,
  decide: decideCourse,
};
