/**
 * A real EventLog on a fresh migrated database: PostgreSQL event store, key
 * store and cipher, and a registry with the given event types.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { EventLog } from '../../libs/event-store/src/event-log';
import { EventRegistry, type EventTypeDefinition } from '../../libs/event-store/src/event-registry';
import { PostgresEventStore } from '../../libs/event-store/src/postgres/postgres-event-store';
import { KeyStore, PersonalDataCipher } from '../../libs/personal-data/src';
import { poolOf, type EntityList } from '../../libs/database/src/data-source';
import { createKeyStoreDatabase, createMigratedDatabase } from './test-database';

export interface EventLogFixture {
  url: string;
  pool: pg.Pool;
  /** The key store's own database (keys and the erasure ledger). */
  keyStoreUrl: string;
  keyPool: pg.Pool;
  dataSource: DataSource;
  store: PostgresEventStore;
  keys: KeyStore;
  log: EventLog;
  masterKey: Buffer;
  close(): Promise<void>;
}

export async function createEventLogFixture(types: EventTypeDefinition[], entities: EntityList = []): Promise<EventLogFixture> {
  const db = await createMigratedDatabase(entities);
  // One pool, as in the app: the DataSource's (its connections' errors are handled by poolOptions).
  const pool = poolOf(db.dataSource);
  const store = new PostgresEventStore(pool, { pollIntervalMs: 20 });
  const masterKey = randomBytes(32);
  const keyStoreUrl = await createKeyStoreDatabase(db);
  const keyPool = new pg.Pool({ connectionString: keyStoreUrl, max: 5 });
  keyPool.on('error', () => undefined);
  const keys = new KeyStore(keyPool, masterKey);
  await keys.verifyMasterKey();
  const log = new EventLog(store, new PersonalDataCipher(keys), new EventRegistry().register(...types));
  return {
    url: db.url,
    pool,
    keyStoreUrl,
    keyPool,
    dataSource: db.dataSource,
    store,
    keys,
    log,
    masterKey,
    close: async () => {
      await store.close();
      await keys.close();
      await keyPool.end();
      await db.drop();
    },
  };
}
