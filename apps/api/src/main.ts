/**
 * `npm start`: the API and the projector in one process, on the embedded
 * PostgreSQL unless DATABASE_URL names a server.
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '@learnstream/config';
import { JsonLogger, resolveDatabase } from '@learnstream/core';
import { createApp } from './create-app';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = new JsonLogger(config.logLevel);
  if (config.masterKeySource === 'generated') logger.warn({ msg: 'generated a development MASTER_KEY in .data/master.key; set MASTER_KEY in production' }, 'Config');
  if (config.opsTokenSource !== 'env') logger.log({ msg: `operations token (Authorization: Bearer …) is in ${config.embedded.dataDir}/../ops.token` }, 'Config');

  const database = await resolveDatabase(config, logger);
  let app;
  try {
    app = await createApp(config, database.url, logger);
    await app.listen(config.port, config.host);
  } catch (error) {
    logger.fatal(error instanceof Error ? error : new Error(String(error)), 'Startup');
    await app?.close();
    await database.stop();
    process.exit(1);
  }
  logger.log({ msg: 'Learnstream API listening', url: `http://localhost:${config.port}`, docs: `http://localhost:${config.port}/docs`, eventStore: config.eventStore.kind, embeddedDatabase: database.embedded }, 'Startup');

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
