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
import type { EntityList } from '../../libs/database/src/data-source';
import { createMigratedDatabase } from './test-database';

export interface EventLogFixture {
  url: string;
  pool: pg.Pool;
  dataSource: DataSource;
  store: PostgresEventStore;
  keys: KeyStore;
  log: EventLog;
  masterKey: Buffer;
  close(): Promise<void>;
}

export async function createEventLogFixture(types: EventTypeDefinition[], entities: EntityList = []): Promise<EventLogFixture> {
  const db = await createMigratedDatabase(entities);
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  // An idle connection closed by the server (a database dropped at teardown) is not a test failure.
  pool.on('error', () => undefined);
  const store = new PostgresEventStore(pool, { pollIntervalMs: 20 });
  const masterKey = randomBytes(32);
  const keys = new KeyStore(pool, masterKey);
  await keys.verifyMasterKey();
  const log = new EventLog(store, new PersonalDataCipher(keys), new EventRegistry().register(...types));
  return {
    url: db.url,
    pool,
    dataSource: db.dataSource,
    store,
    keys,
    log,
    masterKey,
    close: async () => {
      await store.close();
      await keys.close();
      await pool.end();
      await db.drop();
    },
  };
}
