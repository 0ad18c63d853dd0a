/** The real HTTP application on a fresh migrated test database. */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { loadConfig, type AppConfig } from '../../libs/config/src';
import { TestClock } from '../../libs/domain/src';
import { createApp } from '../../apps/api/src/create-app';
import { createTestDatabase, type TestDatabase } from './test-database';

/** The platform admin the first start creates (DESIGN.md). */
export const TEST_ADMIN = { username: 'admin', password: 'admin-test-password-1' };

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  db: TestDatabase;
  opsToken: string;
  /** The application's clock: the wall clock until a test moves it (`t.clock.advance(ms)`), instead of sleeping. */
  clock: TestClock;
  close(): Promise<void>;
}

export function testEnv(databaseUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    MASTER_KEY: randomBytes(32).toString('base64'),
    OPS_TOKEN: randomBytes(24).toString('base64url'),
    PORT: '0',
    PROJECTION_POLL_MS: '20',
    ADMIN_USERNAME: TEST_ADMIN.username,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    // Every test signs in its many users from one address (127.0.0.1): the per-address limits are for
    // real clients. test/e2e/abuse.e2e.spec.ts puts them back (an empty value means the default).
    RATE_LIMIT_PER_MINUTE: '0',
    SIGNIN_RATE_LIMIT_PER_MINUTE: '100000',
    // Each app its own erasure ledger file (the key store database is `<name>_keys`, dropped with the database).
    ERASURE_LEDGER_PATH: join(tmpdir(), `learnstream-ledger-${new URL(databaseUrl).pathname.slice(1)}.jsonl`),
    ...overrides,
  };
}

export async function createTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = loadConfig(testEnv(db.url, overrides));
  const clock = new TestClock();
  const app = await createApp(config, db.url, false, { clock });
  await app.init();
  return {
    app,
    config,
    db,
    opsToken: config.opsToken,
    clock,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}
