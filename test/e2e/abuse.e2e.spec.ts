/**
 * The edges under abuse (issue 12): sign-in limits that a stranger cannot
 * turn against an account, GraphQL limits checked before execution, one
 * input rule for every string, bounded bodies, security headers, tokens
 * without `exp`. The app runs with the production limits (test-app.ts
 * raises them for the other suites) and trusts the loopback proxy, so that
 * each test plays its own client addresses through X-Forwarded-For.
 */
import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { deflateSync, gzipSync } from 'node:zlib';
import { createApp } from '../../apps/api/src/create-app';
import { appendsNothing, asIs, countEvents, createSchool, openAccount, PASSWORD, registerUser, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let admin: Session;
let teacher: Session;
let courseId: string;
const http = () => request(t.app.getHttpServer());
let clients = 0;
/** A second API process on the same database (closed last: closing it earlier ends resources the first shares). */
let second: INestApplication | undefined;
/** A client address of its own (TEST-NET-3), for one test's requests. */
const newClient = () => ({ 'X-Forwarded-For': `203.0.113.${(clients += 1)}` });

beforeAll(async () => {
  t = await createTestApp({ TRUST_PROXY: 'loopback', RATE_LIMIT_PER_MINUTE: '300', SIGNIN_RATE_LIMIT_PER_MINUTE: '', LOCKOUT_THRESHOLD: '' });
  admin = await signInAdmin(t);
  const school = await createSchool(t, admin);
  const schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher' });
  const res = await http().post('/api/v1/courses').set(teacher.auth).send({ schoolId: school, title: 'Physics', code: 'PHY-1', subject: 'Physics', gradeLevel: 'M1', selfEnrolment: { enabled: false } }).expect(201);
  courseId = res.body.courseId;
}, 120_000);

afterAll(async () => {
  await second?.close();
  await t.close();
});

const login = (client: Record<string, string>, username: string, password: string) => http().post('/api/v1/auth/login').set(client).send({ username, password });

describe('sign-in limits', () => {
  it('uses the production defaults here', () => {
    expect(t.config.auth.lockoutThreshold).toBe(5);
    expect(t.config.auth.signIn.perClientPerMinute).toBe(60);
  });

  it('meets 429 within 20 wrong sign-ins from one client, for an existing and an unknown username alike', async () => {
    const user = await registerUser(t);
    for (const username of [user.username, `nobody-${user.username}`]) {
      const client = newClient();
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await login(client, username, 'wrong-password-1')).status);
      // The threshold-th failure locks the pair: 5 answers 401, then 429.
      expect(statuses).toEqual([...Array(5).fill(401), ...Array(15).fill(429)]);
      // The right password too, from that client: the pair is locked, not judged.
      const locked = await login(client, username, PASSWORD);
      expect(locked.status).toBe(429);
      expect(locked.body.error.code).toBe('TOO_MANY_REQUESTS');
    }
  });

  it('five wrong sign-ins from one client do not stop the owner signing in from another', async () => {
    const user = await registerUser(t);
    const attacker = newClient();
    for (let i = 0; i < 5; i++) await login(attacker, user.username, 'wrong-password-1').expect(401);
    expect((await login(attacker, user.username, 'wrong-password-1')).status).toBe(429);
    const owner = await login(newClient(), user.username, PASSWORD).expect(200);
    expect(owner.body.userId).toBe(user.userId);
  });

  it('answers a wrong password the same for an unknown username and an existing one in every state', async () => {
    const plain = await registerUser(t);
    const locked = await registerUser(t);
    await http().post(`/api/v1/users/${locked.userId}/lock`).set(admin.auth).expect(204);
    const reset = await registerUser(t);
    await http().post(`/api/v1/users/${reset.userId}/password-reset`).set(admin.auth).expect((r) => expect([200, 201]).toContain(r.status));
    const unknown = await login(newClient(), 'no-such-user-anywhere', 'wrong-password-1');
    expect(unknown.status).toBe(401);
    for (const user of [plain, locked, reset]) {
      const res = await login(newClient(), user.username, 'wrong-password-1');
      expect({ status: res.status, code: res.body.error.code, message: res.body.error.message }).toEqual({ status: 401, code: unknown.body.error.code, message: unknown.body.error.message });
    }
    // Only the password proves the state: the owner of the locked account learns it.
    expect((await login(newClient(), locked.username, PASSWORD)).body.error.code).toBe('ACCOUNT_LOCKED');
  });

  it('counts every login mutation of one GraphQL request', async () => {
    const user = await registerUser(t);
    const client = newClient();
    const fields = Array.from({ length: 8 }, (_, i) => `a${i}: login(input: { username: "${user.username}", password: "wrong-password-${i}" }) { accessToken }`);
    const res = await http().post('/graphql').set(client).send({ query: `mutation { ${fields.join(' ')} }` });
    const codes = (res.body.errors as { extensions: { code: string } }[]).map((e) => e.extensions.code).sort();
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS')).toHaveLength(5);
    expect(codes.filter((c) => c === 'TOO_MANY_REQUESTS')).toHaveLength(3);
    // The owner, elsewhere, is not affected.
    await login(newClient(), user.username, PASSWORD).expect(200);
  });

  it('limits sign-in attempts per client address, whatever the usernames, over REST and GraphQL together', async () => {
    const client = newClient();
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await http().post('/api/v1/auth/refresh').set(client).send({ refreshToken: `not-a-token-${i}` })).status);
    expect(statuses.every((s) => s === 401)).toBe(true);
    const rest = await login(client, `someone-${clients}`, 'wrong-password-1');
    expect(rest.status).toBe(429);
    const gql = await http().post('/graphql').set(client).send({ query: `mutation { login(input: { username: "x-${clients}", password: "wrong-password-1" }) { accessToken } }` });
    expect(gql.body.errors[0].extensions).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429 });
    await login(newClient(), teacher.username, PASSWORD).expect(200);
  });

  it('limits every client to RATE_LIMIT_PER_MINUTE requests while /health keeps answering', async () => {
    const client = newClient();
    let limited = 0;
    for (let i = 0; i < 301; i++) if ((await http().get('/api/v1/me').set(client)).status === 429) limited += 1;
    expect(limited).toBe(1);
    const res = await http().get('/api/v1/me').set(client).set(teacher.auth).expect(429);
    expect(res.body.error.code).toBe('TOO_MANY_REQUESTS');
    await http().get('/health').set(client).expect(200);
    await http().get('/api/v1/me').set(newClient()).set(teacher.auth).expect(200);
  });
});

