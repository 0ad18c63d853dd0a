import { Module } from '@nestjs/common';
import { ChangeCompletionHandler } from './commands/change-completion.command';
import { ChangeGradebookHandler } from './commands/change-gradebook.command';
import { GradesRepository } from './grades.repository';
import { CompletionController, GradebookController } from './http/grades.controller';
import { GetCourseCompletionHandler, GetLearnerCompletionHandler } from './queries/completion.query';
import { GetCourseGradesHandler, GetGradebookHandler, GetLearnerGradesHandler } from './queries/grades.query';

/** Gradebooks, grades and completion over REST. */
@Module({
  controllers: [GradebookController, CompletionController],
  providers: [
    GradesRepository,
    ChangeGradebookHandler,
    ChangeCompletionHandler,
    GetGradebookHandler,
    GetCourseGradesHandler,
    GetLearnerGradesHandler,
    GetCourseCompletionHandler,
    GetLearnerCompletionHandler,
  ],
})
export class GradesModule {}
