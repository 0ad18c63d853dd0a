/**
 * Connections are a budget (issue 15): one process with the default
 * configuration holds at most 10 connections, counted by PostgreSQL itself
 * (pg_stat_activity) on the event database and the key store's database,
 * while requests, appends, the projections and the session and event
 * notifications all run at once: the event database's pool
 * (DATABASE_POOL_MAX, default 6), the key store's pool of 2, and ONE LISTEN
 * connection per database.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { CONNECTIONS_BESIDES_POOL } from '../../libs/core/src';
import { createSchool, openAccount, signInAdmin } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let observer: pg.Client;

beforeAll(async () => {
  t = await createTestApp();
  observer = new pg.Client({ connectionString: t.db.url, application_name: 'connections-test-observer' });
  await observer.connect();
}, 60_000);

afterAll(async () => {
  await observer.end();
  await t.close();
});

/** The app's connections, by database and application name (not the observer's). */
async function connections(): Promise<{ datname: string; application_name: string; n: number }[]> {
  const { rows } = await observer.query<{ datname: string; application_name: string; n: number }>(
    `SELECT datname, application_name, count(*)::int AS n FROM pg_stat_activity
     WHERE datname = ANY($1) AND pid <> pg_backend_pid() GROUP BY 1, 2 ORDER BY 1, 2`,
    [[t.db.name, `${t.db.name}_keys`]],
  );
  return rows;
}

const total = (rows: { n: number }[]) => rows.reduce((a, r) => a + r.n, 0);

it('holds at most 10 connections under concurrent load, with one LISTEN connection for events and session revocations', async () => {
  expect(t.config.databasePoolMax + CONNECTIONS_BESIDES_POOL).toBe(10);
  const admin = await signInAdmin(t);
  const schoolId = await createSchool(t, admin);
  const http = () => request(t.app.getHttpServer());
  const [teacher, ...people] = await Promise.all([1, 2, 3, 4].map((i) => openAccount(t, admin, { schoolId, role: i === 1 ? 'teacher' : 'learner' })));
  const course = await http().post('/api/v1/courses').set(teacher.auth).send({ schoolId, title: 'Budget', code: 'BUDGET-1', subject: 'Mathematics', selfEnrolment: { enabled: false } }).expect(201);
  const courseId = course.body.courseId as string;
  for (const p of people) await http().post(`/api/v1/courses/${courseId}/enrolments`).set(teacher.auth).send({ learnerId: p.userId }).expect(201);

  let peak: { datname: string; application_name: string; n: number }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const rows = await connections();
      if (total(rows) > total(peak)) peak = rows;
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const load = [];
  for (let round = 0; round < 10; round++) {
    for (const p of people) {
      load.push(http().get('/api/v1/me').set(p.auth));
      load.push(http().post('/api/v1/activity').set(p.auth).send({ id: randomUUID(), type: 'CourseViewed', courseId }));
    }
    load.push(http().get(`/api/v1/schools/${schoolId}`).set(admin.auth));
    load.push(http().get(`/api/v1/reports/courses/${courseId}`).set(teacher.auth));
    load.push(http().get('/health'));
  }
  const answers = await Promise.all(load);
  sampling = false;
  await sampler;

  // The load was served.
  expect(answers.filter((a) => a.status >= 300).map((a) => `${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
  expect(total(peak)).toBeLessThanOrEqual(10);
  // One LISTEN connection to the event database, serving both channels.
  const now = await connections();
  expect(now.filter((r) => r.datname === t.db.name && r.application_name === 'learnstream-listen').map((r) => r.n)).toEqual([1]);
  const channels = await observer.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN %'`, [t.db.name]);
  expect(channels.rows[0].n).toBe(1);
  expect(total(now)).toBeLessThanOrEqual(10);
}, 120_000);