describe('limits shared by every API process on the database (RATE_LIMIT_STORE=postgres)', () => {
  const other = () => request(second!.getHttpServer());
  const loginAt = (via: () => request.Agent | ReturnType<typeof request>, client: Record<string, string>, username: string, password: string) =>
    via().post('/api/v1/auth/login').set(client).send({ username, password });

  beforeAll(async () => {
    // A second process of the same deployment: the same configuration and database, its own pool and limiters.
    second = await createApp(t.config, t.db.url, false);
    await second.init();
  }, 60_000);

  it('counts a (username, client) pair’s failures across both: 3 on one and 2 on the other lock it on both', async () => {
    expect(t.config.http.rateLimitStore).toBe('postgres');
    const user = await registerUser(t);
    const client = newClient();
    for (let i = 0; i < 3; i++) await loginAt(http, client, user.username, 'wrong-password-1').expect(401);
    for (let i = 0; i < 2; i++) await loginAt(other, client, user.username, 'wrong-password-1').expect(401);
    expect((await loginAt(http, client, user.username, PASSWORD)).status).toBe(429);
    expect((await loginAt(other, client, user.username, PASSWORD)).status).toBe(429);
    // The owner, from another client, on either process.
    await loginAt(other, newClient(), user.username, PASSWORD).expect(200);
  });

  it('counts a client’s sign-in calls across both: the 61st of a minute meets 429 whichever process takes it', async () => {
    const client = newClient();
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await (i % 2 ? other : http)().post('/api/v1/auth/refresh').set(client).send({ refreshToken: `not-a-token-${i}` })).status);
    expect(statuses.every((s) => s === 401)).toBe(true);
    expect((await loginAt(http, client, `someone-${clients}`, 'wrong-password-1')).status).toBe(429);
    expect((await loginAt(other, client, `someone-${clients}`, 'wrong-password-1')).status).toBe(429);
  });

  it('counts a client’s requests across both: RATE_LIMIT_PER_MINUTE in all', async () => {
    const client = newClient();
    let limited = 0;
    for (let i = 0; i < 301; i++) if ((await (i % 2 ? other : http)().get('/api/v1/me').set(client)).status === 429) limited += 1;
    expect(limited).toBe(1);
    await other().get('/health').set(client).expect(200);
  });
});

