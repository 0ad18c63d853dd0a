/**
 * Courses and enrolments: the pure business rules (deciders), their events and
 * the registry definitions of those events. Other code imports '@learnstream/courses'.
 */
export * from './course.commands';
export * from './course.events';
export { courseDecider, courseStreamId, decideCourse } from './course';
export { evolveCourse, findResource, findSection, initialCourseState } from './course.state';
export type { Course, CourseActivity, CourseResource, CourseSection, CourseStaffMember, CourseState } from './course.state';
export { canEditCourse, canGradeInCourse, courseRoleOf } from './course-staff';
export { COURSE_LIMITS } from './course.validation';

export * from './enrolment.events';
export {
  enrolmentDecider,
  enrolmentId,
  enrolmentStreamId,
  evolveEnrolment,
  initialEnrolmentState,
  isActiveEnrolment,
  type EnrolLearner,
  type EnrolmentCommand,
  type EnrolmentCourseSnapshot,
  type EnrolmentState,
  type UnenrolLearner,
} from './enrolment';

export { isWithinPeriod, type Period, type PeriodInput } from './period';
