/**
 * The LRS's statement resource beyond plain JSON, end to end: attachments in
 * multipart/mixed (SHA-2 checked, kept sealed with the statement, returned
 * by attachments=true), signed statements (JWS, RS256/384/512, payload the
 * statement), the alternate request syntax (1.0.3 only), xAPI 2.0.0 by the
 * version header (contextAgents, version 2.0.0, Last-Modified), and the
 * version an answer names when the request names none (XAPI_DEFAULT_VERSION).
 */
import { createHash, createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { asIs, countEvents, createSchool, openAccount, signInAdmin } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let db: pg.Client;
const http = () => request(t.app.getHttpServer());
const V1 = { 'X-Experience-API-Version': '1.0.3' };
const V2 = { 'X-Experience-API-Version': '2.0.0' };
let client: { clientId: string; secret: string };

const basic = (c = client) => ({ Authorization: `Basic ${Buffer.from(`${c.clientId}:${c.secret}`).toString('base64')}` });
const lrs = (v: Record<string, string> = V1) => ({ ...v, ...basic() });
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function statement(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    actor: { objectType: 'Agent', mbox: `mailto:${randomUUID()}@tool.example` },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed' },
    object: { objectType: 'Activity', id: 'http://tool.example/activities/essay' },
    ...overrides,
  };
}

function attachment(content: Buffer, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { usageType: 'http://tool.example/attachments/essay', display: { 'en-US': 'essay' }, contentType: 'text/plain', length: content.length, sha2: sha256(content), ...extra };
}