describe('GraphQL limits, checked before execution', () => {
  const gql = (query: string, as: Session = teacher) => http().post('/graphql').set(newClient()).set(as.auth).send({ query });

  async function refusedBeforeExecution(query: string, pattern: RegExp) {
    const before = await countEvents(t);
    const [res, health] = await Promise.all([gql(query), http().get('/health')]);
    expect(health.status).toBe(200);
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { message: string }) => e.message).join(' ')).toMatch(pattern);
    expect(await countEvents(t)).toBe(before);
  }

  it('runs a course read (it records CourseViewed): the refusals below would have appended', async () => {
    const before = await countEvents(t);
    const res = await gql(`{ a: course(id: "${courseId}") { courseId } b: course(id: "${courseId}") { courseId } }`);
    expect(res.body.data).toEqual({ a: { courseId }, b: { courseId } });
    expect(await countEvents(t)).toBe(before + 2);
  });

  it('refuses 1000 aliases (past the token limit too), and 16 (past the alias limit)', async () => {
    const aliases = (n: number) => Array.from({ length: n }, (_, i) => `c${i}: course(id: "${courseId}") { courseId }`).join(' ');
    await refusedBeforeExecution(`{ ${aliases(1000)} }`, /alias|token/i);
    await refusedBeforeExecution(`{ ${aliases(t.config.graphql.maxAliases + 1)} }`, /alias/i);
  });

  it('refuses a query 50 deep', async () => {
    const deep = Array.from({ length: 25 }).reduce<string>((inner) => `sections { resources { ${inner} } }`, 'title');
    await refusedBeforeExecution(`{ course(id: "${courseId}") { ${deep} } }`, /depth/i);
  });

  it('refuses a query over the cost limit (within the alias, depth and token limits)', async () => {
    // Each title three levels down costs 1.5^3 (graphql-armor's depth factor): 1,600 of them are past 5,000.
    const titles = Array.from({ length: 1600 }, () => 'title').join(' ');
    await refusedBeforeExecution(`{ course(id: "${courseId}") { sections { resources { ${titles} } } } }`, /cost/i);
  });

  it('answers a persisted query it does not hold as bad input, and runs one it was sent (it was an internal error, logged as a failure)', async () => {
    const query = `{ course(id: "${courseId}") { courseId } }`;
    const persisted = (sha256Hash: string, withQuery = false) =>
      http().post('/graphql').set(newClient()).set(teacher.auth).send({ ...(withQuery && { query }), extensions: { persistedQuery: { version: 1, sha256Hash } } });
    const unknown = await appendsNothing(t, () => persisted('0'.repeat(64)));
    expect(unknown.body.errors).toEqual([{ message: 'PersistedQueryNotFound', extensions: { code: 'VALIDATION_FAILED', status: 400, requestId: expect.any(String) } }]);
    const hash = createHash('sha256').update(query).digest('hex');
    expect((await persisted(hash, true)).body.data).toEqual({ course: { courseId } });
    expect((await persisted(hash)).body.data).toEqual({ course: { courseId } });
  });

  it('refuses a document with too many tokens', async () => {
    const fields = Array.from({ length: 3000 }, () => 'courseId').join(' ');
    await refusedBeforeExecution(`{ course(id: "${courseId}") { ${fields} } }`, /token/i);
  });
});

