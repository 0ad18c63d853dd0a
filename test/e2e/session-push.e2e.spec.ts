/**
 * A revoked session stops working on every process within 1 s: two API
 * processes on one database, each caching session checks briefly; a logout
 * on one reaches the other by LISTEN/NOTIFY (a trigger on auth_sessions),
 * not by the cache running out.
 */
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApp } from '../../apps/api/src/create-app';
import { SESSION_CACHE_MS } from '../../libs/identity/src/auth/session-store';
import { signInAdmin } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let other: INestApplication;

beforeAll(async () => {
  t = await createTestApp();
  other = await createApp(t.config, t.db.url, false);
  await other.init();
}, 60_000);

afterAll(async () => {
  await other.close();
  await t.close();
});

it('a logout on one process is refused by another within 1 s (its cached check is dropped at once)', async () => {
  expect(SESSION_CACHE_MS).toBeGreaterThan(1000);
  const admin = await signInAdmin(t);
  // The other process checks the session and caches it.
  await request(other.getHttpServer()).get('/api/v1/me').set(admin.auth).expect(200);
  await request(other.getHttpServer()).get('/api/v1/me').set(admin.auth).expect(200);
  await request(t.app.getHttpServer()).post('/api/v1/auth/logout').set(admin.auth).expect(204);
  // From the moment the revocation is committed.
  const started = Date.now();
  let status = 200;
  while (status !== 401 && Date.now() - started < 3000) {
    status = (await request(other.getHttpServer()).get('/api/v1/me').set(admin.auth)).status;
  }
  expect(status).toBe(401);
  expect(Date.now() - started).toBeLessThan(1000);
});