/** A multipart/mixed body: the JSON, then each part with its hash header (unless left out). */
function multipart(json: unknown, parts: { content: Buffer; contentType?: string; hash?: string | null }[]): { type: string; body: Buffer } {
  const boundary = `b-${randomUUID()}`;
  const chunks: Buffer[] = [Buffer.from(`--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(json)}\r\n`)];
  for (const p of parts) {
    const hash = p.hash === undefined ? sha256(p.content) : p.hash;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: ${p.contentType ?? 'text/plain'}\r\nContent-Transfer-Encoding: binary\r\n${hash === null ? '' : `X-Experience-API-Hash: ${hash}\r\n`}\r\n`), p.content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { type: `multipart/mixed; boundary=${boundary}`, body: Buffer.concat(chunks) };
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
function jws(payload: unknown, alg = 'RS256'): Buffer {
  const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
  const input = `${b64({ alg })}.${b64(payload)}`;
  const hash = { RS256: 'RSA-SHA256', RS384: 'RSA-SHA384', RS512: 'RSA-SHA512', HS256: 'RSA-SHA256' }[alg]!;
  return Buffer.from(`${input}.${createSign(hash).update(input).sign(privateKey).toString('base64url')}`);
}

function signed(s: Record<string, unknown>, signature: Buffer, contentType = 'application/octet-stream') {
  const withSignature = { ...s, attachments: [{ usageType: 'http://adlnet.gov/expapi/attachments/signature', display: { 'en-US': 'signature' }, contentType, length: signature.length, sha2: sha256(signature) }] };
  return multipart(withSignature, [{ content: signature, contentType: 'application/octet-stream' }]);
}

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  const admin = await signInAdmin(t);
  const school = await createSchool(t, admin, 'School');
  const schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  client = (await http().post(`/api/v1/schools/${school}/xapi-clients`).set(schoolAdmin.auth).send({ name: 'Tool' }).expect(201)).body;
}, 120_000);

afterAll(async () => {
  await db.end();
  await t.close();
});

describe('attachments (multipart/mixed)', () => {
  it('stores a statement with its attachment\'s content and returns both with attachments=true; the content is sealed in the log', async () => {
    const essay = Buffer.from(`my essay ${randomUUID()}`);
    const s = statement({ attachments: [attachment(essay)] });
    const { type, body } = multipart(s, [{ content: essay }]);
    expect((await http().post('/xapi/statements').set(lrs()).set('Content-Type', type).send(body).expect(200)).body).toEqual([s.id]);
    const plain = await http().get(`/xapi/statements?statementId=${s.id}`).set(lrs()).expect(200);
    expect(plain.body.attachments).toEqual(s.attachments);
    const res = await http().get(`/xapi/statements?statementId=${s.id}&attachments=true`).set(lrs()).buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(res.headers['content-type']).toMatch(/^multipart\/mixed; boundary=/);
    const text = (res.body as Buffer).toString('utf8');
    expect(text).toContain(`X-Experience-API-Hash: ${sha256(essay)}`);
    expect(text).toContain(essay.toString());
    expect(text).toContain(`"id":"${s.id}"`);
    const { rows } = await db.query("SELECT count(*)::int AS n FROM events WHERE event_type = 'XapiStatementRecorded' AND data::text LIKE $1", [`%${essay.toString('base64')}%`]);
    expect(rows[0].n).toBe(0);
  });

  it('refuses (400, nothing written) a part whose content does not hash to its header, a missing part, an extra part, a part without a hash, multipart/form-data', async () => {
    const essay = Buffer.from('the real essay');
    const before = await countEvents(t);
    const s = statement({ attachments: [attachment(essay)] });
    const cases = [
      multipart(s, [{ content: Buffer.from('another text'), hash: sha256(essay) }]),
      multipart(s, []),
      multipart(s, [{ content: essay }, { content: Buffer.from('extra') }]),
      multipart(s, [{ content: essay, hash: null }]),
    ];
    for (const { type, body } of cases) expect((await http().post('/xapi/statements').set(lrs()).set('Content-Type', type).send(body).expect(400)).body.error.code).toMatch(/^XAPI_INVALID/);
    const form = multipart(s, [{ content: essay }]);
    await http().post('/xapi/statements').set(lrs()).set('Content-Type', form.type.replace('mixed', 'form-data')).send(form.body).expect(400);
    // In plain JSON, an attachment needs a fileUrl.
    await http().post('/xapi/statements').set(lrs()).send(s).expect(400);
    await http().post('/xapi/statements').set(lrs()).send(statement({ attachments: [attachment(essay, { fileUrl: 'https://files.example/essay.txt' })] })).expect(200);
    expect(await countEvents(t)).toBe(before + 1);
  });
});

describe('signed statements', () => {
  it.each(['RS256', 'RS384', 'RS512'])('accepts a statement signed with %s', async (alg) => {
    const s = statement();
    const { type, body } = signed(s, jws(s, alg));
    await http().post('/xapi/statements').set(lrs()).set('Content-Type', type).send(body).expect(200);
  });

  it('refuses another algorithm, a payload that is another statement or not JSON, a signature not sent as application/octet-stream', async () => {
    const s = statement();
    const post = ({ type, body }: { type: string; body: Buffer }) => http().post('/xapi/statements').set(lrs()).set('Content-Type', type).send(body);
    await post(signed(s, jws(s, 'HS256'))).expect(400);
    await post(signed(s, jws({ ...s, verb: { id: 'http://adlnet.gov/expapi/verbs/failed' } }))).expect(400);
    await post(signed(s, jws('{not json'))).expect(400);
    await post(signed(s, jws(s), 'text/plain')).expect(400);
    await http().get(`/xapi/statements?statementId=${s.id}`).set(lrs()).expect(404);
  });
});

describe('alternate request syntax', () => {
  it('turns a POST with method= and a form into the request it describes (1.0.3)', async () => {
    const s = statement();
    const form = new URLSearchParams({ statementId: String(s.id), content: JSON.stringify(s), 'X-Experience-API-Version': '1.0.3', Authorization: basic().Authorization });
    await http().post('/xapi/statements?method=PUT').set('Content-Type', 'application/x-www-form-urlencoded').send(form.toString()).expect(204);
    const got = await http().post('/xapi/statements?method=GET').set(lrs()).set('Content-Type', 'application/x-www-form-urlencoded').send(new URLSearchParams({ statementId: String(s.id) }).toString()).expect(200);
    expect(got.body.id).toBe(s.id);
  });

  it('refuses it with other query parameters, on another method, without credentials, and under 2.0.0', async () => {
    const s = statement();
    const form = (extra: Record<string, string> = {}) => new URLSearchParams({ statementId: String(s.id), content: JSON.stringify(s), ...extra }).toString();
    await http().post(`/xapi/statements?method=PUT&statementId=${s.id}`).set(lrs()).set('Content-Type', 'application/x-www-form-urlencoded').send(form()).expect(400);
    await http().put('/xapi/statements?method=PUT').set(lrs()).set('Content-Type', 'application/x-www-form-urlencoded').send(form()).expect(400);
    await http().post('/xapi/statements?method=PUT').set('Content-Type', 'application/x-www-form-urlencoded').send(form({ 'X-Experience-API-Version': '1.0.3' })).expect(401);
    await http().post('/xapi/statements?method=PUT').set(lrs(V2)).set('Content-Type', 'application/x-www-form-urlencoded').send(form()).expect(400);
    await http().get(`/xapi/statements?statementId=${s.id}`).set(lrs()).expect(404);
  });
});

describe('xAPI 2.0.0', () => {
  it('takes contextAgents and contextGroups under 2.0.0 only, keeps the statement as version 2.0.0, and says when it was stored (Last-Modified)', async () => {
    const context = { contextAgents: [{ objectType: 'contextAgent', agent: { mbox: 'mailto:coach@tool.example' }, relevantTypes: ['http://tool.example/types/coach'] }], contextGroups: [{ objectType: 'contextGroup', group: { objectType: 'Group', mbox: 'mailto:team@tool.example' } }] };
    const s = statement({ context });
    await http().post('/xapi/statements').set(lrs(V1)).send(s).expect(400);
    const res = await http().post('/xapi/statements').set(lrs(V2)).send(s).expect(200);
    expect(res.headers['x-experience-api-version']).toBe('2.0.0');
    const got = await http().get(`/xapi/statements?statementId=${s.id}`).set(lrs(V2)).expect(200);
    expect(got.body).toMatchObject({ context, version: '2.0.0' });
    expect(Date.parse(got.headers['last-modified'])).toBe(Math.floor(Date.parse(got.body.stored) / 1000) * 1000);
    await http().post('/xapi/statements').set(lrs(V2)).send(statement({ context: { contextAgents: [] } })).expect(400);
    await http().post('/xapi/statements').set(lrs(V2)).send(statement({ context: { contextAgents: [{ objectType: 'Agent', agent: { mbox: 'mailto:a@b.example' } }] } })).expect(400);
  });

  it('names XAPI_DEFAULT_VERSION when the request names no version', async () => {
    expect((await http().get('/xapi/about').expect(200)).headers['x-experience-api-version']).toBe('2.0.0');
    const other = await createTestApp({ XAPI_DEFAULT_VERSION: '1.0.3' });
    try {
      const res = await request(other.app.getHttpServer()).get('/xapi/statements').set(basic()).expect((r) => expect([400, 401]).toContain(r.status));
      expect(res.headers['x-experience-api-version']).toBe('1.0.3');
      expect((await request(other.app.getHttpServer()).get('/xapi/about').set(V2).expect(200)).headers['x-experience-api-version']).toBe('2.0.0');
    } finally {
      await other.close();
    }
  });
});

describe('bytes', () => {
  it('refuses (400, nothing written) a statement that is not the UTF-8 it says, instead of storing its name as U+FFFD', async () => {
    const s = statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { th: 'XX' } } });
    // The display "สม" in windows-874 (TIS-620), as a legacy tool would send it.
    const [before, after] = JSON.stringify(s).split('XX');
    const body = Buffer.concat([Buffer.from(before), Buffer.from([0xca, 0xc1]), Buffer.from(after)]);
    const res = await http().post('/xapi/statements').set(lrs()).set('Content-Type', 'application/json').serialize(asIs).send(body).expect(400);
    expect(res.body.error.code).toBe('XAPI_INVALID_BODY');
    await http().get('/xapi/statements').query({ statementId: s.id as string }).set(lrs()).expect(404);
  });
});

describe('the statements of a multipart body meet the rules of a JSON body', () => {
  it('refuses (400, nothing written) a NUL, a lone surrogate, bytes that are not UTF-8 and nesting past the limit in the statements part', async () => {
    const essay = Buffer.from('an essay');
    const withPart = (s: Record<string, unknown>) => multipart(s, [{ content: essay }]);
    const deep = Array.from({ length: 40 }).reduce<unknown>((inner) => ({ a: inner }), 1);
    const cases: Array<{ name: string; s: Record<string, unknown>; body?: (b: Buffer) => Buffer; code: string }> = [
      { name: 'NUL', s: statement({ attachments: [attachment(essay)], verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'a\u0000b' } } }), code: 'VALIDATION_FAILED' },
      { name: 'lone surrogate', s: statement({ attachments: [attachment(essay)], verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'a\ud800b' } } }), code: 'VALIDATION_FAILED' },
      { name: 'deep', s: statement({ attachments: [attachment(essay)], result: { extensions: { 'http://tool.example/deep': deep } } }), code: 'VALIDATION_FAILED' },
      // The display "XX" as windows-874 bytes (สม), as a legacy tool would send it: it was stored as U+FFFD.
      { name: 'not UTF-8', s: statement({ attachments: [attachment(essay)], verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { th: 'XX' } } }), body: (b) => Buffer.from(b.toString('latin1').replace('XX', '\u00ca\u00c1'), 'latin1'), code: 'XAPI_INVALID_ATTACHMENT' },
    ];
    for (const c of cases) {
      const { type, body } = withPart(c.s);
      const before = await countEvents(t);
      const res = await http().post('/xapi/statements').set(lrs()).set('Content-Type', type).send(c.body ? c.body(body) : body);
      expect({ name: c.name, status: res.status, code: res.body.error?.code }).toEqual({ name: c.name, status: 400, code: c.code });
      expect(await countEvents(t)).toBe(before);
      await http().get('/xapi/statements').query({ statementId: c.s.id as string }).set(lrs()).expect(404);
    }
  });
});

describe('days that do not exist', () => {
  it('refuses (400, nothing written) a timestamp on 30 February or 29 February of a common year, and such a since/until: Date.parse rolled them over to March', async () => {
    for (const timestamp of ['2026-02-30T00:00:00Z', '2026-02-29T10:00:00+07:00', '2026-04-31T00:00:00.000Z']) {
      const s = statement({ timestamp });
      const before = await countEvents(t);
      const res = await http().post('/xapi/statements').set(lrs()).send(s);
      expect({ timestamp, status: res.status, code: res.body.error?.code }).toEqual({ timestamp, status: 400, code: 'XAPI_INVALID_STATEMENT' });
      expect(await countEvents(t)).toBe(before);
      await http().get('/xapi/statements').query({ statementId: s.id as string }).set(lrs()).expect(404);
    }
    for (const query of [{ since: '2026-02-30T00:00:00Z' }, { until: '2025-02-29T00:00:00Z' }]) {
      const res = await http().get('/xapi/statements').query(query).set(lrs());
      expect({ query, status: res.status, code: res.body.error?.code }).toEqual({ query, status: 400, code: 'XAPI_INVALID_PARAMETER' });
    }
    const leap = await http().post('/xapi/statements').set(lrs()).send(statement({ timestamp: '2024-02-29T10:00:00Z' }));
    expect(leap.status).toBe(200);
  });
});
