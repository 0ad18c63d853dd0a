/**
 * The tenant boundary, tried as a hostile school would (issue 12).
 *
 * 1. Generated from `/docs-json`: every operation of the API, called by each
 *    role of an attacking school (learner, teacher, parent, school admin) with
 *    the ids of a victim school filled into its path, query and body. An answer
 *    to a request that names a victim id must be 401, 403 or 404; no answer may
 *    be a 5xx; and no answer may carry a victim id or name the request did not
 *    itself contain. A new endpoint is covered without anyone listing it: a
 *    path parameter the suite cannot fill fails the suite with its name.
 *    The same operations as nobody (no token, a garbage or expired token, the
 *    token of a locked or a cancelled account): 401 on every operation that
 *    is not public.
 *    GraphQL likewise, generated from the schema: every root field (queries
 *    and mutations) with victim ids wherever an id goes, as the same callers.
 * 2. The chains of the issue, each refused: membership takeover (REST and
 *    GraphQL), ranked accounts (a school admin against the platform admin and
 *    the DPO, whatever memberships say), the parent route to another school's
 *    minor, username lookup, and the download of an approved export.
 *
 * One seeded pair of schools; the matrix runs with a small concurrency.
 */
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { countEvents, createSchool, openAccount, PASSWORD, registerUser, signIn, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { idOfField, ok, pathValue, seedVictim, type Victim } from '../support/victim-school';

let t: TestApp;
const http = () => request(t.app.getHttpServer());
const CONCURRENCY = 4;
const MINOR_DOB = `${new Date().getUTCFullYear() - 12}-03-01`;

// The OpenAPI document is arbitrary JSON walked by key at run time (schemas, $refs, parameters).
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a dynamic walk over /docs-json; a typed OpenAPI model would not check more here
type Json = Record<string, any>;

let admin: Session;
let dpo: Session;
let v: Victim;
let attackers: Record<'learner' | 'teacher' | 'parent' | 'school_admin', Session>;
/**
 * Callers who are nobody: no token, a garbage one, an expired one (signed with
 * the right key), and the tokens of a locked and of a cancelled account of the
 * other school, taken before the lock and the cancellation.
 */
let anonymous: Record<'no_token' | 'garbage_token' | 'expired_token' | 'locked_account' | 'cancelled_account', Pick<Session, 'auth'>>;
let schoolB: string;

beforeAll(async () => {
  t = await createTestApp();
  admin = await signInAdmin(t);
  const d = await registerUser(t);
  ok(await http().put(`/api/v1/users/${d.userId}/roles/dpo`).set(admin.auth), 204, 'dpo');
  dpo = await signIn(t, d.username, PASSWORD);
  v = await seedVictim(t, admin, dpo);
  schoolB = await createSchool(t, admin, 'Attacker School');
  const adminB = await openAccount(t, admin, { schoolId: schoolB, role: 'school_admin' });
  const teacherB = await openAccount(t, adminB, { schoolId: schoolB, role: 'teacher' });
  const learnerB = await openAccount(t, adminB, { schoolId: schoolB, role: 'learner', dateOfBirth: MINOR_DOB });
  const parentB = await registerUser(t);
  ok(await http().post('/api/v1/parent-links').set(adminB.auth).send({ childId: learnerB.userId, parentId: parentB.userId }), 201, 'attacker link');
  attackers = { learner: learnerB, teacher: teacherB, parent: parentB, school_admin: adminB };

  const locked = await openAccount(t, adminB, { schoolId: schoolB, role: 'learner' });
  ok(await http().post(`/api/v1/users/${locked.userId}/lock`).set(adminB.auth), 204, 'lock');
  const cancelled = await openAccount(t, adminB, { schoolId: schoolB, role: 'learner', dateOfBirth: '2000-01-01' });
  ok(await http().post(`/api/v1/privacy/subjects/${cancelled.userId}/cancellation`).set(cancelled.auth), 200, 'cancellation');
  const expired = new JwtService().sign(
    { sub: teacherB.userId, sid: '6b2c0a40-9d1e-4a57-8d54-0f6f2f0b1c02', exp: Math.floor(Date.now() / 1000) - 3600 },
    { secret: t.config.auth.jwtSecret, algorithm: 'HS256' },
  );
  anonymous = {
    no_token: { auth: {} as Session['auth'] },
    garbage_token: { auth: { Authorization: 'Bearer not.a.token' } },
    expired_token: { auth: { Authorization: `Bearer ${expired}` } },
    locked_account: locked,
    cancelled_account: cancelled,
  };
}, 300_000);
afterAll(() => t.close());

// --- 1. Every operation × every role of the other school

/** Body and query fields that carry ids, by name. */
const idField = (name: string): string | undefined => idOfField(v, name);

function resolve(doc: Json, schema: Json | undefined): Json | undefined {
  let s = schema;
  while (s?.$ref) s = doc.components.schemas[s.$ref.split('/').pop()];
  return s;
}

/** A value for `schema`, with victim ids wherever an id goes. */
function sample(doc: Json, schema: Json | undefined, name = '', depth = 0): unknown {
  const s = resolve(doc, schema);
  if (!s || depth > 6) return undefined;
  if (s.allOf) return sample(doc, s.allOf[0], name, depth + 1);
  if (s.oneOf || s.anyOf) return sample(doc, (s.oneOf ?? s.anyOf)[0], name, depth + 1);
  const id = idField(name);
  if (id && (s.type === 'string' || s.format === 'uuid')) return id;
  if (s.format === 'uuid') return v.learner.userId;
  if (s.example !== undefined && !s.properties) {
    // An example object keeps its shape, with victim ids where its ids go ({ kind: 'quiz', id }).
    const e = s.example;
    return e && typeof e === 'object' && !Array.isArray(e) ? Object.fromEntries(Object.entries(e).map(([k, x]) => [k, idField(k) ?? x])) : e;
  }
  if (s.type === 'array') {
    const item = sample(doc, s.items, name.replace(/s$/, ''), depth + 1);
    return item === undefined ? [] : Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => item);
  }
  if (s.type === 'object' || s.properties) {
    const out: Json = {};
    for (const [k, p] of Object.entries<Json>(s.properties ?? {})) {
      if (!(s.required ?? []).includes(k) && !idField(k)) continue;
      const value = sample(doc, p, k, depth + 1);
      if (value !== undefined) out[k] = value;
    }
    return out;
  }
  if (s.enum) return s.enum[0];
  if (s.type === 'string') {
    if (s.format === 'date-time') return new Date().toISOString();
    if (s.format === 'date') return '2025-03-14';
    return 'x'.repeat(Math.max(1, s.minLength ?? 4));
  }
  if (s.type === 'number' || s.type === 'integer') return s.minimum ?? 1;
  if (s.type === 'boolean') return false;
  return undefined;
}

