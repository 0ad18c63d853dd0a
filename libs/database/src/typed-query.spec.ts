import pg from 'pg';
import type { DataSource } from 'typeorm';
import { createMigratedDatabase, type TestDatabase } from '../../../test/support/test-database';
import { query, queryOne } from './typed-query';

interface Row {
  n: number;
  word: string;
}

describe('query<Row>', () => {
  let db: TestDatabase & { dataSource: DataSource };
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createMigratedDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 1 });
  }, 120_000);

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const sql = `SELECT n, 'w' || n AS word FROM generate_series(1, $1::int) AS n ORDER BY n`;
  const expected = (count: number): Row[] => Array.from({ length: count }, (_, i) => ({ n: i + 1, word: `w${i + 1}` }));

  it('gives the same rows through a pg pool, a TypeORM DataSource and an EntityManager', async () => {
    expect(await query<Row>(pool, sql, [3])).toEqual(expected(3));
    expect(await query<Row>(db.dataSource, sql, [2])).toEqual(expected(2));
    expect(await db.dataSource.transaction((tx) => query<Row>(tx, sql, [4]))).toEqual(expected(4));
  });

  it('gives an empty list for no rows, and queryOne the first row or null', async () => {
    expect(await query<Row>(pool, sql, [0])).toEqual([]);
    expect(await queryOne<Row>(db.dataSource, sql, [5])).toEqual(expected(1)[0]);
    expect(await queryOne<Row>(pool, sql, [0])).toBeNull();
  });
});
