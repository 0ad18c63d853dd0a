import { Module } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { Clock } from '@learnstream/domain';
import { INTEROP_OPTIONS, interopOptions, type InteropOptions } from './interop.options';
import { ImportJobs } from './moodle/import-jobs';
import { ImportJobsController } from './moodle/import-jobs.controller';
import { AgentKeys } from './xapi/agent-keys';
import { StoreStatementsHandler } from './xapi/commands/store-statements.command';
import { CourseXapiController } from './xapi/course-xapi.controller';
import { XapiExport } from './xapi/learner-statements';
import { LrsClients } from './xapi/lrs-clients';
import { LrsClientsController } from './xapi/lrs-clients.controller';
import { CourseStatementsHandler } from './xapi/queries/course-statements.query';
import { GetStatementsHandler } from './xapi/queries/get-statements.query';
import { StatementTargets } from './xapi/statement-targets';
import { XapiAuthGuard } from './xapi/xapi-auth.guard';
import { XapiActivities } from './xapi/activities';
import { XapiDocuments } from './xapi/documents';
import { XapiDocumentsController } from './xapi/documents.controller';
import { registerXapiHttp } from './xapi/xapi-http';
import type { FastifyInstance } from 'fastify';
import { addBodyRoute } from '@learnstream/core';
import { XapiStatementsReader } from './xapi/xapi-statements.reader';
import { XapiAboutController, XapiStatementsController } from './xapi/xapi.controller';
import { InteropImportModule } from './interop-import.module';

const OPTIONS = { provide: INTEROP_OPTIONS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => interopOptions(config) };

const XAPI_BODY_PARSER = Symbol('XAPI_BODY_PARSER');
/**
 * /xapi takes bodies up to XAPI_BODY_LIMIT (a batch of statements is past the default 100 kB) and
 * documents of any content type, and says its version and consistency on every answer: its own
 * pre-router, hook and body reader (xapi-http.ts), registered while the app is created.
 */
const XAPI_BODY = {
  provide: XAPI_BODY_PARSER,
  inject: [HttpAdapterHost, INTEROP_OPTIONS, Clock],
  useFactory: (host: HttpAdapterHost, options: InteropOptions, clock: Clock) => {
    const fastify = host.httpAdapter?.getInstance?.<FastifyInstance>();
    registerXapiHttp(fastify, options.xapiBodyLimit, clock, options.xapiDefaultVersion);
    // A Moodle log's upload is streamed by its handler (request.raw), whatever its type and size: not read here.
    addBodyRoute(fastify, { path: /^\/api\/v1\/imports\/moodle-logs\/?$/, stream: true });
    return true;
  },
};

/** xAPI in (the LRS at /xapi) and out (a course's log, a learner's export), and the LRS clients' admin API. */
@Module({
  imports: [InteropImportModule],
  controllers: [XapiStatementsController, XapiAboutController, XapiDocumentsController, LrsClientsController, CourseXapiController, ImportJobsController],
  providers: [
    OPTIONS,
    XAPI_BODY,
    ImportJobs,
    AgentKeys,
    LrsClients,
    XapiAuthGuard,
    StatementTargets,
    XapiStatementsReader,
    XapiDocuments,
    XapiActivities,
    StoreStatementsHandler,
    GetStatementsHandler,
    CourseStatementsHandler,
    XapiExport,
  ],
  exports: [XapiExport, InteropImportModule],
})
export class InteropModule {}