/**
 * Bodies the schema cannot describe well enough to pass validation (unions,
 * free-form objects, credentials): written by hand, with the victim's ids. A
 * new operation whose generated body is refused with 400 fails the suite:
 * add it here.
 */
const BODIES: Record<string, () => unknown> = {
  'POST /api/v1/users': () => ({ username: `intruder${Date.now()}`, password: PASSWORD, displayName: 'Intruder', schoolId: v.school, role: 'learner', consentObtainedFrom: 'parent' }),
  'POST /api/v1/activity': () => ({ id: '6b2c0a40-9d1e-4a57-8d54-0f6f2f0b1c01', type: 'CourseViewed', courseId: v.course }),
};

interface Operation {
  method: string;
  template: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** Open to anyone (`security: []` in /docs-json: health, sign-in, the LRS's about). */
  isPublic: boolean;
}

/** Operations that end the caller's own session: they take no id and are tried last, apart. */
const OWN_SESSION = new Set(['POST /api/v1/auth/logout']);

function operations(doc: Json): { ops: Operation[]; unfillable: string[] } {
  const ops: Operation[] = [];
  const unfillable: string[] = [];
  for (const [template, byMethod] of Object.entries<Json>(doc.paths)) {
    for (const [method, op] of Object.entries<Json>(byMethod)) {
      if (OWN_SESSION.has(`${method.toUpperCase()} ${template}`)) continue;
      const segments = template.split('/');
      const path = segments
        .map((seg, i) => {
          const m = /^\{(.+)\}$/.exec(seg);
          if (!m) return seg;
          const value = pathValue(v, segments[i - 1], m[1]);
          if (!value) unfillable.push(`${method.toUpperCase()} ${template}: {${m[1]}}`);
          return value ?? seg;
        })
        .join('/');
      const query: Record<string, string> = {};
      for (const p of (op.parameters ?? []) as Json[]) {
        if (p.in !== 'query') continue;
        const id = idField(p.name);
        if (id && (p.schema?.format === 'uuid' || p.name === 'user' || p.name === 'subjectId' || p.name === 'schoolId')) query[p.name] = id;
        else if (p.required) query[p.name] = String(sample(doc, p.schema, p.name));
      }
      const content = op.requestBody?.content?.['application/json'];
      const override = BODIES[`${method.toUpperCase()} ${template}`];
      const body = override ? override() : content ? sample(doc, content.schema) : undefined;
      ops.push({ method, template, path, query, body, isPublic: Array.isArray(op.security) && op.security.length === 0 });
    }
  }
  return { ops, unfillable };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

const victimIds = () =>
  new Set(
    [v.school, v.class, v.admin.userId, v.teacher.userId, v.learner.userId, v.adult.userId, v.parent.userId, v.course, v.section, v.resource, v.quiz, v.question,
      v.attempt, v.assignment, v.offlineTest, v.category, v.item, v.link, v.transfer, v.request, v.xapiClient, v.importJob].map((x) => x.toLowerCase()),
  );

/** Victim ids and names in `text` that `sent` did not contain. */
function leaks(text: string, sent: string): string[] {
  const ids = victimIds();
  const found = new Set<string>();
  for (const id of text.match(UUID) ?? []) if (ids.has(id.toLowerCase()) && !sent.toLowerCase().includes(id.toLowerCase())) found.add(id);
  for (const name of [v.learner.username, v.adult.username, v.teacher.username, v.admin.username, v.parent.username]) if (text.includes(name)) found.add(name);
  for (const word of text.match(/victim[\w ]*/gi) ?? []) if (!sent.toLowerCase().includes(word.toLowerCase())) found.add(word);
  return [...found];
}

interface Outcome {
  role: string;
  op: string;
  isPublic: boolean;
  status: number;
  namesVictim: boolean;
  /** A GET without path ids: the victim id is only a filter of its query. */
  listFilter: boolean;
  leaked: string[];
}

async function call(session: Pick<Session, 'auth'>, op: Operation): Promise<request.Response> {
  const m = op.method as 'get' | 'post' | 'put' | 'patch' | 'delete';
  // The LRS's version header on every call: without it /xapi answers 400 before it asks who is calling.
  let req = http()[m](op.path).set(session.auth).set('X-Experience-API-Version', '1.0.3').query(op.query).timeout({ response: 15_000, deadline: 20_000 });
  if (op.body !== undefined) req = req.send(op.body as object);
  return req.buffer(true).parse((res, done) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (text += c));
    res.on('end', () => done(null, text));
  });
}

