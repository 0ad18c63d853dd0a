/**
 * What every Learnstream process shares: configuration, the PostgreSQL pool and
 * TypeORM (schema from migrations only), the event store adapter chosen by
 * configuration, the personal-data key store and cipher, and the EventLog.
 */
import { Global, Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { dataSourceOptions, poolOf } from '@learnstream/database';
import { connectEsdb, EVENT_STORE, EventLog, EventRegistry, PostgresEventStore, type EventStore, type EventTypeDefinition } from '@learnstream/event-store';
import { KeyStore, PersonalDataCipher } from '@learnstream/personal-data';
import type pg from 'pg';
import type { DataSource } from 'typeorm';

export const PG_POOL = Symbol('PG_POOL');

const logger = new Logger('Database');

export interface CoreOptions {
  config: AppConfig;
  databaseUrl: string;
  /** Event types the log accepts (the composition lists them). */
  events?: EventTypeDefinition[];
}

@Global()
@Module({})
export class CoreModule implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly keys: KeyStore,
  ) {}

  static forRoot({ config, databaseUrl, events = [] }: CoreOptions): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(databaseUrl, [], {
            max: config.databasePoolMax,
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
        {
          provide: PG_POOL,
          // TypeORM's pool, the process's only one (DATABASE_POOL_MAX); TypeORM closes it.
          // Through the DataSource, nothing touches the database before the migrations ran.
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) => poolOf(dataSource),
        },
        {
          provide: EVENT_STORE,
          inject: [PG_POOL],
          useFactory: async (pool: pg.Pool): Promise<EventStore> =>
            config.eventStore.kind === 'esdb'
              ? connectEsdb(config.eventStore.esdbConnectionString!)
              : new PostgresEventStore(pool, { pollIntervalMs: config.projections.pollIntervalMs }),
        },
        {
          provide: KeyStore,
          inject: [PG_POOL],
          useFactory: async (pool: pg.Pool) => {
            const keys = new KeyStore(pool, config.masterKey);
            await keys.verifyMasterKey();
            return keys;
          },
        },
        { provide: PersonalDataCipher, inject: [KeyStore], useFactory: (keys: KeyStore) => new PersonalDataCipher(keys) },
        { provide: EventRegistry, useValue: new EventRegistry().register(...events) },
        {
          provide: EventLog,
          inject: [EVENT_STORE, PersonalDataCipher, EventRegistry],
          useFactory: (store: EventStore, cipher: PersonalDataCipher, registry: EventRegistry) => new EventLog(store, cipher, registry),
        },
      ],
      exports: [APP_CONFIG, PG_POOL, EVENT_STORE, KeyStore, PersonalDataCipher, EventRegistry, EventLog],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    await this.keys.close();
  }
}
