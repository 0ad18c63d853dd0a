/**
 * The key store is a store of its own (another database: KEYSTORE_DATABASE_URL).
 * While it refuses connections every sign-in and every write that seals
 * personal data answers 503 DATABASE_UNAVAILABLE; /health must say so too
 * (503, a reason naming the key store, Retry-After), or a load balancer keeps
 * sending everyone to a server that cannot sign anyone in. Once the key
 * store is back, /health and sign-in recover by themselves.
 */
import pg from 'pg';
import request from 'supertest';
import { keyStoreUrlFor } from '../../libs/database/src/key-store-database';
import { TEST_ADMIN, createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let operator: pg.Client;
let keysDatabase: string;
const api = () => request(t.app.getHttpServer());

beforeAll(async () => {
  t = await createTestApp();
  keysDatabase = new URL(keyStoreUrlFor(t.db.url)).pathname.slice(1);
  const maintenance = new URL(t.db.url);
  maintenance.pathname = '/postgres';
  operator = new pg.Client({ connectionString: maintenance.toString() });
  await operator.connect();
}, 60_000);

afterAll(async () => {
  await operator?.query(`ALTER DATABASE "${keysDatabase}" ALLOW_CONNECTIONS true`).catch(() => undefined);
  await operator?.end();
  await t?.close();
});

const signIn = () => api().post('/api/v1/auth/login').send(TEST_ADMIN);

it('answers 503 naming the key store while its database refuses connections, and 200 once it is back', async () => {
  await api().get('/health').expect(200);
  await operator.query(`ALTER DATABASE "${keysDatabase}" ALLOW_CONNECTIONS false`);
  await operator.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [keysDatabase]);

  const login = await signIn();
  expect({ status: login.status, code: login.body.error?.code }).toEqual({ status: 503, code: 'DATABASE_UNAVAILABLE' });
  const down = await api().get('/health');
  expect({ status: down.status, health: down.body.status, keyStore: down.body.keyStore?.status, retryAfter: down.headers['retry-after'] }).toEqual({
    status: 503,
    health: 'down',
    keyStore: 'down',
    retryAfter: '2',
  });
  expect(down.body.reason).toMatch(/^key store: /);
  expect(down.body.database).toEqual({ status: 'up' });

  await operator.query(`ALTER DATABASE "${keysDatabase}" ALLOW_CONNECTIONS true`);
  const up = await api().get('/health');
  expect({ status: up.status, keyStore: up.body.keyStore }).toEqual({ status: 200, keyStore: { status: 'up' } });
  expect((await signIn()).status).toBe(200);
}, 60_000);