async function pool<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]);
      }
    }),
  );
  return results;
}

describe('every operation in /docs-json, as every role of another school and as nobody, with the victim school’s ids', () => {
  let outcomes: Outcome[];
  let opCount = 0;
  let unfillable: string[] = [];

  beforeAll(async () => {
    const doc = ok(await http().get('/docs-json'), 200, 'docs-json') as Json;
    const generated = operations(doc);
    unfillable = generated.unfillable;
    opCount = generated.ops.length;
    const callers: [string, Pick<Session, 'auth'>][] = [...Object.entries(attackers), ...Object.entries(anonymous).map(([kind, session]): [string, Pick<Session, 'auth'>] => [`anonymous:${kind}`, session])];
    const jobs = callers.flatMap(([role, session]) => generated.ops.map((op) => ({ role, session, op })));
    outcomes = await pool(jobs, CONCURRENCY, async ({ role, session, op }) => {
      const sent = `${op.path} ${JSON.stringify(op.query)} ${JSON.stringify(op.body ?? null)}`;
      const res = await call(session, op);
      const text = typeof res.body === 'string' ? res.body : (res.text ?? '');
      const ids = victimIds();
      const namesVictim = (sent.match(UUID) ?? []).some((id) => ids.has(id.toLowerCase()));
      const listFilter = op.method === 'get' && !op.template.includes('{');
      return { role, op: `${op.method.toUpperCase()} ${op.template}`, isPublic: op.isPublic, status: res.status, namesVictim, listFilter, leaked: leaks(text, sent) };
    });
    console.log(`tenant boundary: ${opCount} operations × ${callers.length} callers = ${outcomes.length} requests; ` +
      `${outcomes.filter((o) => o.leaked.length).length} leaks; statuses ${JSON.stringify(outcomes.reduce<Record<number, number>>((a, o) => ({ ...a, [o.status]: (a[o.status] ?? 0) + 1 }), {}))}; ` +
      `answered other than 401/403/404 (no victim id in path or body): ${[...new Set(outcomes.filter((o) => ![401, 403, 404].includes(o.status)).map((o) => `${o.status} ${o.op}`))].join(', ')}`);
  }, 600_000);

  it('fills every path parameter (a new one fails here, naming what to add to pathValue)', () => {
    expect(unfillable).toEqual([]);
    expect(opCount).toBeGreaterThan(100);
  });

  it('answers no request with a 5xx', () => {
    expect(outcomes.filter((o) => o.status >= 500)).toEqual([]);
  });

  it('refuses every request naming a victim id with 401, 403 or 404', () => {
    // Asking is not acting: a parent may ask to be linked to any child (the child's school decides).
    const asking = new Set(['POST /api/v1/parent-links']);
    // A list filtered by a victim id in its query may answer 200, with nothing of the victim (checked below).
    const wrong = outcomes.filter((o) => o.namesVictim && ![401, 403, 404].includes(o.status) && !asking.has(o.op) && !(o.listFilter && o.status === 200));
    expect(wrong).toEqual([]);
  });

  it('leaks no victim id or name in any answer', () => {
    expect(outcomes.filter((o) => o.leaked.length > 0)).toEqual([]);
  });

  it('answers every operation that is not public with 401 to a caller who is nobody (no, garbage or expired token; a locked or cancelled account)', () => {
    const anon = outcomes.filter((o) => o.role.startsWith('anonymous:'));
    expect(anon.length).toBe(opCount * Object.keys(anonymous).length);
    expect(anon.filter((o) => !o.isPublic && o.status !== 401).map((o) => `${o.role} ${o.op}: ${o.status}`)).toEqual([]);
  });
});

