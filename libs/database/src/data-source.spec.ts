import { createMigratedDatabase } from '../../../test/support/test-database';

describe('migrations', () => {
  it('create the event store tables on a fresh database and refuse to edit the log', async () => {
    const db = await createMigratedDatabase();
    try {
      const tables = await db.dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
      expect(tables.map((t: { table_name: string }) => t.table_name)).toEqual(expect.arrayContaining(['events', 'streams', 'schema_migrations']));
      await db.dataSource.query(`INSERT INTO streams (stream_id, revision) VALUES ('s-1', 0)`);
      await db.dataSource.query(`INSERT INTO events (stream_id, stream_revision, event_id, event_type, data, metadata) VALUES ('s-1', 0, gen_random_uuid(), 'T', '{}', '{}')`);
      await expect(db.dataSource.query(`UPDATE events SET event_type = 'X'`)).rejects.toThrow(/append-only/);
      await expect(db.dataSource.query(`DELETE FROM events`)).rejects.toThrow(/append-only/);
      await expect(db.dataSource.query(`TRUNCATE events`)).rejects.toThrow(/append-only/);
    } finally {
      await db.drop();
    }
  });
});
