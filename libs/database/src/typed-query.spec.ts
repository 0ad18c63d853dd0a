import pg from 'pg';
import type { DataSource } from 'typeorm';
import { createMigratedDatabase, type TestDatabase } from '../../../test/support/test-database';
import { combineReads, knownRead, query, queryOne, read, readTogether, runRead } from './typed-query';

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

  describe('Read', () => {
    const words = (from: number, to: number) =>
      read(`SELECT n, 'w' || n AS word FROM generate_series($1::int, $2::int) AS n ORDER BY n DESC`, [from, to], (rows: Row[]) => rows.map((r) => r.word));

    it('runs reads with parameters of their own in one statement, each read\'s rows in its order, JSON-typed', async () => {
      const both = await readTogether(db.dataSource, {
        down: words(1, 3),
        none: words(5, 4),
        when: read<{ at: string; big: number; json: { a: number[] } }>(`SELECT $1::timestamptz AS at, $2::bigint AS big, '{"a":[1,2]}'::jsonb AS json`, ['2025-06-02T10:00:00.123Z', 7]),
        known: knownRead('kept'),
      });
      expect(both.down).toEqual(['w3', 'w2', 'w1']);
      expect(both.none).toEqual([]);
      expect(new Date(both.when[0].at).toISOString()).toBe('2025-06-02T10:00:00.123Z');
      expect(both.when[0].big).toBe(7);
      expect(both.when[0].json).toEqual({ a: [1, 2] });
      expect(both.known).toBe('kept');
    });

    it('combines reads into one value, run through a pool or a transaction alike; a read of no statement sends none', async () => {
      const joined = combineReads({ a: words(1, 2), b: words(3, 3) }, ({ a, b }) => [...a, ...b].join(' '));
      expect(await runRead(pool, joined)).toBe('w2 w1 w3');
      expect(await db.dataSource.transaction((tx) => runRead(tx, joined))).toBe('w2 w1 w3');
      const nothing = { query: () => Promise.reject(new Error('no statement expected')) };
      expect(await runRead(nothing, knownRead(3))).toBe(3);
    });

    it('sends a read marked alone as a statement of its own, its value in its place among the others', async () => {
      const sent: string[] = [];
      const counting = { query: (sql: string, params?: unknown[]) => (sent.push(sql), pool.query(sql, params)) };
      const numbers = read(`SELECT n FROM generate_series($1::int, $2::int) AS n ORDER BY n`, [1, 3], (rows: { n: number }[]) => rows.map((r) => r.n), { alone: true });
      expect(await readTogether(counting, { a: words(1, 2), b: numbers, c: words(4, 4) })).toEqual({ a: ['w2', 'w1'], b: [1, 2, 3], c: ['w4'] });
      expect(sent).toHaveLength(2);
      expect(sent[1]).not.toContain('json_agg');
    });
  });
});
