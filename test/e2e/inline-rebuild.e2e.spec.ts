/**
 * A rebuild of an inline read model is batched like the start-up catch-up
 * (issue 15): emptied and unmarked in one short transaction, the log replayed
 * into it in batches of PROJECTION_BATCH_SIZE, each committed with its
 * checkpoint, and the last stretch under the exclusive lock marks it inline
 * again. Meanwhile the process answers 503 CATCHING_UP (nothing decides on a
 * half-rebuilt read model), and an append of one of its event types made
 * during the rebuild is not written into it by the append (the log is being
 * replayed into it) but reaches it through the rebuild's last stretch, once.
 *
 * The test holds the rebuild after its first batch: a trigger on `accounts`
 * makes an insert wait for an advisory lock the test holds once the table has
 * a batch of rows. A rebuild in one transaction shows nothing from outside
 * before it ends and never has a batch committed there.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { EventLog } from '../../libs/event-store/src';
import { InlineProjections } from '../../libs/projections/src';
import { createSchool, openAccount, signInAdmin } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

const BATCH = 5;
const HOLD = 0x4c535242; // the test's own advisory lock key
let t: TestApp;
let locker: pg.Client | undefined;

beforeAll(async () => {
  t = await createTestApp({ PROJECTOR_IN_PROCESS: 'false', PROJECTION_BATCH_SIZE: String(BATCH) });
}, 60_000);

afterAll(async () => {
  await locker?.end();
  await t.close();
  await t.db.drop();
});

it('rebuilds an inline read model batch by batch, answering 503 CATCHING_UP meanwhile; an append made meanwhile reaches it once', async () => {
  const admin = await signInAdmin(t);
  const schoolId = await createSchool(t, admin);
  const people = [];
  for (let i = 0; i < 4 * BATCH; i++) people.push(await openAccount(t, admin, { schoolId, role: 'learner' }));
  locker = new pg.Client({ connectionString: t.db.url });
  await locker.connect();
  const accounts = async () => (await locker!.query('SELECT user_id, username, platform_roles, status, opened_in_school FROM accounts ORDER BY user_id')).rows;
  const memberships = async () => (await locker!.query('SELECT membership_id, school_id, user_id, role FROM school_memberships ORDER BY membership_id')).rows;
  const checkpoint = async () =>
    (await locker!.query<{ inline: boolean; generation: number; events_handled: string; position_commit: string }>('SELECT inline, generation, events_handled, position_commit FROM projection_checkpoints WHERE name = $1', ['accounts'])).rows[0];
  const before = { accounts: await accounts(), memberships: await memberships(), checkpoint: await checkpoint() };
  expect(before.accounts.length).toBe(people.length + 1);
  expect(before.checkpoint.inline).toBe(true);

  // The hold: once `accounts` has a batch of rows, the next insert into it waits for the test's lock.
  await locker.query('SELECT pg_advisory_lock($1)', [HOLD]);
  await locker.query(`
    CREATE FUNCTION rebuild_hold() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT count(*) FROM accounts) >= ${BATCH} THEN PERFORM pg_advisory_xact_lock_shared(${HOLD}); END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER rebuild_hold BEFORE INSERT ON accounts FOR EACH STATEMENT EXECUTE FUNCTION rebuild_hold();`);

  const http = () => request(t.app.getHttpServer());
  const ops = { Authorization: `Bearer ${t.opsToken}` };
  const rebuild = http().post('/api/v1/admin/projections/accounts/rebuild').set(ops).then((res) => res);
  const held = async () => (await locker!.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted`, [HOLD])).rows[0].n > 0;
  for (const deadline = Date.now() + 30_000; !(await held()); ) {
    if (Date.now() > deadline) throw new Error('the rebuild never reached its second batch');
    await new Promise((r) => setTimeout(r, 20));
  }

  // Mid-rebuild: a batch committed with its checkpoint and visible from outside, the read model not marked inline.
  const during = await checkpoint();
  expect(during.inline).toBe(false);
  expect(during.generation).toBe(before.checkpoint.generation + 1);
  expect(Number(during.events_handled)).toBeGreaterThanOrEqual(BATCH);
  expect(Number(during.position_commit)).toBeGreaterThan(0);
  const partial = await accounts();
  expect(partial.length).toBeGreaterThanOrEqual(BATCH);
  expect(partial.length).toBeLessThan(before.accounts.length);
  // Nothing decides on it meanwhile: 503 CATCHING_UP (the operations token still sees the progress).
  const me = await http().get('/api/v1/me').set(admin.auth);
  expect(me.status).toBe(503);
  expect(me.body.error.code).toBe('CATCHING_UP');
  expect((await http().get('/health')).status).toBe(503);
  expect((await http().get('/api/v1/admin/projections').set(ops)).status).toBe(200);

  // An append of an accounts event type meanwhile (the store's own path, as a command's would be):
  // the append leaves the read model being rebuilt alone; the rebuild's last stretch applies it.
  const learner = people[0];
  await t.app.get(EventLog).append(`user-${learner.userId}`, [
    {
      type: 'PlatformRoleGranted',
      data: { userId: learner.userId, role: 'platform_admin', at: t.clock.now().toISOString() },
      envelope: { actorId: null, realActorId: null, courseId: null, schoolId: null, action: 'granted', crud: 'u', object: { type: 'user', id: learner.userId }, relatedUserId: learner.userId, ip: null, userAgent: null, origin: 'cli', correlationId: randomUUID(), causationId: null },
    },
  ]);
  expect((await locker.query('SELECT count(*)::int AS n FROM accounts WHERE user_id = $1', [learner.userId])).rows[0].n).toBeLessThanOrEqual(1);

  await locker.query('SELECT pg_advisory_unlock($1)', [HOLD]);
  expect((await rebuild).status).toBe(202);
  await locker.query('DROP TRIGGER rebuild_hold ON accounts; DROP FUNCTION rebuild_hold()');

  const after = await checkpoint();
  expect(after.inline).toBe(true);
  expect(after.generation).toBe(before.checkpoint.generation + 1);
  expect(t.app.get(InlineProjections).catchingUp).toBe(false);
  const expected = before.accounts.map((a) => (a.user_id === learner.userId ? { ...a, platform_roles: [...(a.platform_roles as string[]), 'platform_admin'] } : a));
  expect(await accounts()).toEqual(expected);
  expect(await memberships()).toEqual(before.memberships);
  expect((await http().get('/api/v1/me').set(admin.auth)).status).toBe(200);
  // Written inline again: a new account is there at once.
  const newcomer = await openAccount(t, admin, { schoolId, role: 'learner' });
  expect((await locker.query('SELECT count(*)::int AS n FROM accounts WHERE user_id = $1', [newcomer.userId])).rows[0].n).toBe(1);
}, 120_000);
