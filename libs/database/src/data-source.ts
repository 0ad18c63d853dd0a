/**
 * One TypeORM DataSource per process, and its pg pool is the process's only
 * pool (TypeORM's repositories and the raw-SQL code share it: PG_POOL in
 * libs/core). The schema comes only from migrations (run at start-up);
 * `synchronize` is never used.
 *
 * Connections are a budget: replicas × (DATABASE_POOL_MAX + 4: the key
 * store's pool of 2 and one LISTEN connection per database) must fit the
 * server's max_connections with room to spare (README).
 */
import { DataSource, type DataSourceOptions, type EntitySchema, type MixedList } from 'typeorm';
import type pg from 'pg';
import { migrations } from './migrations';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityList = MixedList<Function | string | EntitySchema>;

/** The pool's size when configuration says nothing (DATABASE_POOL_MAX). */
export const DEFAULT_POOL_MAX = 6;

export interface PoolSettings {
  /** Most connections the pool opens (DATABASE_POOL_MAX). */
  max?: number;
  /** Told about a connection the server dropped; the pool replaces it on the next checkout. */
  onConnectionLost?: (error: Error) => void;
  /**
   * PostgreSQL's lock_timeout on every connection (DATABASE_LOCK_TIMEOUT_MS; 0 or absent: none): a statement
   * waiting longer for a lock someone else holds fails (55P03, transient: 503 with Retry-After, retried by
   * background work) and gives its connection back, instead of holding one of the pool's few for as long as
   * the lock is held.
   */
  lockTimeoutMs?: number;
}

/**
 * Options of a pg pool (TypeORM's `extra`): every connection it makes carries
 * an 'error' listener for its whole life. pg-pool listens only while a
 * connection is idle, so a server that terminates a checked-out connection
 * (57P01 on failover, restart, pg_terminate_backend) between two queries would
 * otherwise emit an unhandled 'error' and end the process.
 */
export function poolOptions(settings: PoolSettings = {}): pg.PoolConfig & { onConnect: (client: pg.PoolClient) => void } {
  const lost = settings.onConnectionLost ?? (() => undefined);
  return {
    max: settings.max ?? DEFAULT_POOL_MAX,
    application_name: 'learnstream',
    // A checkout waits at most this long for a free connection or a new one (then a transient error: 503).
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    ...(settings.lockTimeoutMs ? { lock_timeout: settings.lockTimeoutMs } : {}),
    onConnect: (client) => {
      client.on('error', lost);
    },
  };
}

export function dataSourceOptions(url: string, entities: EntityList = [], pool: PoolSettings = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: poolOptions(pool),
    poolErrorHandler: (error: Error) => pool.onConnectionLost?.(error),
  };
}

export async function openDataSource(url: string, entities: EntityList = [], runMigrations = true, pool: PoolSettings = {}): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions(url, entities, pool));
  await dataSource.initialize();
  if (runMigrations) await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

/** The pg pool under a PostgreSQL DataSource: the process's one pool. */
export function poolOf(dataSource: DataSource): pg.Pool {
  const pool = (dataSource.driver as unknown as { master?: pg.Pool }).master;
  if (!pool) throw new Error('the DataSource is not a connected PostgreSQL data source');
  return pool;
}
