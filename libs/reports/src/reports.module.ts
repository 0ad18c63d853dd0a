import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { CourseLogController } from './course-log/course-log.controller';
import { CourseLogReader } from './course-log/course-log.reader';
import { LiveTails } from './course-log/live-tails';
import { ExportCourseLogHandler } from './course-log/queries/export-course-log.query';
import { GetCourseLogHandler } from './course-log/queries/get-course-log.query';
import { TailCourseLogHandler } from './course-log/queries/tail-course-log.query';
import { REPORTS_OPTIONS, reportsOptions } from './reports.options';
import { ReportsRepository } from './reports.repository';
import { GetUsageReportHandler } from './usage/queries/get-usage-report.query';
import { UsageController } from './usage/usage.controller';
import { UsageReader } from './usage/usage.reader';

/** Reports over REST: the course log (page, CSV, live tail) and the usage statistics. Their projection is listed in the composition. */
@Module({
  controllers: [CourseLogController, UsageController],
  providers: [
    { provide: REPORTS_OPTIONS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => reportsOptions(config) },
    ReportsRepository,
    CourseLogReader,
    LiveTails,
    GetCourseLogHandler,
    ExportCourseLogHandler,
    TailCourseLogHandler,
    UsageReader,
    GetUsageReportHandler,
  ],
  exports: [LiveTails],
})
export class ReportsModule {}
