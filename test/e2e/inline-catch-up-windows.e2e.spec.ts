/**
 * The inline read models' catch-up reads the log in windows of positions
 * (InlineProjections.page: 50 batches of events of every type, here 250): a
 * read model whose events are rare passes whole windows, each ending at its
 * last place, and the last window ends at the log's last event. An event on
 * either side of a window's edge, and the one after the last whole window,
 * must each be applied once: a window that ended one place too far would
 * skip the first event of the next.
 *
 * The log: a school, events no inline read model reads (written into the log
 * directly) up to an edge, a school on each side of it, more filler over
 * several whole windows, and a school in the last, partial window. The
 * schools read model is emptied and the app started again: it must hold the
 * same rows.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { createApp } from '../../apps/api/src/create-app';
import { InlineProjections } from '../../libs/projections/src';
import { createSchool, signInAdmin } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

const BATCH = 5;
const WINDOW = 50 * BATCH;
let t: TestApp;
let again: INestApplication | undefined;
let client: pg.Client;

beforeAll(async () => {
  t = await createTestApp({ PROJECTOR_IN_PROCESS: 'false', PROJECTION_BATCH_SIZE: String(BATCH) });
  client = new pg.Client({ connectionString: t.db.url });
  await client.connect();
}, 60_000);

afterAll(async () => {
  await client?.end();
  await again?.close();
  await t.db.drop();
});

const eventsInLog = async () => Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0].n);

/** Events of a type no read model reads, appended until the log holds `until` events. */
async function fillTo(until: number): Promise<void> {
  const n = until - (await eventsInLog());
  expect(n).toBeGreaterThan(0);
  await client.query(
    `INSERT INTO events (stream_id, stream_revision, event_id, event_type, data, metadata)
     SELECT 'filler-' || $2, g, gen_random_uuid(), 'WindowFiller', '{}', '{}' FROM generate_series(0, $1 - 1) g`,
    [n, randomUUID()],
  );
}

/** Where the school's SchoolCreated is in the log's order (1 = first). */
async function placeOf(schoolId: string): Promise<number> {
  const { rows } = await client.query<{ place: string }>(
    `SELECT place FROM (SELECT data->>'schoolId' AS school_id, event_type, row_number() OVER (ORDER BY transaction_id, global_position) AS place FROM events) e
     WHERE school_id = $1 AND event_type = 'SchoolCreated'`,
    [schoolId],
  );
  return Number(rows[0].place);
}

it('applies the events on both sides of a window edge and after the last whole window once each', async () => {
  const admin = await signInAdmin(t);
  const schools = [await createSchool(t, admin, 'Before the windows')];
  const edge = Math.ceil(((await eventsInLog()) + 2) / WINDOW) * WINDOW;
  await fillTo(edge - 1);
  schools.push(await createSchool(t, admin, 'Last of a window'));
  expect(await placeOf(schools[1])).toBe(edge);
  schools.push(await createSchool(t, admin, 'First of the next'));
  expect(await placeOf(schools[2])).toBe(edge + 1);
  await fillTo(edge + 3 * WINDOW + 7);
  schools.push(await createSchool(t, admin, 'In the last window'));

  const rows = async () => (await client.query('SELECT * FROM schools ORDER BY school_id')).rows;
  const before = await rows();
  expect(before.map((r) => r.school_id).sort()).toEqual([...schools].sort());

  const inline = t.app.get(InlineProjections);
  const schoolsModel = inline.projections.find((p) => p.name === 'schools')!;
  await t.app.get<DataSource>(getDataSourceToken()).transaction(async (tx) => {
    await schoolsModel.reset(tx);
    await tx.query(`UPDATE projection_checkpoints SET inline = false, position_commit = -1, position_prepare = -1, events_handled = 0 WHERE name = 'schools'`);
  });
  await t.app.close();
  expect(await rows()).toEqual([]);

  again = await createApp(t.config, t.db.url, false);
  await again.init();
  await again.get(InlineProjections).caughtUp();
  expect(await rows()).toEqual(before);
  const [checkpoint] = (await client.query<{ inline: boolean; events_handled: string }>(`SELECT inline, events_handled FROM projection_checkpoints WHERE name = 'schools'`)).rows;
  expect(checkpoint).toEqual({ inline: true, events_handled: String(schools.length) });
}, 120_000);
