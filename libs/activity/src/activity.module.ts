import { Module } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { parserErrors, utf8Body } from '@learnstream/core';
import express from 'express';
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
      // A batch of 1,000 items is past the default 100 kB JSON limit: this route gets its own parser,
      // registered while the app is created, so it runs before the global one (which then skips the parsed body).
      provide: BODY_PARSER,
      inject: [HttpAdapterHost, ACTIVITY_OPTIONS],
      useFactory: (host: HttpAdapterHost, options: ActivityOptions) => {
        const app = host.httpAdapter?.getInstance?.<Partial<Pick<express.Express, 'use'>>>();
        // Its failures answer as every route's parser does (400 VALIDATION_FAILED, 413 PAYLOAD_TOO_LARGE), not Express's own.
        const parse = parserErrors(express.json({ limit: options.bodyLimit, verify: utf8Body }));
        // Not named jsonParser: Nest would then take it for its own and register no JSON parser for the other routes.
        const activityJsonParser: typeof parse = (req, res, next) => parse(req, res, next);
        if (typeof app?.use === 'function') app.use('/api/v1/activity', activityJsonParser);
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
