/**
 * '@learnstream/courses/headless': courses and enrolments without HTTP (events, deciders, the inline read models):
 * what the CLI's import loads. The barrel adds the module, commands, queries and bodies.
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

export * from './course-views.events';
export { enrolmentKeyMatches, hashEnrolmentKey } from './enrolment-key';
export { envelopeFieldsOf as courseEnvelopeFieldsOf } from './new-events';
export { CoursesProjection } from './projections/courses.projection';
export { CourseEnrolmentsProjection } from './projections/course-enrolments.projection';
