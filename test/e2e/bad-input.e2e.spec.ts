/**
 * Bad input, generated from `/docs-json` (issue 12): every write operation
 * (POST, PUT, PATCH, DELETE) of the OpenAPI document is called with payloads
 * built from its own schema and then broken one way at a time: wrong types,
 * missing and extra fields, a NUL and a lone surrogate in every string, a
 * 1 MB string, deep nesting, huge and negative numbers, invalid and nil ids
 * (in the body and the path). Every answer must be a 4xx; and, over the whole
 * run, no event is appended and no projection dead-letters. A new endpoint is
 * covered without anyone listing it.
 *
 * The caller is the platform admin (past authorization wherever there is
 * one, so that validation is what answers). Twice: with random ids in the
 * path and the body (whatever passes validation meets 404, never a write),
 * and with REAL ids of a seeded school (test/support/victim-school.ts: a
 * course, quiz, attempt, assignment, offline test, gradebook item, transfer,
 * link, privacy request...), so that every payload reaches the command's own
 * checks. After each payload: a 4xx, and the event count unchanged; after
 * each operation, no dead letter.
 *
 * Runtime: each operation gets at most a few variants per kind of breakage
 * (fields are sampled in order, capped), ~30 requests per operation.
 */
import pg from 'pg';
import request from 'supertest';
import { PASSWORD, registerUser, signIn, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { idOfField, pathValue, seedVictim, type Victim } from '../support/victim-school';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a dynamic walk over /docs-json and the payloads built from it
type Json = any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above: an OpenAPI schema object, read field by field
type Schema = Record<string, any>;

let t: TestApp;
let admin: Session;
let doc: Json;
let db: pg.Client;
/** The seeded school whose ids the second run uses. */
let world: Victim;
/** Where ids come from: random (nothing exists) or the seeded school's. */
type Ids = 'random' | 'real';
const http = () => request(t.app.getHttpServer());

/** Failed sign-ins are recorded by design (LoginFailed): these operations may append on a 401. */
const RECORDS_FAILURES = new Set(['POST /api/v1/auth/login', 'POST /api/v1/auth/password']);
const PER_KIND = 4;
const NIL = '00000000-0000-0000-0000-000000000000';
const MB = 'x'.repeat(1024 * 1024);

beforeAll(async () => {
  t = await createTestApp();
  admin = await signInAdmin(t);
  doc = (await http().get('/docs-json').expect(200)).body;
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  const d = await registerUser(t);
  await http().put(`/api/v1/users/${d.userId}/roles/dpo`).set(admin.auth).expect(204);
  world = await seedVictim(t, admin, await signIn(t, d.username, PASSWORD));
}, 300_000);

afterAll(async () => {
  await db.end();
  await t.close();
});

const countEvents = async (): Promise<number> => (await db.query('SELECT count(*)::int AS n FROM events')).rows[0].n;

function resolve(schema: Schema | undefined): Schema {
  let s = schema ?? {};
  for (let i = 0; i < 20 && s.$ref; i++) s = doc.components.schemas[s.$ref.split('/').pop()];
  if (s.allOf) return s.allOf.map(resolve).reduce((a: Schema, b: Schema) => ({ ...a, ...b, properties: { ...a.properties, ...b.properties }, required: [...(a.required ?? []), ...(b.required ?? [])] }), {});
  if (s.oneOf || s.anyOf) return resolve((s.oneOf ?? s.anyOf)[0]);
  return s;
}

/** A value that fits the schema as far as its shape goes (ids random, or the seeded school's by the field's name). */
function sample(schema: Schema | undefined, ids: Ids, name = '', depth = 0): Json {
  const s = resolve(schema);
  if (s.example !== undefined) return s.example;
  if (s.enum) return s.enum[0];
  switch (s.type) {
    case 'string':
      if (s.format === 'uuid') return (ids === 'real' && idOfField(world, name)) || crypto.randomUUID();
      if (s.format === 'date-time') return new Date().toISOString();
      if (s.format === 'date') return '2020-01-01';
      if (s.format === 'email') return 'someone@example.com';
      return 'sample';
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return depth > 4 ? [] : [sample(s.items, ids, name.replace(/s$/, ''), depth + 1)];
    default: {
      if (depth > 4 || !s.properties) return {};
      return Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, sample(v as Schema, ids, k, depth + 1)]));
    }
  }
}

interface Field {
  path: string[];
  schema: Schema;
}

