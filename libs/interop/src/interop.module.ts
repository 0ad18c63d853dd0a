import { Module } from '@nestjs/common';
import { AccessModule } from '@learnstream/access';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { UsernameIndex } from '@learnstream/identity';
import { INTEROP_OPTIONS, interopOptions } from './interop.options';
import { IdMap } from './moodle/id-map';
import { ImportCheckpoints } from './moodle/import-checkpoints';
import { ImporterActor } from './moodle/importer-actor';
import { MoodleGradesImporter } from './moodle/moodle-grades-importer';
import { MoodleLogImporter } from './moodle/moodle-log-importer';
import { Placeholders } from './moodle/placeholders';
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
import { XapiStatementsReader } from './xapi/xapi-statements.reader';
import { XapiAboutController, XapiStatementsController } from './xapi/xapi.controller';

const OPTIONS = { provide: INTEROP_OPTIONS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => interopOptions(config) };

/** The Moodle importers, without HTTP: what the CLI needs (and the api, for the same providers). */
@Module({
  imports: [AccessModule],
  providers: [IdMap, ImportCheckpoints, ImporterActor, Placeholders, UsernameIndex, MoodleLogImporter, MoodleGradesImporter],
  exports: [MoodleLogImporter, MoodleGradesImporter],
})
export class InteropImportModule {}

/** xAPI in (the LRS at /xapi) and out (a course's log, a learner's export), and the LRS clients' admin API. */
@Module({
  imports: [InteropImportModule],
  controllers: [XapiStatementsController, XapiAboutController, LrsClientsController, CourseXapiController],
  providers: [
    OPTIONS,
    AgentKeys,
    LrsClients,
    XapiAuthGuard,
    StatementTargets,
    XapiStatementsReader,
    StoreStatementsHandler,
    GetStatementsHandler,
    CourseStatementsHandler,
    XapiExport,
  ],
  exports: [XapiExport, InteropImportModule],
})
export class InteropModule {}
