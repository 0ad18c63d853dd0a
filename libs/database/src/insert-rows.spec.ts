import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database';
import { insertRows, type Columns } from './insert-rows';
import { query } from './typed-query';

interface Item {
  id: number;
  name: string | null;
  tags: string[];
  at: string;
}

const COLUMNS: Columns<Item> = {
  id: ['int', (r) => r.id],
  name: ['text', (r) => r.name],
  tags: ['text[]', (r) => r.tags],
  at: ['timestamptz', (r) => r.at],
};

describe('insertRows', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  const read = () => query<{ id: number; name: string | null; tags: string[]; at: Date }>(pool, 'SELECT id, name, tags, at FROM items ORDER BY id');

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 1 });
    await pool.query('CREATE TABLE items (id int PRIMARY KEY, name text, tags text[] NOT NULL, at timestamptz NOT NULL, hits int NOT NULL DEFAULT 1)');
  }, 120_000);

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('writes every row in one statement, nulls and ragged text arrays included', async () => {
    const items: Item[] = [
      { id: 1, name: 'one', tags: ['a', 'b', 'c'], at: '2024-05-01T10:00:00.000Z' },
      { id: 2, name: null, tags: [], at: '2024-05-02T10:00:00.000Z' },
      { id: 3, name: "it's, \"quoted\"", tags: ['x'], at: '2024-05-03T10:00:00.000Z' },
      { id: 5, name: 'back\\slash, new\nline, é ✓ {}', tags: ['{"a"}', 'b,c', 'NULL'], at: '2024-05-04T10:00:00.000Z' },
    ];
    await insertRows(pool, 'items', COLUMNS, items);
    expect(await read()).toEqual(items.map((i) => ({ ...i, at: new Date(i.at) })));
  });

  it('adds what follows the SELECT (ON CONFLICT), and sends nothing for no rows', async () => {
    await insertRows(pool, 'items', { id: ['int', (r: { id: number }) => r.id], tags: ['text[]', () => ['again']], at: ['timestamptz', () => '2024-06-01T00:00:00Z'] }, [{ id: 1 }, { id: 4 }], 'ON CONFLICT (id) DO UPDATE SET hits = items.hits + 1');
    expect(await query<{ id: number; hits: number }>(pool, 'SELECT id, hits FROM items ORDER BY id')).toEqual([
      { id: 1, hits: 2 },
      { id: 2, hits: 1 },
      { id: 3, hits: 1 },
      { id: 4, hits: 1 },
      { id: 5, hits: 1 },
    ]);
    await expect(insertRows(pool, 'no_such_table', COLUMNS, [])).resolves.toBeUndefined();
  });
});