/** The fields of a body schema, nested objects included (not array items), in document order. */
function fields(schema: Schema | undefined, path: string[] = [], depth = 0): Field[] {
  const s = resolve(schema);
  if (!s.properties || depth > 3) return [];
  return Object.entries(s.properties).flatMap(([k, v]) => {
    const here = { path: [...path, k], schema: resolve(v as Schema) };
    return [here, ...fields(v as Schema, here.path, depth + 1)];
  });
}

function withValue(body: Json, path: string[], value: Json): Json {
  const copy = structuredClone(body);
  let node = copy;
  for (const key of path.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
    node = node[key];
  }
  if (value === undefined) delete node[path[path.length - 1]];
  else node[path[path.length - 1]] = value;
  return copy;
}

const wrongType = (s: Schema): Json => (s.type === 'string' ? 42 : s.type === 'array' ? 'not-an-array' : s.type === 'object' || s.properties ? 'not-an-object' : 'not-a-number');

interface Variant {
  what: string;
  path: string;
  body?: Json;
}

/** The broken requests of one operation. */
function variants(path: string, op: Json, ids: Ids): Variant[] {
  const params: Json[] = (op.parameters ?? []).filter((p: Json) => p.in === 'path');
  const segments = path.split('/');
  const idOf = (name: string) => (ids === 'real' && pathValue(world, segments[segments.indexOf(`{${name}}`) - 1], name)) || crypto.randomUUID();
  const fill = (value: (name: string) => string) => path.replace(/\{(\w+)\}/g, (_, name) => value(name));
  const okPath = fill(idOf);
  const out: Variant[] = [];
  for (const p of params.slice(0, 2)) {
    for (const bad of ['not-a-uuid', NIL, 'a%00b']) out.push({ what: `path ${p.name}=${bad}`, path: fill((n) => (n === p.name ? bad : idOf(n))) });
  }
  const schema = op.requestBody?.content?.['application/json']?.schema;
  if (!schema) {
    out.push({ what: 'unexpected body with a NUL', path: okPath, body: { note: 'a\u0000b' } });
    return out;
  }
  const base = sample(schema, ids);
  const all = fields(schema);
  const top = resolve(schema);
  const strings = all.filter((f) => f.schema.type === 'string');
  const numbers = all.filter((f) => f.schema.type === 'number' || f.schema.type === 'integer');
  const idFields = strings.filter((f) => f.schema.format === 'uuid' || /Id$/.test(f.path[f.path.length - 1]));
  const cap = <T>(xs: T[]) => xs.slice(0, PER_KIND);
  out.push({ what: 'an array body', path: okPath, body: [] });
  out.push({ what: 'a string body', path: okPath, body: '"x"' });
  out.push({ what: 'an empty object', path: okPath, body: {} });
  out.push({ what: 'an extra field', path: okPath, body: { ...base, unexpectedField: 1 } });
  // As raw JSON: stringifying 5,000 levels would overflow the client's own stack.
  const deepKey = all[0]?.path[0] ?? 'x';
  const rest = Object.fromEntries(Object.entries(base ?? {}).filter(([k]) => k !== deepKey));
  out.push({ what: 'deep nesting', path: okPath, body: `${JSON.stringify(rest).slice(0, -1)}${Object.keys(rest).length ? ',' : ''}${JSON.stringify(deepKey)}:${'['.repeat(5000)}1${']'.repeat(5000)}}` });
  for (const name of cap((top.required ?? []) as string[])) out.push({ what: `without ${name}`, path: okPath, body: withValue(base, [name], undefined) });
  for (const f of cap(all)) out.push({ what: `${f.path.join('.')} of a wrong type`, path: okPath, body: withValue(base, f.path, wrongType(f.schema)) });
  for (const f of strings.filter((f) => !f.schema.enum)) {
    out.push({ what: `NUL in ${f.path.join('.')}`, path: okPath, body: withValue(base, f.path, 'a\u0000b') });
    out.push({ what: `lone surrogate in ${f.path.join('.')}`, path: okPath, body: withValue(base, f.path, 'a\ud800b') });
  }
  if (strings[0]) out.push({ what: `1 MB in ${strings[0].path.join('.')}`, path: okPath, body: withValue(base, strings[0].path, MB) });
  for (const f of cap(numbers)) {
    for (const n of [1e308, -1e308, -1, 2 ** 53 + 2, 'NaN']) out.push({ what: `${f.path.join('.')}=${n}`, path: okPath, body: withValue(base, f.path, n) });
  }
  // 1e400 is Infinity once parsed: sent as raw JSON.
  if (numbers[0]) out.push({ what: `${numbers[0].path.join('.')}=1e400`, path: okPath, body: JSON.stringify(withValue(base, numbers[0].path, 123456789)).replace('123456789', '1e400') });
  for (const f of cap(idFields)) {
    for (const bad of ['not-a-uuid', NIL]) out.push({ what: `${f.path.join('.')}=${bad}`, path: okPath, body: withValue(base, f.path, bad) });
  }
  return out;
}

