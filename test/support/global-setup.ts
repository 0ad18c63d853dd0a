/**
 * Tests run against a real PostgreSQL: DATABASE_URL when set (its database name
 * must say "test"), else an embedded server started here for the whole run.
 * Each test file then creates its own database from that server (test-database.ts).
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { startEmbeddedPostgres } from '../../libs/database/src/embedded-postgres';

export default async function globalSetup(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const name = new URL(url).pathname.slice(1);
    if (!/test/i.test(name)) {
      throw new Error(`refusing to run tests against database "${name}": its name must contain "test"`);
    }
    process.env.LEARNSTREAM_TEST_DATABASE_URL = url;
    return;
  }
  const dataDir = resolve('.test-data', `pg-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  const port = 55000 + (process.pid % 5000);
  const db = await startEmbeddedPostgres({ dataDir, port, database: 'learnstream_test' });
  process.env.LEARNSTREAM_TEST_DATABASE_URL = db.url;
  (globalThis as { __embeddedPostgres?: unknown }).__embeddedPostgres = { db, dataDir };
}
