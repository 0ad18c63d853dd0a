import { randomUUID } from 'node:crypto';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { EVENT_STORE, EventLog, EventRegistry, type EventStore } from '../../libs/event-store/src';
import { personal } from '../../libs/personal-data/src';
import { ProjectionRunner } from '../../libs/projections/src';
import { createTestApp, type TestApp } from '../support/test-app';

describe('foundation over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const http = () => request(t.app.getHttpServer());
  const ops = () => ({ Authorization: `Bearer ${t.opsToken}` });

  it('GET /health reports the database, the event store and each projection’s lag', async () => {
    // What the start appended (the first admin, re-applied erasures) reaches every projection first.
    const head = await t.app.get<EventStore>(EVENT_STORE).headPosition();
    if (head) await t.app.get(ProjectionRunner).waitFor(head, 120_000);
    const res = await http().get('/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'up',
      database: { status: 'up' },
      eventStore: { kind: 'postgres', status: 'up' },
      projections: { maxLag: 0, items: expect.arrayContaining([expect.objectContaining({ name: 'course-log', state: 'running', lag: 0 })]) },
    });
  });

  it('gives every response a request id, keeping a sane one from the caller', async () => {
    const own = await http().get('/health').set('X-Request-Id', 'trace-123');
    expect(own.headers['x-request-id']).toBe('trace-123');
    const made = await http().get('/health').set('X-Request-Id', 'bad id with spaces');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  describe('operations API', () => {
    it('refuses callers without the operations token with 401 and a stable code, and no data', async () => {
      for (const [method, path] of [
        ['get', '/api/v1/admin/projections'],
        ['get', '/api/v1/admin/projections/dead-letters'],
        ['post', '/api/v1/admin/projections/course-log/rebuild'],
      ] as const) {
        const none = await http()[method](path).expect(401);
        expect(none.body.error).toMatchObject({ code: 'UNAUTHENTICATED' });
        expect(none.body.projections).toBeUndefined();
        const wrong = await http()[method](path).set('Authorization', 'Bearer not-the-token-not-the-token').expect(401);
        expect(wrong.body.error.code).toBe('UNAUTHENTICATED');
      }
    });

    it('shows status, rebuilds a projection to the same rows, and answers 404 for an unknown one', async () => {
      const log = t.app.get(EventLog);
      t.app.get(EventRegistry).register({ type: 'FoundationProbeViewed', version: 1 });
      const course = randomUUID();
      const learner = randomUUID();
      let last;
      for (let i = 0; i < 5; i++) {
        last = await log.append(`course-${course}`, [
          {
            type: 'FoundationProbeViewed',
            data: { learnerNote: personal(learner, `note ${i}`) },
            envelope: {
              actorId: learner, realActorId: null, courseId: course, schoolId: null, action: 'viewed', crud: 'r',
              object: { type: 'course', id: course }, relatedUserId: null, ip: '2001:db8::1', userAgent: 'e2e',
              origin: 'web', correlationId: randomUUID(), causationId: null,
            },
          },
        ]);
      }
      const runner = t.app.get(ProjectionRunner);
      await runner.waitFor(last!.position);
      const rows = async () => {
        const body = (await http().get('/api/v1/admin/projections').set(ops()).expect(200)).body;
        return { projections: body.projections.filter((p: { name: string }) => p.name === 'course-log') };
      };
      const before = await rows();
      // The log also holds the events of the first start (the platform admin).
      const handled = before.projections[0].eventsHandled;
      expect(handled).toBeGreaterThanOrEqual(5);
      expect(before.projections[0]).toMatchObject({ name: 'course-log', lag: 0, deadLetters: 0, generation: 1 });

      const logRows = () => t.app.get<DataSource>(getDataSourceToken()).query('SELECT * FROM course_log ORDER BY event_id');
      const live = await logRows();
      expect(live).toHaveLength(5);

      const rebuild = await http().post('/api/v1/admin/projections/course-log/rebuild').set(ops()).expect(202);
      expect(rebuild.body).toEqual({ rebuilding: 'course-log' });
      await runner.waitFor(last!.position);
      expect(await logRows()).toEqual(live);
      const after = await rows();
      expect(after.projections[0]).toMatchObject({ generation: 2, eventsHandled: handled, lag: 0 });

      const missing = await http().post('/api/v1/admin/projections/nope/rebuild').set(ops()).expect(404);
      expect(missing.body.error).toMatchObject({ code: 'UNKNOWN_PROJECTION', message: 'no projection named "nope"' });
      const dead = await http().get('/api/v1/admin/projections/dead-letters?projection=nope').set(ops()).expect(404);
      expect(dead.body.error.code).toBe('UNKNOWN_PROJECTION');
      const none = await http().get('/api/v1/admin/projections/dead-letters').set(ops()).expect(200);
      expect(none.body).toEqual({ deadLetters: [] });
    });
  });

  it('publishes the OpenAPI document with every endpoint and its errors', async () => {
    const res = await http().get('/docs-json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/admin/projections', '/api/v1/admin/projections/dead-letters', '/api/v1/admin/projections/{name}/rebuild', '/health']),
    );
    // Every operation of every feature documents at least one error response.
    const undocumented = Object.entries(res.body.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => !Object.keys(op.responses ?? {}).some((status) => /^[45]/.test(status)))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(undocumented).toEqual([]);
    expect(res.body.paths['/api/v1/admin/projections'].get.responses['401']).toBeDefined();
    expect(res.body.paths['/api/v1/admin/projections/{name}/rebuild'].post.responses['404']).toBeDefined();
    expect(res.body.paths['/health'].get.responses['503']).toBeDefined();
  });

  it('answers a malformed JSON body with 400 in the common error shape', async () => {
    const res = await http().post('/api/v1/admin/projections/course-log/rebuild').set(ops()).set('Content-Type', 'application/json').send('{"broken":');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'the body is not valid JSON' });
  });

  it('answers an unknown route with 404 in the common error shape', async () => {
    const res = await http().get('/api/v1/nothing-here').expect(404);
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
  });
});