// --- 1b. The same for GraphQL: every root field of the schema, generated from the schema itself

/** The value of an argument or input field called `name` of root field `field` (a victim id wherever an id goes). */
function gqlIdFor(field: string, name: string): string | undefined {
  const byField: [RegExp, string][] = [
    [/offline/i, v.offlineTest], [/transfer/i, v.transfer], [/parentlink|link/i, v.link], [/request|export|receipt|mention/i, v.request], [/attempt/i, v.attempt],
    [/quiz|question/i, v.quiz], [/assignment|submission/i, v.assignment], [/section/i, v.section], [/resource/i, v.resource], [/categor/i, v.category],
    [/item|gradebook/i, v.item], [/class(?!Report)/, v.class], [/course|log|grade|completion|enrol/i, v.course], [/school|usage|xapi|import/i, v.school],
    [/user|learner|member|account|profile|child|subject|person|timeline|consent|access/i, v.learner.userId],
  ];
  const more: Record<string, string> = { attemptId: v.attempt, offlineTestId: v.offlineTest, requestId: v.request };
  if (name !== 'id') return more[name] ?? idOfField(v, name) ?? idOfField(v, name.replace(/Ids$/, 'Id')) ?? pathValue(v, '', name);
  return byField.find(([re]) => re.test(field))?.[1];
}

/** A string that passes the usual validation of a field called `name` (so that authorization, not validation, answers). */
function plausibleText(name: string): string {
  if (/password/i.test(name)) return 'probe-password-12345';
  if (/username/i.test(name)) return 'probe_user_1';
  if (/email/i.test(name)) return 'probe@example.com';
  if (/date|On$|At$|birth/i.test(name)) return '2025-03-14';
  if (/code/i.test(name)) return 'PROBE-1';
  return 'victim probe';
}

type GqlType = { kind: string; name?: string; ofType?: GqlType };
const named = (t: GqlType): GqlType => (t.ofType ? named(t.ofType) : t);
const isList = (t: GqlType): boolean => t.kind === 'LIST' || (t.kind === 'NON_NULL' && isList(t.ofType!));

/** A GraphQL literal for a value of type `type` called `name`: victim ids for ids, a plain value for the rest; null when it cannot make one. */
function gqlValue(types: Map<string, Json>, field: string, name: string, type: GqlType, depth = 0): string | null {
  const base = named(type);
  let one: string | null;
  const id = gqlIdFor(field, name);
  if (base.kind === 'SCALAR') {
    if (/ids?$/i.test(name) || base.name === 'ID') one = id ? JSON.stringify(id) : null;
    else if (base.name === 'Int' || base.name === 'Float') one = /max|points|weight|count|attempts/i.test(name) ? '10' : '1';
    else if (base.name === 'Boolean') one = 'false';
    else one = JSON.stringify(id && /user|learner|child|subject/i.test(name) ? id : plausibleText(name));
  } else if (base.kind === 'ENUM') one = types.get(base.name!)!.enumValues[0].name;
  else if (base.kind === 'INPUT_OBJECT' && depth < 4) {
    const parts: string[] = [];
    for (const f of types.get(base.name!)!.inputFields as Json[]) {
      const required = f.type.kind === 'NON_NULL';
      if (!required && !/ids?$/i.test(f.name)) continue;
      const value = gqlValue(types, field, f.name, f.type, depth + 1);
      if (value === null) {
        if (required) return null;
        continue;
      }
      parts.push(`${f.name}: ${value}`);
    }
    one = `{ ${parts.join(', ')} }`;
  } else one = null;
  return one !== null && isList(type) ? `[${one}]` : one;
}

