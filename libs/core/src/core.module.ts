/**
 * What every Learnstream process shares: configuration, the PostgreSQL pool and
 * TypeORM (schema from migrations only), the event store adapter chosen by
 * configuration, the personal-data key store and cipher, and the EventLog.
 */
import { Global, Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { dataSourceOptions, keyStoreUrlFor, migrateKeyStore, PgListener, poolOf, poolOptions } from '@learnstream/database';
import { connectEsdb, EVENT_STORE, EventLog, EventRegistry, PostgresEventStore, type EventStore, type EventTypeDefinition } from '@learnstream/event-store';
import { KeyStore, PersonalDataCipher } from '@learnstream/personal-data';
import { Clock, systemClock } from '@learnstream/domain';
import pg from 'pg';
import type { DataSource } from 'typeorm';

export const PG_POOL = Symbol('PG_POOL');
/** The key store's own database (docs/privacy.md): keys and the erasure ledger, apart from the events. */
export const KEYSTORE_POOL = Symbol('KEYSTORE_POOL');
/**
 * The process's one LISTEN connection to the event database (PgListener): the event store's
 * notifications and the session revocations, multiplexed.
 */
export const PG_LISTENER = Symbol('PG_LISTENER');
/** Connections of the key store's pool: one freshness query per sealing or opening call, short. */
export const KEYSTORE_POOL_MAX = 2;
/**
 * Connections a process holds besides the event database's pool (DATABASE_POOL_MAX): the key
 * store's pool, its LISTEN connection (key destructions, in the key store's database) and the
 * event database's one LISTEN connection. README, "Database connections".
 */
export const CONNECTIONS_BESIDES_POOL = KEYSTORE_POOL_MAX + 2;

const logger = new Logger('Database');

export interface CoreOptions {
  config: AppConfig;
  databaseUrl: string;
  /** Event types the log accepts (the composition lists them). */
  events?: EventTypeDefinition[];
  /** "Now" for every handler, service and query (the system clock unless a test gives its own). */
  clock?: Clock;
}

@Global()
@Module({})
export class CoreModule implements OnApplicationShutdown {
  constructor(
    @Inject(KEYSTORE_POOL) private readonly keyPool: pg.Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PG_LISTENER) private readonly listener: PgListener,
    private readonly keys: KeyStore,
  ) {}

  static forRoot({ config, databaseUrl, events = [], clock = systemClock }: CoreOptions): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(databaseUrl, [], {
            max: config.databasePoolMax,
            lockTimeoutMs: config.databaseLockTimeoutMs,
            // Logged, never fatal: the pool replaces the connection on the next checkout.
            onConnectionLost: (error) => logger.warn({ msg: 'database connection lost', error: error.message, code: (error as { code?: string }).code }),
          }),
          autoLoadEntities: true,
          migrationsRun: true,
          retryAttempts: 3,
        }),
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: Clock, useValue: clock },
        {
          provide: PG_POOL,
          // TypeORM's pool, the process's only one (DATABASE_POOL_MAX); TypeORM closes it.
          // Through the DataSource, nothing touches the database before the migrations ran.
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) => poolOf(dataSource),
        },
        {
          provide: PG_LISTENER,
          inject: [PG_POOL],
          useFactory: (pool: pg.Pool) => new PgListener({ connectionString: databaseUrl, keepAlive: true, ssl: pool.options.ssl }),
        },
        {
          provide: EVENT_STORE,
          inject: [PG_POOL, PG_LISTENER],
          useFactory: async (pool: pg.Pool, listener: PgListener): Promise<EventStore> =>
            config.eventStore.kind === 'esdb'
              ? connectEsdb(config.eventStore.esdbConnectionString!)
              : // A subscription reads the log in pages of a projection batch: the runner takes what a page holds, so a
                // page smaller than PROJECTION_BATCH_SIZE would cut every batch at the page.
                new PostgresEventStore(pool, { pageSize: config.projections.batchSize, pollIntervalMs: config.projections.pollIntervalMs, safetyPollMs: config.projections.idlePollMs, listener }),
        },
        {
          provide: KEYSTORE_POOL,
          // After the event database's migrations: keys it held before 1733000500100 move over (adoptMovedKeys).
          // A second pool, to another database: the key store must not live in the event database (docs/privacy.md).
          inject: [getDataSourceToken()],
          useFactory: async () => {
            const url = config.keyStoreDatabaseUrl ?? keyStoreUrlFor(databaseUrl);
            await migrateKeyStore(url);
            const onConnectionLost = (error: Error) => logger.warn({ msg: 'key store connection lost', error: error.message, code: (error as { code?: string }).code });
            // Idle connections are kept (few, and used on every sealing or opening call): the slots the
            // process holds stay what they were at start, instead of coming and going.
            const pool = new pg.Pool({ connectionString: url, ...poolOptions({ max: KEYSTORE_POOL_MAX, onConnectionLost }), application_name: 'learnstream-keys', idleTimeoutMillis: 0 });
            pool.on('error', onConnectionLost);
            return pool;
          },
        },
        {
          provide: KeyStore,
          inject: [KEYSTORE_POOL, PG_POOL],
          useFactory: async (keyPool: pg.Pool, pool: pg.Pool) => {
            const keys = new KeyStore(keyPool, config.masterKey, { ledgerPath: config.erasureLedgerPath, clock });
            const moved = await keys.adoptMovedKeys(pool);
            if (moved) logger.log({ msg: 'keys moved out of the event database into the key store', keys: moved });
            await keys.verifyMasterKey();
            // Before anything reads or writes personal data: a key store restored from
            // before an erasure loses that person's keys again (docs/privacy.md).
            const reapplied = await keys.reapplyErasures();
            if (reapplied.keysDeleted || reapplied.addedToTable || reapplied.addedToFile) {
              logger.warn({ msg: 'erasures re-applied to the key store', keysDeleted: reapplied.keysDeleted, addedToTable: reapplied.addedToTable, addedToFile: reapplied.addedToFile, erasures: reapplied.erasures.length });
            }
            return keys;
          },
        },
        { provide: PersonalDataCipher, inject: [KeyStore], useFactory: (keys: KeyStore) => new PersonalDataCipher(keys) },
        { provide: EventRegistry, useValue: new EventRegistry().register(...events) },
        {
          provide: EventLog,
          inject: [EVENT_STORE, PersonalDataCipher, EventRegistry],
          useFactory: (store: EventStore, cipher: PersonalDataCipher, registry: EventRegistry) => new EventLog(store, cipher, registry, clock),
        },
      ],
      exports: [APP_CONFIG, Clock, PG_POOL, PG_LISTENER, KEYSTORE_POOL, EVENT_STORE, KeyStore, PersonalDataCipher, EventRegistry, EventLog],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    await this.listener.close();
    await this.keys.close();
    await this.keyPool.end();
  }
}
