/** Start-up and shutdown shared by the api and projector processes. */
import { ConfigError, loadConfig, type AppConfig } from '@learnstream/config';
import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import type { ResolvedDatabase } from './database';

/** The configuration, or exit 78 (EX_CONFIG) with the message naming the bad variable. */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
}

/** Closes the app, then the database it runs on; exits 1 when the close failed. */
export async function shutdown(app: INestApplicationContext | undefined, database: ResolvedDatabase, logger: LoggerService): Promise<number> {
  try {
    await app?.close();
    return 0;
  } catch (error) {
    logger.error(error instanceof Error ? error : new Error(String(error)), 'Shutdown');
    return 1;
  } finally {
    await database.stop();
  }
}

/** On SIGINT or SIGTERM, shuts down once (in order) and exits. */
export function exitOnSignals(app: INestApplicationContext, database: ResolvedDatabase, logger: LoggerService): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log({ msg: 'shutting down', signal }, 'Shutdown');
    process.exit(await shutdown(app, database, logger));
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
