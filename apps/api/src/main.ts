/**
 * `npm start`: the API and the projector in one process, on the embedded
 * PostgreSQL unless DATABASE_URL names a server.
 */
import 'reflect-metadata';
import { exitOnSignals, JsonLogger, loadConfigOrExit, resolveDatabase, shutdown } from '@learnstream/core';
import { createApp } from './create-app';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
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
    await shutdown(app, database, logger);
    process.exit(1);
  }
  logger.log({ msg: 'Learnstream API listening', url: `http://localhost:${config.port}`, docs: `http://localhost:${config.port}/docs`, eventStore: config.eventStore.kind, embeddedDatabase: database.embedded }, 'Startup');
  exitOnSignals(app, database, logger);
}

void main();
