/**
 * Which PostgreSQL this process uses: DATABASE_URL, or an embedded server
 * started here (data under EMBEDDED_PG_DIR, stopped on shutdown).
 */
import type { AppConfig } from '@learnstream/config';
import { startEmbeddedPostgres } from '@learnstream/database';
import type { LoggerService } from '@nestjs/common';

export interface ResolvedDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export async function resolveDatabase(config: AppConfig, logger: LoggerService): Promise<ResolvedDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false, stop: async () => undefined };
  logger.log({ msg: 'starting embedded PostgreSQL', dataDir: config.embedded.dataDir, port: config.embedded.port }, 'Database');
  const db = await startEmbeddedPostgres({
    dataDir: config.embedded.dataDir,
    port: config.embedded.port,
    database: 'learnstream',
    log: (m) => {
      logger.debug?.({ msg: m }, 'EmbeddedPostgres');
    },
  });
  logger.log({ msg: 'embedded PostgreSQL ready', port: config.embedded.port }, 'Database');
  return { url: db.url, embedded: true, stop: () => db.stop() };
}
