/**
 * The projector on its own (PROJECTOR_IN_PROCESS=false on the api): runs every
 * projection's catch-up subscription into the read models. Several projector
 * processes may run: checkpoints are locked per batch, so no event is applied twice.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { exitOnSignals, JsonLogger, loadConfigOrExit, resolveDatabase, shutdown } from '@learnstream/core';
import { ProjectorModule } from './projector.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = new JsonLogger(config.logLevel);
  const database = await resolveDatabase(config, logger);
  let app;
  try {
    app = await NestFactory.createApplicationContext(ProjectorModule.forRoot({ config, databaseUrl: database.url }), { logger, abortOnError: false });
    await app.init();
  } catch (error) {
    logger.fatal(error instanceof Error ? error : new Error(String(error)), 'Startup');
    await shutdown(app, database, logger);
    process.exit(1);
  }
  logger.log({ msg: 'projector running', eventStore: config.eventStore.kind }, 'Startup');
  exitOnSignals(app, database, logger);
}

void main();
