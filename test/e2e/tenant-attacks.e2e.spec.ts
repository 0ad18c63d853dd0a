/**
 * The edges, attacked again from outside (issue 12, after the suites
 * generated from /docs-json): hostile requests of kinds the generated suites
 * do not send answer 4xx and write nothing, and forged tokens are refused.
 * (Withdrawn access ending a live tail: course-log.e2e.spec.ts.)
 */
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { countEvents, createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let admin: Session;
let school: string;
let schoolAdmin: Session;
let teacher: Session;
let courseId: string;
const api = () => request(t.app.getHttpServer());

beforeAll(async () => {
  t = await createTestApp();
  admin = await signInAdmin(t);
  school = await createSchool(t, admin, 'Attacked School');
  schoolAdmin = await openAccount(t, admin, { schoolId: school, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId: school, role: 'teacher' });
  courseId = (await api().post('/api/v1/courses').set(teacher.auth).send({ schoolId: school, title: 'Chemistry', code: 'CHE-1', subject: 'Chemistry', selfEnrolment: { enabled: false } }).expect(201)).body.courseId;
  await api().post(`/api/v1/courses/${courseId}/sections`).set(teacher.auth).send({ title: 'Week 1' }).expect(201);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('hostile requests the generated suites do not send', () => {
  it('a batch of GraphQL operations in one request is refused before any runs', async () => {
    const before = await countEvents(t);
    const res = await api().post('/graphql').set(teacher.auth).send([{ query: `{ course(id: "${courseId}") { courseId } }` }, { query: `{ course(id: "${courseId}") { courseId } }` }]);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await countEvents(t)).toBe(before);
  });

  it('prototype keys in a body are refused at the edge, never reach a command, and change nothing', async () => {
    const before = await countEvents(t);
    for (const body of [
      '{"title":"Week 2","__proto__":{"isAdmin":true}}',
      '{"title":"Week 2","constructor":{"prototype":{"isAdmin":true}}}',
      '{"title":{"__proto__":"x"}}',
      '{"title":"Week 2","nested":[{"__proto__":{"isAdmin":true}}]}',
    ]) {
      const res = await api().post(`/api/v1/courses/${courseId}/sections`).set(teacher.auth).set('Content-Type', 'application/json').send(body);
      expect({ body, status: res.status, code: res.body?.error?.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
    }
    const query = await api().get(`/api/v1/courses/${courseId}/logs?__proto__=x`).set(teacher.auth);
    expect({ status: query.status, code: query.body?.error?.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(await countEvents(t)).toBe(before);
  });

  it('bodies that are not JSON objects, or declare another type, get 4xx and write nothing', async () => {
    const before = await countEvents(t);
    const cases: [string, string][] = [
      ['application/json', '"just a string"'],
      ['application/json', '[{"title":"Week 2"}]'],
      ['application/json', 'null'],
      ['application/json', '{"title": "Week 2"'],
      ['application/json; charset=utf-16', '{"title":"Week 2"}'],
      ['text/plain', '{"title":"Week 2"}'],
      ['application/json', '{"title": 1e400}'],
    ];
    for (const [type, body] of cases) {
      const res = await api().post(`/api/v1/courses/${courseId}/sections`).set(teacher.auth).set('Content-Type', type).send(body);
      expect({ type, body, status: res.status < 500 && res.status >= 400 }).toEqual({ type, body, status: true });
    }
    expect(await countEvents(t)).toBe(before);
  });

  it('an oversized URL or header is answered 4xx, not 5xx', async () => {
    const long = 'x'.repeat(200_000);
    const res = await api().get(`/api/v1/courses/${courseId}/logs?action=${long}`).set(teacher.auth);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

describe('forged tokens', () => {
  it('an unsigned token (alg none), one signed with another secret, and a valid one for a session that does not exist are refused with 401', async () => {
    const [, payloadPart] = (teacher.auth.Authorization as string).replace('Bearer ', '').split('.');
    const claims = JSON.parse(Buffer.from(payloadPart, 'base64url').toString());
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, sub: admin.userId })}.`;
    const other = await new JwtService({ secret: 'not-the-server-secret-at-all-0123456789' }).signAsync({ ...claims, sub: admin.userId });
    const hs512 = await new JwtService({ secret: t.config.auth.jwtSecret }).signAsync({ ...claims, sub: admin.userId }, { algorithm: 'HS512' });
    const ghost = await new JwtService({ secret: t.config.auth.jwtSecret }).signAsync({ ...claims, sid: '00000000-0000-4000-8000-000000000000' });
    for (const token of [none, other, hs512, ghost]) {
      const res = await api().get('/api/v1/me').set({ Authorization: `Bearer ${token}` });
      expect({ token: token.slice(0, 24), status: res.status }).toEqual({ token: token.slice(0, 24), status: 401 });
    }
    await api().get('/api/v1/me').set(teacher.auth).expect(200);
  });
});
