import { Module } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { addBodyRoute } from '@learnstream/core';
import { ActivityController } from './activity.controller';
import { ActivityFacts } from './activity-facts';
import { ACTIVITY_OPTIONS, activityOptions, type ActivityOptions } from './activity.options';
import { ActivityWriter } from './activity-writer';
import { RecordActivityHandler } from './commands/record-activity.command';

const BODY_PARSER = Symbol('ACTIVITY_BODY_PARSER');

/** Client-side activity over REST (POST /api/v1/activity), with group commit into the event log. */
@Module({
  controllers: [ActivityController],
  providers: [
    { provide: ACTIVITY_OPTIONS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => activityOptions(config) },
    {
      // A batch of 1,000 items is past the default 100 kB JSON limit: this route's bodies are read up to its own,
      // registered while the app is created; its failures answer as every route's (400 VALIDATION_FAILED, 413 PAYLOAD_TOO_LARGE).
      provide: BODY_PARSER,
      inject: [HttpAdapterHost, ACTIVITY_OPTIONS],
      useFactory: (host: HttpAdapterHost, options: ActivityOptions) => {
        addBodyRoute(host.httpAdapter?.getInstance?.<object>(), { path: /^\/api\/v1\/activity\/?$/, limit: options.bodyLimit });
        return true;
      },
    },
    ActivityFacts,
    ActivityWriter,
    RecordActivityHandler,
  ],
  exports: [ActivityWriter],
})
export class ActivityModule {}
