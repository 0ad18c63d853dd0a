import { Module } from '@nestjs/common';
import { bulkBodyParsers } from '@learnstream/core';
import { BulkGradeSubmissionsHandler, BulkRecordOfflineResultsHandler } from './commands/bulk-results.command';
import { AssessmentsRepository } from './assessments.repository';
import { ChangeQuizHandler } from './commands/change-quiz.command';
import { CreateAssignmentHandler, UpdateAssignmentHandler } from './commands/create-assignment.command';
import { CreateQuizHandler } from './commands/create-quiz.command';
import { GradeSubmissionHandler, ReopenSubmissionHandler } from './commands/grade-submission.command';
import { Grading } from './commands/grading-context';
import { CreateOfflineTestHandler, RecordOfflineResultHandler } from './commands/offline-test.command';
import { SaveAnswersHandler } from './commands/save-answers.command';
import { StartAttemptHandler } from './commands/start-attempt.command';
import { SubmitAssignmentHandler } from './commands/submit-assignment.command';
import { SubmitAttemptHandler } from './commands/submit-attempt.command';
import { CoursePlacement } from './course-placement';
import { AssignmentsController, OfflineTestsController } from './http/assignments.controller';
import { QuizzesController } from './http/quizzes.controller';
import { GetAssignmentHandler, GetSubmissionHandler, ListOfflineResultsHandler, ListSubmissionsHandler } from './queries/assignments.query';
import { GetAttemptHandler, ListAttemptsHandler } from './queries/attempts.query';
import { GetQuizHandler } from './queries/get-quiz.query';

/** Quizzes and attempts, assignments and submissions, offline tests, over REST. */
@Module({
  controllers: [QuizzesController, AssignmentsController, OfflineTestsController],
  providers: [
    // Bulk uploads are past the default JSON limit: their routes get their own parsers (BULK_BODY_LIMIT).
    bulkBodyParsers('ASSESSMENTS_BULK_BODY_PARSER', ['/api/v1/assignments/:id/grades/bulk', '/api/v1/offline-tests/:id/results/bulk']),
    Grading,
    BulkGradeSubmissionsHandler,
    BulkRecordOfflineResultsHandler,
    AssessmentsRepository,
    CoursePlacement,
    CreateQuizHandler,
    ChangeQuizHandler,
    StartAttemptHandler,
    SaveAnswersHandler,
    SubmitAttemptHandler,
    CreateAssignmentHandler,
    UpdateAssignmentHandler,
    SubmitAssignmentHandler,
    GradeSubmissionHandler,
    ReopenSubmissionHandler,
    CreateOfflineTestHandler,
    RecordOfflineResultHandler,
    GetQuizHandler,
    GetAttemptHandler,
    ListAttemptsHandler,
    GetAssignmentHandler,
    ListSubmissionsHandler,
    GetSubmissionHandler,
    ListOfflineResultsHandler,
  ],
})
export class AssessmentsModule {}
