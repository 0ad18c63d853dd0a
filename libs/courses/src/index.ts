/**
 * Courses and enrolments: the pure business rules (deciders), their events and
 * the registry definitions of those events. Other code imports '@learnstream/courses'.
 */
export * from './headless';

// The HTTP side: module, the commands other features may send, the read models.
export * from './courses.module';
export { CoursesRepository } from './courses.repository';
export { ChangeCourseCommand, type CourseChange, type CourseChangeCompanion, type CourseChangeResult } from './commands/change-course.command';
export { CreateCourseCommand, type CreateCourseInput } from './commands/create-course.command';
export { EnrolLearnerCommand, type EnrolLearnerInput, type EnrolmentResult } from './commands/enrol-learner.command';
export { BulkEnrolLearnersCommand, type BulkEnrolmentResult, type BulkEnrolmentRow, type BulkMode } from './commands/bulk-enrol.command';
export { SelfEnrolCommand } from './commands/self-enrol.command';
export { UnenrolLearnerCommand } from './commands/unenrol-learner.command';
export { GetCourseQuery, type CourseView } from './queries/get-course.query';
export { GetResourceQuery, type ResourceWithContentView } from './queries/get-resource.query';
export { ListCoursesQuery, type CatalogueEntry, type CatalogueFilter } from './queries/list-courses.query';
export { ListParticipantsQuery, type ParticipantView } from './queries/list-participants.query';
export type { CourseSummaryView, ResourceView } from './queries/course-views';
// Request bodies, for the GraphQL input types that extend them (validation written once).
export {
  AddResourceDto,
  AddSectionDto,
  BulkEnrolDto,
  CreateCourseDto,
  EnrolLearnerDto,
  ListCoursesDto,
  PeriodDto,
  SelfEnrolDto,
  SelfEnrolmentDto,
  UnenrolDto,
  UpdateCourseDto,
} from './dto';
// The courses and enrolments read models as other features (the reports) read them.
export {
  readActivitySections,
  readContentTitles,
  coursesRead,
  enrolmentsRead,
  readCourses,
  readEnrolments,
  readSchoolCourses,
  readVisibleResources,
  type CourseHeading,
  type EnrolmentRecord,
  type ResourceHeading,
} from './queries/read-models';
