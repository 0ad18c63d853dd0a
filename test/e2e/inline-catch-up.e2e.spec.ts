/**
 * The start-up catch-up of the inline read models is bounded (issue 15): on a
 * log longer than one batch it commits batch by batch, each batch with its
 * checkpoint, and the server answers meanwhile — 503 CATCHING_UP with
 * Retry-After for what reads those read models, /health saying why — until
 * the last short stretch under the exclusive lock marks them inline.
 *
 * The test empties the inline read models of a database that has a log, holds
 * the exclusive lock of the inline read models itself, and starts the app
 * again: everything up to that last stretch must be committed and visible from
 * outside while the app is still catching up. A catch-up in one transaction
 * (or one that waited for the lock first) never lets the app start here.
 */
import pg from 'pg';
import request from 'supertest';
import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { createApp } from '../../apps/api/src/create-app';
import { INLINE_LOCK, InlineProjections } from '../../libs/projections/src';
import { createSchool, openAccount, signInAdmin } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

const BATCH = 5;
let t: TestApp;
let again: INestApplication | undefined;
let locker: pg.Client | undefined;

beforeAll(async () => {
  t = await createTestApp({ PROJECTOR_IN_PROCESS: 'false', PROJECTION_BATCH_SIZE: String(BATCH) });
}, 60_000);

afterAll(async () => {
  await locker?.end();
  await again?.close();
  await t.db.drop();
});

it('catches the inline read models up batch by batch, answering 503 CATCHING_UP meanwhile, then decides on them', async () => {
  const admin = await signInAdmin(t);
  const schoolId = await createSchool(t, admin);
  const people = [];
  for (let i = 0; i < 4 * BATCH; i++) people.push(await openAccount(t, admin, { schoolId, role: i % 4 === 0 ? 'teacher' : 'learner' }));

  const inline = t.app.get(InlineProjections);
  const names = inline.names();
  locker = new pg.Client({ connectionString: t.db.url });
  await locker.connect();
  const snapshot = async () => ({
    accounts: (await locker!.query('SELECT user_id, username, platform_roles, status, opened_in_school FROM accounts ORDER BY user_id')).rows,
    memberships: (await locker!.query('SELECT membership_id, school_id, user_id, role FROM school_memberships ORDER BY membership_id')).rows,
  });
  const before = await snapshot();
  expect(before.accounts.length).toBe(people.length + 1);
  expect(before.memberships.length).toBe(people.length);

  // The read models emptied and no longer marked inline (as on a database whose read models were asynchronous, or lost).
  await t.app.get<DataSource>(getDataSourceToken()).transaction(async (tx) => {
    for (const p of inline.projections) await p.reset(tx);
    await tx.query('UPDATE projection_checkpoints SET inline = false, position_commit = -1, position_prepare = -1, events_handled = 0 WHERE name = ANY($1)', [names]);
  });
  await t.app.close();
  expect((await snapshot()).accounts).toEqual([]);

  await locker.query('SELECT pg_advisory_lock($1)', [INLINE_LOCK]);

  again = await createApp(t.config, t.db.url, false);
  await again.init();
  const started = again.get(InlineProjections);
  expect(started.catchingUp).toBe(true);
  const http = () => request(again!.getHttpServer());

  const me = await http().get('/api/v1/me').set(admin.auth);
  expect(me.status).toBe(503);
  expect(me.body.error.code).toBe('CATCHING_UP');
  expect(me.headers['retry-after']).toBe('5');
  expect((await http().post('/graphql').set(admin.auth).send({ query: '{ __typename }' })).status).toBe(503);
  const health = await http().get('/health');
  expect(health.status).toBe(503);
  expect(health.body.reason).toMatch(/catching up/);
  // The operations token still sees the progress.
  expect((await http().get('/api/v1/admin/projections').set({ Authorization: `Bearer ${t.config.opsToken}` })).status).toBe(200);

  // The batches are done when the last stretch waits for the lock the test holds.
  const waiting = async () =>
    (await locker!.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = $1 AND NOT granted`, [INLINE_LOCK])).rows[0].n;
  const deadline = Date.now() + 30_000;
  while ((await waiting()) === 0) {
    if (Date.now() > deadline) throw new Error('the catch-up never reached its last stretch');
    await new Promise((r) => setTimeout(r, 20));
  }
  // Committed batch by batch: visible from another connection while the app is still catching up.
  const checkpoints = (await locker.query<{ name: string; position_commit: string; inline: boolean; events_handled: string }>('SELECT name, position_commit, inline, events_handled FROM projection_checkpoints WHERE name = ANY($1)', [names])).rows;
  const accounts = checkpoints.find((c) => c.name === 'accounts')!;
  expect(accounts.inline).toBe(false);
  expect(Number(accounts.events_handled)).toBeGreaterThanOrEqual(BATCH);
  expect(Number(accounts.position_commit)).toBeGreaterThan(0);
  const during = await snapshot();
  expect(during.accounts.length).toBeGreaterThanOrEqual(BATCH);
  expect(started.catchingUp).toBe(true);

  await locker.query('SELECT pg_advisory_unlock($1)', [INLINE_LOCK]);
  await started.caughtUp();
  expect(started.catchingUp).toBe(false);
  expect(started.active).toBe(true);
  expect(await snapshot()).toEqual(before);
  const marked = (await locker.query<{ inline: boolean }>('SELECT inline FROM projection_checkpoints WHERE name = ANY($1)', [names])).rows;
  expect(marked.every((r) => r.inline)).toBe(true);

  // Decisions read them again, and a new write is applied inline.
  expect((await http().get('/api/v1/me').set(admin.auth)).status).toBe(200);
  expect((await http().get('/health')).status).toBe(200);
  const again2 = { app: again, config: t.config, db: t.db, opsToken: t.config.opsToken, clock: t.clock, close: async () => undefined };
  const newcomer = await openAccount(again2, admin, { schoolId, role: 'learner' });
  expect((await http().get('/api/v1/me').set(newcomer.auth)).status).toBe(200);
}, 180_000);