/** The scalar fields of a result type (its own only), or __typename. */
function gqlSelection(types: Map<string, Json>, type: GqlType): string {
  const base = named(type);
  if (base.kind === 'SCALAR' || base.kind === 'ENUM') return '';
  if (base.kind !== 'OBJECT') return '{ __typename }';
  const scalars = (types.get(base.name!)!.fields as Json[]).filter((f) => ['SCALAR', 'ENUM'].includes(named(f.type).kind) && !(f.args as Json[]).some((a: Json) => a.type.kind === 'NON_NULL'));
  return `{ __typename ${scalars.map((f) => f.name).join(' ')} }`;
}

interface GqlOperation {
  kind: 'query' | 'mutation';
  field: string;
  document: string;
}

/** One operation per root field; the fields whose required arguments cannot be made are listed. */
function gqlOperations(schema: Json): { ops: GqlOperation[]; unfillable: string[] } {
  const types = new Map<string, Json>((schema.types as Json[]).map((t) => [t.name, t]));
  const ops: GqlOperation[] = [];
  const unfillable: string[] = [];
  for (const [kind, root] of [['query', schema.queryType?.name], ['mutation', schema.mutationType?.name]] as const) {
    if (!root) continue;
    for (const f of types.get(root)!.fields as Json[]) {
      const args: string[] = [];
      let fillable = true;
      for (const a of f.args as Json[]) {
        const required = a.type.kind === 'NON_NULL';
        const value = gqlValue(types, f.name, a.name, a.type);
        if (value === null) {
          if (required) fillable = false;
          continue;
        }
        if (!required && !/ids?$/i.test(a.name) && named(a.type).kind !== 'INPUT_OBJECT') continue;
        args.push(`${a.name}: ${value}`);
      }
      if (!fillable) {
        unfillable.push(`${kind} ${f.name}(${(f.args as Json[]).map((a) => `${a.name}: ${named(a.type).name}`).join(', ')})`);
        continue;
      }
      ops.push({ kind, field: f.name, document: `${kind} { ${f.name}${args.length ? `(${args.join(', ')})` : ''} ${gqlSelection(types, f.type)} }` });
    }
  }
  return { ops, unfillable };
}

