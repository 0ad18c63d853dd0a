/**
 * A fresh database per test file, on the server chosen by global-setup, with
 * every migration run. Its name always contains "test".
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { openDataSource, type EntityList } from '../../libs/database/src/data-source';
import { keyStoreUrlFor, migrateKeyStore } from '../../libs/database/src/key-store-database';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function serverUrl(): URL {
  const raw = process.env.LEARNSTREAM_TEST_DATABASE_URL;
  if (!raw) throw new Error('LEARNSTREAM_TEST_DATABASE_URL is not set: run the tests through jest (global-setup)');
  return new URL(raw);
}

/** Runs `fn` on a connection to the server's own test database (not a per-file one): ALTER/DROP DATABASE, pg_terminate_backend. */
export async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = serverUrl();
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database (no migrations). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = serverUrl();
  const baseName = base.pathname.slice(1);
  if (!/test/i.test(baseName)) throw new Error(`refusing to use database "${baseName}": its name must contain "test"`);
  const name = `${baseName}_${randomBytes(5).toString('hex')}`.toLowerCase();
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    // The key store's database (`<name>_keys`, made by the app or createKeyStoreDatabase) goes with it.
    drop: () =>
      admin(async (c) => {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await c.query(`DROP DATABASE IF EXISTS "${name}_keys" WITH (FORCE)`);
      }),
  };
}

/** The key store database of a test database (`<name>_keys`), created and migrated: its URL. */
export async function createKeyStoreDatabase(db: TestDatabase): Promise<string> {
  const url = keyStoreUrlFor(db.url);
  await migrateKeyStore(url);
  return url;
}

/** Creates a database, runs every migration and opens a DataSource on it. */
export async function createMigratedDatabase(entities: EntityList = []): Promise<TestDatabase & { dataSource: DataSource }> {
  const db = await createTestDatabase();
  const dataSource = await openDataSource(db.url, entities);
  return {
    ...db,
    dataSource,
    drop: async () => {
      await dataSource.destroy();
      await db.drop();
    },
  };
}
