/**
 * The classification of database errors, on errors a real PostgreSQL (and pg,
 * and TypeORM) raise, not on hand-made objects.
 */
import { createServer } from 'node:net';
import pg from 'pg';
import { admin, createMigratedDatabase } from '../../../test/support/test-database';
import { classifyDatabaseError, sqlStateOf } from './database-errors';

const failure = async (work: () => Promise<unknown>): Promise<unknown> => {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
};

describe('classifyDatabaseError', () => {
  let db: Awaited<ReturnType<typeof createMigratedDatabase>>;
  beforeAll(async () => {
    db = await createMigratedDatabase();
  });
  afterAll(() => db.drop());

  it('calls data errors (22, 23) the caller’s, through TypeORM’s QueryFailedError too', async () => {
    const divide = await failure(() => db.dataSource.query('SELECT 1 / 0'));
    expect(sqlStateOf(divide)).toBe('22012');
    expect(classifyDatabaseError(divide)).toBe('caller');
    await db.dataSource.query(`INSERT INTO streams (stream_id, revision) VALUES ('errors-1', 0)`);
    const duplicate = await failure(() => db.dataSource.query(`INSERT INTO streams (stream_id, revision) VALUES ('errors-1', 0)`));
    expect(sqlStateOf(duplicate)).toBe('23505');
    expect(classifyDatabaseError(duplicate)).toBe('caller');
  });

  it('calls the rest (a syntax error, a missing table, a plain Error) a bug', async () => {
    expect(classifyDatabaseError(await failure(() => db.dataSource.query('SELEC 1')))).toBe('bug');
    expect(classifyDatabaseError(await failure(() => db.dataSource.query('SELECT * FROM no_such_table')))).toBe('bug');
    expect(classifyDatabaseError(new TypeError('x is undefined'))).toBe('bug');
  });

  it('calls a terminated connection, a refused database, a refused port and a released query runner transient', async () => {
    const client = new pg.Client({ connectionString: db.url });
    const emitted: Error[] = [];
    client.on('error', (e) => emitted.push(e));
    await client.connect();
    const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
    const terminated = await failure(() => client.query('SELECT pg_terminate_backend($1)', [rows[0].pid]));
    expect(classifyDatabaseError(terminated)).toBe('transient'); // 57P01 or "Connection terminated"
    await client.end().catch(() => undefined);

    await admin(async (server) => {
      await server.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS false`);
      try {
        const refused = await failure(async () => {
          const c = new pg.Client({ connectionString: db.url });
          try {
            await c.connect();
          } finally {
            await c.end().catch(() => undefined);
          }
        });
        expect(sqlStateOf(refused)).toBe('55000');
        expect(classifyDatabaseError(refused)).toBe('transient');
      } finally {
        await server.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`);
      }
    });

    // A port nobody listens on.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const nobody = await failure(() => new pg.Client({ host: '127.0.0.1', port, user: 'x', database: 'x' }).connect());
    expect(classifyDatabaseError(nobody)).toBe('transient');

    const runner = db.dataSource.createQueryRunner();
    await runner.release();
    const released = await failure(() => runner.query('SELECT 1'));
    expect((released as Error).name).toBe('QueryRunnerAlreadyReleasedError');
    expect(classifyDatabaseError(released)).toBe('transient');
  });
});
