import { Module } from '@nestjs/common';
import { bulkBodyParsers } from '@learnstream/core';
import { ChangeCourseHandler } from './commands/change-course.command';
import { CreateCourseHandler } from './commands/create-course.command';
import { BulkAddResourcesHandler } from './commands/bulk-add-resources.command';
import { BulkEnrolLearnersHandler } from './commands/bulk-enrol.command';
import { EnrolLearnerHandler } from './commands/enrol-learner.command';
import { SelfEnrolHandler } from './commands/self-enrol.command';
import { UnenrolLearnerHandler } from './commands/unenrol-learner.command';
import { CoursesController } from './courses.controller';
import { CoursesRepository } from './courses.repository';
import { EnrolmentsController } from './enrolments.controller';
import { GetCourseHandler } from './queries/get-course.query';
import { GetResourceHandler } from './queries/get-resource.query';
import { ListCoursesHandler } from './queries/list-courses.query';
import { ListParticipantsHandler } from './queries/list-participants.query';

/** Courses, their content and staff, and enrolments: REST endpoints, command and query handlers. */
@Module({
  controllers: [CoursesController, EnrolmentsController],
  providers: [
    // Bulk uploads are past the default JSON limit: their routes get their own parsers (BULK_BODY_LIMIT).
    bulkBodyParsers('COURSES_BULK_BODY_PARSER', ['/api/v1/courses/:id/enrolments/bulk', '/api/v1/courses/:id/resources/bulk']),
    CoursesRepository,
    CreateCourseHandler,
    ChangeCourseHandler,
    EnrolLearnerHandler,
    BulkEnrolLearnersHandler,
    BulkAddResourcesHandler,
    SelfEnrolHandler,
    UnenrolLearnerHandler,
    ListCoursesHandler,
    GetCourseHandler,
    GetResourceHandler,
    ListParticipantsHandler,
  ],
  exports: [CoursesRepository],
})
export class CoursesModule {}
