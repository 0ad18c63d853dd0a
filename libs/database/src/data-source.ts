/**
 * One TypeORM DataSource per process. The schema comes only from migrations
 * (run at start-up); `synchronize` is never used.
 */
import { DataSource, type DataSourceOptions, type EntitySchema, type MixedList } from 'typeorm';
import { migrations } from './migrations';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityList = MixedList<Function | string | EntitySchema>;

export function dataSourceOptions(url: string, entities: EntityList = []): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: 20, application_name: 'learnstream' },
  };
}

export async function openDataSource(url: string, entities: EntityList = [], runMigrations = true): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions(url, entities));
  await dataSource.initialize();
  if (runMigrations) await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}