function writeOperations(): { key: string; method: string; path: string; op: Json }[] {
  return Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    ['post', 'put', 'patch', 'delete'].filter((m) => item[m]).map((m) => ({ key: `${m.toUpperCase()} ${path}`, method: m, path, op: item[m] })),
  );
}

const deadLetters = async (): Promise<number> => (await db.query('SELECT count(*)::int AS n FROM projection_dead_letters')).rows[0].n;

/** Waits until every projection has applied the log's head, then counts dead letters (a payload that slipped through would be parked by then). */
async function settledDeadLetters(): Promise<number> {
  const { EventLog } = await import('../../libs/event-store/src');
  const { ProjectionRunner } = await import('../../libs/projections/src');
  const head = await t.app.get(EventLog).store.headPosition();
  if (head) await t.app.get(ProjectionRunner).waitFor(head, 60_000);
  return deadLetters();
}

it('finds the write operations in /docs-json', () => {
  const keys = writeOperations().map((o) => o.key);
  expect(keys.length).toBeGreaterThan(60);
  expect(keys).toEqual(expect.arrayContaining(['POST /api/v1/courses', 'POST /api/v1/courses/{courseId}/quizzes', 'POST /api/v1/activity', 'POST /api/v1/auth/register', 'POST /xapi/statements']));
});

/** Sends every broken payload of every write operation; returns what went wrong, and the statuses seen. */
async function run(ids: Ids): Promise<{ failures: string[]; requests: number; statuses: Record<number, number> }> {
  const failures: string[] = [];
  let requests = 0;
  const statuses: Record<number, number> = {};
  for (const { key, method, path, op } of writeOperations()) {
    const deadBefore = await deadLetters();
    for (const v of variants(path, op, ids)) {
      const before = await countEvents();
      let req = http()[method as 'post' | 'put' | 'patch' | 'delete'](v.path).set(admin.auth).set('X-Experience-API-Version', '1.0.3');
      if (v.body !== undefined) req = typeof v.body === 'string' ? req.set('Content-Type', 'application/json').send(v.body) : req.send(v.body);
      const res = await req;
      requests += 1;
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      const after = await countEvents();
      // A PATCH of nothing changes nothing: 200 with the resource as it is, and no event, is its right answer.
      const emptyPatch = method === 'patch' && v.what === 'an empty object' && res.status === 200 && after === before;
      if ((res.status < 400 || res.status >= 500) && !emptyPatch) failures.push(`${key} with ${v.what}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      if (after !== before && !RECORDS_FAILURES.has(key)) failures.push(`${key} with ${v.what}: ${after - before} event(s) appended by a refused request`);
    }
    if ((await deadLetters()) !== deadBefore) failures.push(`${key}: dead letters after its refused requests`);
  }
  return { failures, requests, statuses };
}

it('answers every broken write with a 4xx, appends nothing and dead-letters nothing (random ids)', async () => {
  const deadBefore = await settledDeadLetters();
  const { failures, requests, statuses } = await run('random');
  expect(requests).toBeGreaterThan(1000);
  // Validation answers most of them (400, 413), not the lookup of a random id: the payloads reach the checks.
  expect(((statuses[400] ?? 0) + (statuses[413] ?? 0)) / requests).toBeGreaterThan(0.8);
  expect(failures).toEqual([]);
  expect(await settledDeadLetters()).toBe(deadBefore);
}, 900_000);

it('answers every broken write with a 4xx, appends nothing and dead-letters nothing (real ids of a seeded school)', async () => {
  const deadBefore = await settledDeadLetters();
  const { failures, requests, statuses } = await run('real');
  expect(requests).toBeGreaterThan(1000);
  // With real ids, 404 is rare: the payloads meet the commands' own checks (what is left: ids a body names that are not the school's).
  expect(statuses[404] ?? 0).toBeLessThan(requests * 0.05);
  expect(failures).toEqual([]);
  expect(await settledDeadLetters()).toBe(deadBefore);
}, 900_000);
