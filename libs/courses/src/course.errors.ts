/**
 * The refusals of the course decider, each with a stable code clients switch on.
 * Input problems are COURSE_INVALID, raised by assertValid in course.validation.ts.
 */
import { DomainError } from '@learnstream/domain';

export const courseNotFound = (courseId: string) => new DomainError('not_found', 'COURSE_NOT_FOUND', `course ${courseId} does not exist`);
export const idNumberTaken = (what: 'course' | 'activity') =>
  new DomainError('conflict', 'IDNUMBER_TAKEN', `another ${what} of this school has this idNumber: external ids are unique in a school`, [{ field: 'idNumber', message: `taken by another ${what} of this school` }]);
export const courseExists = (courseId: string) => new DomainError('conflict', 'COURSE_EXISTS', `course ${courseId} already exists`);
/** An archived course is read-only until it is restored; enrolling in it is refused too. */
export const courseArchived = (courseId: string) => new DomainError('rule', 'COURSE_ARCHIVED', `course ${courseId} is archived: restore it first`);
export const courseNotArchived = (courseId: string) => new DomainError('conflict', 'COURSE_NOT_ARCHIVED', `course ${courseId} is not archived`);

export const sectionNotFound = (sectionId: string) => new DomainError('not_found', 'SECTION_NOT_FOUND', `section ${sectionId} is not in this course`);
export const sectionExists = (sectionId: string) => new DomainError('conflict', 'SECTION_EXISTS', `section ${sectionId} already exists`);
export const sectionHasActivities = (sectionId: string, activityIds: string[]) =>
  new DomainError('rule', 'SECTION_HAS_ACTIVITIES', `section ${sectionId} still holds activities: remove them first`, activityIds);
export const sectionOrderMismatch = (problems: string[]) =>
  new DomainError('conflict', 'SECTION_ORDER_MISMATCH', `the new order must list every section of the course once: ${problems.join('; ')}`, problems);

export const resourceNotFound = (resourceId: string) => new DomainError('not_found', 'RESOURCE_NOT_FOUND', `resource ${resourceId} is not in this course`);
export const resourceExists = (resourceId: string) => new DomainError('conflict', 'RESOURCE_EXISTS', `resource ${resourceId} already exists`);
export const resourceIdNumberTaken = (idNumber: string) =>
  new DomainError('conflict', 'IDNUMBER_TAKEN', `another resource of this course has idNumber ${idNumber}`, [{ field: 'idNumber', message: 'taken by another resource of this course' }]);

export const activityNotFound = (activityId: string) => new DomainError('not_found', 'ACTIVITY_NOT_FOUND', `activity ${activityId} is not in this course`);
export const activityExists = (activityId: string) => new DomainError('conflict', 'ACTIVITY_EXISTS', `activity ${activityId} is already in this course`);

export const teacherNotFound = (userId: string) => new DomainError('not_found', 'TEACHER_NOT_FOUND', `user ${userId} is not on the staff of this course`);
export const lastTeacher = (userId: string) =>
  new DomainError('rule', 'LAST_TEACHER', `user ${userId} is the last editing teacher of this course: assign another one first`);
