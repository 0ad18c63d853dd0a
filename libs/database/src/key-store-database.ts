/**
 * The key store's database (docs/privacy.md): KEYSTORE_DATABASE_URL, else the
 * database `<name>_keys` on the event database's server, created when missing.
 * It has its own migrations and its own migrations table.
 */
import pg from 'pg';
import { DataSource } from 'typeorm';
import { keyStoreMigrations } from './migrations/key-store';

/** `postgres://…/learnstream` → `postgres://…/learnstream_keys`. */
export function keyStoreUrlFor(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}_keys`;
  return url.toString();
}

/** Creates the database of `url` on its server unless it exists (the role needs CREATEDB). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return;
    try {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    } catch (error) {
      // 42P04: created meanwhile by another process.
      if ((error as { code?: string }).code === '42P04') return;
      throw new Error(
        `could not create the key store database "${name}" (${(error as Error).message}): create it, or set KEYSTORE_DATABASE_URL to an existing database`,
      );
    }
  } finally {
    await client.end();
  }
}

/** Advisory lock of the key store's migrations ('LSKEYMIG'). */
const MIGRATION_LOCK = '5499810563612330311';

/** Creates the key store database when missing and runs its migrations. */
export async function migrateKeyStore(url: string): Promise<void> {
  await ensureDatabase(url);
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    migrations: keyStoreMigrations,
    migrationsTableName: 'key_store_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: 1, application_name: 'learnstream-keys-migrate' },
  });
  // Processes starting together (api, projector) take turns: one session-level lock.
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK]);
    await dataSource.initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await lock.end();
  }
}
