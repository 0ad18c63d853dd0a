/**
 * The projector on its own (PROJECTOR_IN_PROCESS=false on the api): runs every
 * projection's catch-up subscription into the read models. Several projector
 * processes may run: checkpoints are locked per batch, so no event is applied twice.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '@learnstream/config';
import { JsonLogger, resolveDatabase } from '@learnstream/core';
import { ProjectorModule } from './projector.module';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  const logger = new JsonLogger(config.logLevel);
  const database = await resolveDatabase(config, logger);
  let app;
  try {
    app = await NestFactory.createApplicationContext(ProjectorModule.forRoot({ config, databaseUrl: database.url }), { logger, abortOnError: false });
    await app.init();
  } catch (error) {
    logger.fatal(error instanceof Error ? error : new Error(String(error)), 'Startup');
    await app?.close();
    await database.stop();
    process.exit(1);
  }
  logger.log({ msg: 'projector running', eventStore: config.eventStore.kind }, 'Startup');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log({ msg: 'shutting down', signal }, 'Startup');
    let code = 0;
    try {
      await app.close();
    } catch (error) {
      logger.error(error instanceof Error ? error : new Error(String(error)), 'Startup');
      code = 1;
    } finally {
      await database.stop();
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
