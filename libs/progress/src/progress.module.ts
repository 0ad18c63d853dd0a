import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { ActivityModule } from '@learnstream/activity';
import { ProgressReportsController } from './http/progress-reports.controller';
import { PROGRESS_OPTIONS, progressOptions } from './progress.options';
import { ProgressRepository } from './progress.repository';
import { GetClassReportHandler } from './queries/get-class-report.query';
import { GetLearnerProfileHandler, GetLearnerTimelineHandler } from './queries/get-learner-profile.query';
import { GetSchoolReportHandler } from './queries/get-school-report.query';
import { SetEarlyWarningThresholdHandler } from './commands/set-threshold.command';
import { TrainEarlyWarningHandler } from './commands/train-early-warning.command';
import { GetSchoolModelHandler } from './queries/get-school-model.query';

/** The learner profile, class report and school report over REST. Their projections are listed in the composition. */
@Module({
  // The report-read events go to the reader's activity stream through the activity feature's writer.
  imports: [ActivityModule],
  controllers: [ProgressReportsController],
  providers: [
    { provide: PROGRESS_OPTIONS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => progressOptions(config) },
    ProgressRepository,
    GetLearnerProfileHandler,
    GetLearnerTimelineHandler,
    GetClassReportHandler,
    GetSchoolReportHandler,
    SetEarlyWarningThresholdHandler,
    TrainEarlyWarningHandler,
    GetSchoolModelHandler,
  ],
})
export class ProgressModule {}