describe('one rule for every string a client sends', () => {
  const NUL = 'a\u0000b';
  const LONE = 'a\ud800b';

  async function refused(send: () => request.Test) {
    const before = await countEvents(t);
    const res = await send();
    expect(res.status).toBe(400);
    expect(res.body.error?.code ?? res.body.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(await countEvents(t)).toBe(before);
    return res;
  }

  it('refuses NUL and lone surrogates in REST bodies, keys and query strings', async () => {
    for (const bad of [NUL, LONE]) {
      await refused(() => http().post('/api/v1/auth/register').set(newClient()).send({ username: 'clean-name-1', password: PASSWORD, displayName: bad, email: 'x@example.com' }));
      await refused(() => http().post(`/api/v1/courses/${courseId}/quizzes`).set(teacher.auth).send({ title: bad }));
      await refused(() => http().post('/api/v1/courses').set(teacher.auth).send({ [bad]: 1 }));
    }
    await refused(() => http().get(`/api/v1/courses/${courseId}/logs?action=a%00b`).set(teacher.auth));
  });

  it('refuses them in GraphQL variables and documents', async () => {
    await refused(() => http().post('/graphql').set(teacher.auth).send({ query: 'query ($id: ID!) { course(id: $id) { courseId } }', variables: { id: LONE } }));
    await refused(() => http().post('/graphql').set(teacher.auth).send({ query: `{ course(id: "${NUL}") { courseId } }` }));
  });

  it('refuses them in xAPI bodies, before the LRS authenticates anyone', async () => {
    await refused(() => http().post('/xapi/statements').set('X-Experience-API-Version', '1.0.3').send({ actor: { name: NUL }, verb: { id: 'http://adlnet.gov/expapi/verbs/completed' } }));
  });

  it('refuses numbers past ±(2^53 − 1) anywhere in a body (a weight of 1e308 was accepted)', async () => {
    const res = await refused(() => http().post(`/api/v1/courses/${courseId}/gradebook/items`).set(teacher.auth).send({ title: 'Huge', maxGrade: 100, weight: 1e308 }));
    expect(res.body.error.message).toMatch(/weight must be a number between/);
    await refused(() => http().post('/api/v1/activity').set(teacher.auth).send({ type: 'PageTimeRecorded', courseId, resourceId: courseId, seconds: 2 ** 53 + 2 }));
  });

  it('bounds the nesting of bodies: 40,000 nested arrays are a 400, not a 500', async () => {
    const deep = '['.repeat(40_000) + ']'.repeat(40_000);
    for (const path of ['/api/v1/auth/login', '/api/v1/courses', `/api/v1/courses/${courseId}/quizzes`, '/graphql', '/api/v1/activity']) {
      const res = await refused(() => http().post(path).set(teacher.auth).set('Content-Type', 'application/json').send(`{"a":${deep}}`));
      expect(res.body.error.message).toMatch(/nested deeper/);
    }
  });

  it('bounds the size of bodies: 413, in our error shape', async () => {
    const res = await http().post('/api/v1/courses').set(teacher.auth).send({ title: 'x'.repeat(200_000) }).expect(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const broken = await http().post('/api/v1/courses').set(teacher.auth).set('Content-Type', 'application/json').send('{"title":').expect(400);
    expect(broken.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('bodies in other encodings and types', () => {
  // Sign-ins from an address of their own (TRUST_PROXY=loopback): the limits the tests above use up are another client's.
  const ELSEWHERE = { 'X-Forwarded-For': '203.0.113.77' };
  it('reads a gzip- or deflate-compressed JSON body, and refuses an encoding it does not know with 415', async () => {
    const body = JSON.stringify({ username: teacher.username, password: teacher.password });
    for (const [encoding, bytes] of [['gzip', gzipSync(body)], ['deflate', deflateSync(body)]] as const) {
      const res = await http().post('/api/v1/auth/login').set(ELSEWHERE).set('Content-Type', 'application/json').set('Content-Encoding', encoding).serialize(asIs).send(bytes).expect(200);
      expect(res.body.accessToken).toEqual(expect.any(String));
    }
    const res = await http().post('/api/v1/auth/login').set(ELSEWHERE).set('Content-Type', 'application/json').set('Content-Encoding', 'compress').send(body).expect(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    // Bytes that do not inflate: 400, not 500.
    const broken = await http().post('/api/v1/auth/login').set(ELSEWHERE).set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').serialize(asIs).send(Buffer.from('not gzip')).expect(400);
    expect(broken.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('reads JSON that starts with a byte-order mark (PowerShell and .NET write one), in UTF-8 as in UTF-16', async () => {
    const body = JSON.stringify({ username: teacher.username, password: teacher.password });
    for (const [charset, bytes] of [['utf-8', Buffer.from(`\uFEFF${body}`, 'utf8')], ['utf-16le', Buffer.from(`\uFEFF${body}`, 'utf16le')]] as const) {
      const res = await http().post('/api/v1/auth/login').set(ELSEWHERE).set('Content-Type', `application/json; charset=${charset}`).serialize(asIs).send(bytes);
      expect({ charset, status: res.status }).toEqual({ charset, status: 200 });
    }
  });

  it('refuses JSON in a charset other than UTF-8 (415) and JSON that is not an object or array (400)', async () => {
    const latin = await http().post('/api/v1/courses').set(teacher.auth).set('Content-Type', 'application/json; charset=latin1').send('{"title":"x"}').expect(415);
    expect(latin.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const scalar = await http().post('/api/v1/courses').set(teacher.auth).set('Content-Type', 'application/json').send('"a course"').expect(400);
    expect(scalar.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'the body is not valid JSON' });
    const notUtf8 = await http().post('/api/v1/courses').set(teacher.auth).set('Content-Type', 'application/json').serialize(asIs).send(Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xe0, 0x22, 0x7d])).expect(400);
    expect(notUtf8.body.error.message).toMatch(/not valid UTF-8/);
  });

  it('does not read a body of a type no route reads: the handler sees none (a 400 of its own validation, not a 415)', async () => {
    const res = await http().post('/api/v1/courses').set(teacher.auth).set('Content-Type', 'text/plain').send('title=x').expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'title' })]));
  });

  it('answers a URL it cannot route in our error shape: a %-escape that is not UTF-8 (400), a path part past 500 characters (414)', async () => {
    const bad = await http().get('/api/v1/courses/%E0%A4%A').set(teacher.auth).expect(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/URL is not valid/) });
    // A POST: a GET that no route takes goes on to the dashboard's static files when they are built (their wildcard route: 404).
    const long = await http().post(`/api/v1/courses/${'a'.repeat(600)}/enrolments`).set(teacher.auth).send({}).expect(414);
    expect(long.body.error.code).toBe('URI_TOO_LONG');
  });

  it('answers a request the HTTP parser refuses in our error shape: a URL past the header size (431), a request that is not HTTP (400)', async () => {
    // A careless integrator's list of ids in the query string: Fastify's own answer had `error` as a string, no code.
    const long = await http().get(`/api/v1/courses/${courseId}/logs?action=${'x'.repeat(20_000)}`).set(teacher.auth).expect(431);
    expect(long.body.error).toEqual({ code: 'HEADERS_TOO_LARGE', message: expect.stringMatching(/URL and headers are longer than \d+ bytes/) });
    // As supertest does: the app's server listens on a port of its own for these requests, and is closed after them.
    const server = t.app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      for (const raw of ['NOT HTTP\r\n\r\n', `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`]) {
        const answer = await new Promise<string>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => socket.end(raw));
          let text = '';
          socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
          socket.on('close', () => resolve(text));
          socket.on('error', reject);
        });
        const [head, body] = answer.split('\r\n\r\n');
        expect({ raw, status: head.split('\r\n')[0], error: JSON.parse(body).error }).toEqual({ raw, status: 'HTTP/1.1 400 Bad Request', error: { code: 'VALIDATION_FAILED', message: 'the request is not valid HTTP/1.1' } });
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('reads a form body as fields, and answers a route with a trailing slash as without', async () => {
    const res = await http().post('/api/v1/auth/login/').set(ELSEWHERE).type('form').send({ username: teacher.username, password: teacher.password }).expect(200);
    expect(res.body.accessToken).toEqual(expect.any(String));
    expect((await http().get('/api/v1/me/').set(teacher.auth).expect(200)).body.account.userId).toBe(teacher.userId);
  });
});

describe('headers and tokens', () => {
  it('sends security headers and no X-Powered-By', async () => {
    const res = await http().get('/health').expect(200);
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
  });

  it('marks every /api/v1 answer no-store, errors included', async () => {
    expect((await http().get('/api/v1/me').set(teacher.auth).expect(200)).headers['cache-control']).toBe('no-store');
    expect((await http().get('/api/v1/me').expect(401)).headers['cache-control']).toBe('no-store');
    expect((await http().get(`/api/v1/courses/${courseId}/logs`).set(teacher.auth).set('Accept', 'text/csv')).headers['cache-control']).toBe('no-store');
  });

  it('refuses a token without exp, even signed with the right key for an open session', async () => {
    const jwt = new JwtService();
    const claims = jwt.decode(teacher.accessToken) as Record<string, unknown>;
    expect(typeof claims.exp).toBe('number');
    const { exp: _exp, iat: _iat, ...rest } = claims;
    const forever = jwt.sign(rest, { secret: t.config.auth.jwtSecret, algorithm: 'HS256' });
    expect(jwt.decode(forever)).not.toHaveProperty('exp');
    const res = await http().get('/api/v1/me').set('Authorization', `Bearer ${forever}`).expect(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    // The same claims with an exp work: only the missing exp is refused.
    await http().get('/api/v1/me').set('Authorization', `Bearer ${jwt.sign(rest, { secret: t.config.auth.jwtSecret, algorithm: 'HS256', expiresIn: 60 })}`).expect(200);
  });
});