describe('every root field of the GraphQL schema, as every role of another school and as nobody, with the victim school’s ids', () => {
  /** Fields that end or change the caller's own session or sign someone in: they name no victim and would end the run's sessions. */
  const OWN_SESSION = new Set(['logout', 'login', 'refresh', 'register', 'changePassword', 'impersonate']);
  /** Asking is not acting: a parent may ask to be linked to any child (the child's school decides). */
  const ASKING = new Set(['requestParentLink']);
  let outcomes: { role: string; op: string; namesVictim: boolean; data: unknown; codes: string[]; leaked: string[] }[];
  let unfillable: string[] = [];
  let opCount = 0;

  beforeAll(async () => {
    const { getIntrospectionQuery, graphql } = await import('graphql');
    const { GraphQLSchemaHost } = await import('@nestjs/graphql');
    const introspected = await graphql({ schema: t.app.get(GraphQLSchemaHost).schema, source: getIntrospectionQuery() });
    const generated = gqlOperations((introspected.data as Json).__schema);
    unfillable = generated.unfillable;
    const ops = generated.ops.filter((o) => !OWN_SESSION.has(o.field));
    opCount = ops.length;
    const callers: [string, Pick<Session, 'auth'>][] = [...Object.entries(attackers), ['anonymous:no_token', anonymous.no_token]];
    const jobs = callers.flatMap(([role, session]) => ops.map((op) => ({ role, session, op })));
    outcomes = await pool(jobs, CONCURRENCY, async ({ role, session, op }) => {
      const res = await http().post('/graphql').set(session.auth).send({ query: op.document }).timeout({ response: 15_000, deadline: 20_000 });
      const body = (res.body ?? {}) as Json;
      const ids = victimIds();
      return {
        role,
        op: op.document,
        namesVictim: (op.document.match(UUID) ?? []).some((id) => ids.has(id.toLowerCase())),
        data: body.data?.[op.field] ?? null,
        codes: ((body.errors ?? []) as Json[]).map((e) => String(e.extensions?.code ?? e.message)).concat(res.status >= 500 ? [`HTTP ${res.status}`] : []),
        leaked: leaks(JSON.stringify(body), op.document),
      };
    });
    console.log(`tenant boundary (GraphQL): ${opCount} root fields × ${callers.length} callers = ${outcomes.length} requests; ` +
      `${outcomes.filter((o) => o.leaked.length).length} leaks; error codes ${JSON.stringify(outcomes.flatMap((o) => o.codes).reduce<Record<string, number>>((a, c) => ({ ...a, [c]: (a[c] ?? 0) + 1 }), {}))}; ` +
      `fields that could not be filled: ${unfillable.join(', ') || 'none'}; refused by input validation (authorization not reached): ` +
      `${[...new Set(outcomes.filter((o) => o.codes.includes('VALIDATION_FAILED')).map((o) => /\{ (\w+)/.exec(o.op)?.[1]))].join(', ') || 'none'}`);
  }, 600_000);

  it('covers the schema (a root field whose required arguments cannot be made is named here)', () => {
    expect(unfillable).toEqual([]);
    expect(opCount).toBeGreaterThan(40);
    // The generated documents are valid against the schema: every refusal came from the API, not from GraphQL's validation.
    expect(outcomes.filter((o) => o.codes.some((c) => c === 'GRAPHQL_VALIDATION_FAILED' || c === 'GRAPHQL_PARSE_FAILED' || c === 'BAD_USER_INPUT')).map((o) => o.op)).toEqual([]);
  });

  it('answers no field with an internal error', () => {
    expect(outcomes.filter((o) => o.codes.some((c) => c === 'INTERNAL_SERVER_ERROR' || c.startsWith('HTTP 5')))).toEqual([]);
  });

  it('gives no data for a field that names a victim id (a list filtered by one answers nothing of the victim)', () => {
    const answered = outcomes.filter((o) => o.namesVictim && o.data !== null && !(Array.isArray(o.data) && o.data.length === 0) && !ASKING.has(/\{ (\w+)/.exec(o.op)?.[1] ?? ''));
    expect(answered.map((o) => `${o.role}: ${o.op} → ${JSON.stringify(o.data).slice(0, 200)}`)).toEqual([]);
  });

  it('leaks no victim id or name in any answer', () => {
    expect(outcomes.filter((o) => o.leaked.length > 0)).toEqual([]);
  });
});

// --- 2. The chains of issue 12

const gql = async (session: Session, query: string, variables: Json = {}) => (await http().post('/graphql').set(session.auth).send({ query, variables })).body as Json;

describe('membership takeover: a school cannot pull in another school’s learner', () => {
  it('refuses a direct add over REST and GraphQL (TRANSFER_REQUIRED), writing nothing; the learner stays in their school', async () => {
    const before = await countEvents(t);
    // The school's admin is told a transfer is needed; its teacher gives no existing account a role at all.
    for (const [who, status, code] of [[attackers.school_admin, 409, 'TRANSFER_REQUIRED'], [attackers.teacher, 403, 'FORBIDDEN']] as const) {
      const res = await http().post(`/api/v1/schools/${schoolB}/members`).set(who.auth).send({ userId: v.learner.userId, role: 'learner' }).expect(status);
      expect(res.body.error.code).toBe(code);
      const g = await gql(who, `mutation ($s: ID!, $input: AddMemberInput!) { addMember(schoolId: $s, input: $input) { membershipId } }`, { s: schoolB, input: { userId: v.learner.userId, role: 'learner' } });
      expect(g.errors[0].extensions.code).toBe(code);
    }
    expect(await countEvents(t)).toBe(before);
    const home = await http().get(`/api/v1/users/${v.learner.userId}/affiliations`).set(v.admin.auth).expect(200);
    expect(home.body.affiliations).toEqual([expect.objectContaining({ schoolId: v.school, role: 'learner', endedAt: null })]);
  });

  it('lets the school ask, but only the minor’s confirmed parent decides; the asking school learns nothing of the other school, and gets no hold on the learner', async () => {
    const asked = await http().post(`/api/v1/schools/${schoolB}/transfers`).set(attackers.school_admin.auth).send({ userId: v.learner.userId, role: 'learner' }).expect(201);
    expect(asked.body).toMatchObject({ status: 'requested', fromSchoolId: null });
    expect(leaks(JSON.stringify(asked.body), v.learner.userId)).toEqual([]);
    const id = asked.body.transferId;
    for (const who of [attackers.school_admin, attackers.teacher, attackers.parent, attackers.learner, v.learner /* a minor decides nothing alone */, v.admin]) {
      await http().post(`/api/v1/transfers/${id}/accept`).set(who.auth).expect(403);
    }
    // Still nothing on the learner for the asking school.
    await http().get(`/api/v1/users/${v.learner.userId}`).set(attackers.school_admin.auth).expect(403);
    await http().post(`/api/v1/users/${v.learner.userId}/password-reset`).set(attackers.school_admin.auth).expect(403);
    await http().get(`/api/v1/privacy/subjects/${v.learner.userId}/export`).set(attackers.school_admin.auth).expect(403);
    // The sending school sees it; the parent declines it.
    const outgoing = await http().get(`/api/v1/schools/${v.school}/transfers?status=requested`).set(v.admin.auth).expect(200);
    expect(outgoing.body.transfers.find((x: Json) => x.transferId === id)).toEqual(
      expect.objectContaining({ userId: v.learner.userId, toSchoolId: schoolB, fromSchoolId: v.school, requestedBy: null, classId: null }),
    );
    const mine = await http().get('/api/v1/transfers?status=requested').set(v.parent.auth).expect(200);
    expect(mine.body.transfers).toEqual([expect.objectContaining({ transferId: id, toSchoolName: 'Attacker School' })]);
    const declined = await http().post(`/api/v1/transfers/${id}/decline`).set(v.parent.auth).expect(200);
    expect(declined.body).toMatchObject({ status: 'declined', decidedAs: 'parent' });
    await http().post(`/api/v1/transfers/${id}/accept`).set(v.parent.auth).expect(409);
  });
});

describe('ranked accounts: a school admin never acts on the platform admin or the DPO, whatever memberships say', () => {
  it('cannot add or ask them into the school', async () => {
    for (const target of [admin, dpo]) {
      await http().post(`/api/v1/schools/${schoolB}/members`).set(attackers.school_admin.auth).send({ userId: target.userId, role: 'learner' }).expect(403);
      await http().post(`/api/v1/schools/${schoolB}/transfers`).set(attackers.school_admin.auth).send({ userId: target.userId, role: 'learner' }).expect(403);
    }
  });

  it('even when the DPO is a member of the school, refuses lock, reset, profile changes, cancellation and privacy requests on them', async () => {
    await http().post(`/api/v1/schools/${schoolB}/members`).set(admin.auth).send({ userId: dpo.userId, role: 'teacher' }).expect(201);
    const before = await countEvents(t);
    for (const target of [dpo, admin]) {
      const as = attackers.school_admin.auth;
      await http().post(`/api/v1/users/${target.userId}/lock`).set(as).expect(403);
      await http().post(`/api/v1/users/${target.userId}/password-reset`).set(as).expect(403);
      await http().patch(`/api/v1/users/${target.userId}`).set(as).send({ displayName: 'Taken' }).expect(403);
      await http().get(`/api/v1/users/${target.userId}`).set(as).expect(403);
      await http().post(`/api/v1/privacy/subjects/${target.userId}/cancellation`).set(as).expect(403);
      await http().post('/api/v1/privacy/requests').set(as).send({ subjectId: target.userId, type: 'erasure' }).expect(403);
    }
    // The DPO outranks every school, not the platform admin.
    await http().post(`/api/v1/privacy/subjects/${admin.userId}/cancellation`).set(dpo.auth).expect(403);
    await http().post('/api/v1/privacy/requests').set(dpo.auth).send({ subjectId: admin.userId, type: 'erasure' }).expect(403);
    expect(await countEvents(t)).toBe(before);
    await http().delete(`/api/v1/schools/${schoolB}/members/${dpo.userId}`).set(admin.auth).expect(200);
  });
});

describe('an account of two schools is wholly neither’s', () => {
  it('a teacher who accepted a second school is locked, reset, corrected or cancelled by neither school admin, only by the platform admin', async () => {
    const shared = await openAccount(t, attackers.school_admin, { schoolId: schoolB, role: 'teacher', dateOfBirth: '1990-01-01' });
    const asked = await http().post(`/api/v1/schools/${v.school}/transfers`).set(v.admin.auth).send({ userId: shared.userId, role: 'teacher' }).expect(201);
    expect(asked.body.fromSchoolId).toBeNull(); // a teacher leaves nothing: no school is named to the asker
    await http().post(`/api/v1/transfers/${asked.body.transferId}/accept`).set(shared.auth).expect(200);
    const before = await countEvents(t);
    for (const schoolAdmin of [v.admin, attackers.school_admin]) {
      await http().post(`/api/v1/users/${shared.userId}/lock`).set(schoolAdmin.auth).expect(403);
      await http().post(`/api/v1/users/${shared.userId}/password-reset`).set(schoolAdmin.auth).expect(403);
      await http().patch(`/api/v1/users/${shared.userId}`).set(schoolAdmin.auth).send({ displayName: 'Mine now' }).expect(403);
      await http().post(`/api/v1/privacy/subjects/${shared.userId}/cancellation`).set(schoolAdmin.auth).expect(403);
    }
    expect(await countEvents(t)).toBe(before);
    await http().post(`/api/v1/users/${shared.userId}/lock`).set(admin.auth).expect(204);
    await http().post(`/api/v1/users/${shared.userId}/unlock`).set(admin.auth).expect(204);
  });
});

describe('the parent route to another school’s minor', () => {
  it('an attacker school cannot link an accomplice; the accomplice’s own request waits for the child’s school and gives nothing', async () => {
    const accomplice = await registerUser(t);
    const before = await countEvents(t);
    await http().post('/api/v1/parent-links').set(attackers.school_admin.auth).send({ childId: v.learner.userId, parentId: accomplice.userId }).expect(403);
    expect(await countEvents(t)).toBe(before);
    const asked = await http().post('/api/v1/parent-links').set(accomplice.auth).send({ childId: v.learner.userId }).expect(201);
    expect(asked.body.status).toBe('requested');
    for (const who of [accomplice, attackers.school_admin]) await http().post(`/api/v1/parent-links/${asked.body.linkId}/confirm`).set(who.auth).expect(403);
    await http().get(`/api/v1/privacy/subjects/${v.learner.userId}/export`).set(accomplice.auth).expect(403);
    await http().get(`/api/v1/users/${v.learner.userId}`).set(accomplice.auth).expect(403);
    // Nor may it accept a transfer of the minor: it is no confirmed parent.
    const transfer = await http().post(`/api/v1/schools/${schoolB}/transfers`).set(attackers.school_admin.auth).send({ userId: v.learner.userId, role: 'learner' });
    expect([transfer.status, transfer.body.error?.code]).toEqual([201, undefined]);
    await http().post(`/api/v1/transfers/${transfer.body.transferId}/accept`).set(accomplice.auth).expect(403);
    await http().post(`/api/v1/transfers/${transfer.body.transferId}/cancel`).set(attackers.school_admin.auth).expect(200);
  });
});

describe('username lookup reveals nothing', () => {
  it('answers a victim’s username, the platform admin’s, and no one’s alike, with no id', async () => {
    const asker = attackers.parent;
    const answers = [];
    for (const childUsername of [v.adult.username, 'admin', 'no-such-user-anywhere']) {
      const res = await http().post('/api/v1/parent-links').set(asker.auth).send({ childUsername }).expect(202);
      const { requestedAt: _at, ...rest } = res.body;
      answers.push(rest);
      expect(res.text).not.toContain(v.adult.userId);
      expect(res.text).not.toContain(admin.userId);
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(answers[0]).toEqual({ linkId: null, parentId: asker.userId, childId: null, status: 'requested', requestedBy: asker.userId, decidedBy: null, decidedAt: null });
    const g = await gql(asker, `mutation ($input: RequestParentLinkInput!) { requestParentLink(input: $input) { linkId childId status } }`, { input: { childUsername: 'admin' } });
    expect(g.data.requestParentLink).toEqual({ linkId: null, childId: null, status: 'requested' });
  });
});

describe('export download: only the subject, the requester and the DPO', () => {
  it('refuses the subject’s school admin (who may see the request) and the other school, serves the subject and the DPO', async () => {
    const seen = await http().get(`/api/v1/privacy/requests/${v.request}`).set(v.admin.auth).expect(200);
    expect(seen.body.outcome).toBe('export_ready');
    const refused = await http().get(`/api/v1/privacy/requests/${v.request}/export`).set(v.admin.auth).expect(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    for (const who of Object.values(attackers)) await http().get(`/api/v1/privacy/requests/${v.request}/export`).set(who.auth).expect(404);
    for (const who of [v.adult, dpo]) {
      const res = await http().get(`/api/v1/privacy/requests/${v.request}/export`).set(who.auth).expect(200);
      expect(JSON.stringify(res.body)).toContain(v.adult.userId);
    }
  });
});

// The live course log closing within 5 s of logout or a lock is tested in course-log.e2e.spec.ts ('ends within 5 s of logout …').
