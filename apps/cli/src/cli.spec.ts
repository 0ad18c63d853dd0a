import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventLogFixture, type EventLogFixture } from '../../../test/support/event-log-fixture';
import { runCli } from './cli';

describe('learnstream CLI', () => {
  let f: EventLogFixture;
  const saved = { ...process.env };
  let output: string[];
  const run = (...args: string[]) => runCli(args, (s) => output.push(s));

  beforeAll(async () => {
    f = await createEventLogFixture([{ type: 'CourseViewed', version: 1 }]);
    Object.assign(process.env, { NODE_ENV: 'test', DATABASE_URL: f.url, MASTER_KEY: f.masterKey.toString('base64'), OPS_TOKEN: 'o'.repeat(32), ERASURE_LEDGER_PATH: join(tmpdir(), `learnstream-ledger-cli-${randomUUID()}.jsonl`) });
  });
  beforeEach(() => {
    output = [];
  });
  afterAll(async () => {
    process.env = saved;
    await f.close();
  });

  it('prints usage and exits 64 for an unknown command', async () => {
    expect(await run('frobnicate')).toBe(64);
    expect(output.join('\n')).toContain('usage: learnstream');
    expect(await run('projections', 'rebuild')).toBe(64);
  });

  it('runs migrations', async () => {
    expect(await run('migrate')).toBe(0);
    expect(output).toEqual(['migrations are up to date']);
  });

  it('shows each projection’s checkpoint and lag', async () => {
    const course = randomUUID();
    await f.log.append(`course-${course}`, [
      {
        type: 'CourseViewed',
        data: {},
        envelope: {
          actorId: null, realActorId: null, courseId: course, schoolId: null, action: 'viewed', crud: 'r', object: null,
          relatedUserId: null, ip: null, userAgent: null, origin: 'cli', correlationId: 'cli-test', causationId: null,
        },
      },
    ]);
    expect(await run('projections', 'status')).toBe(0);
    const [header, , ...rows] = output[0].split('\n');
    const row = rows.find((r) => r.startsWith('course-log'));
    expect(header).toMatch(/^name\s+position\s+lag\s+eventsHandled\s+deadLetters/);
    expect(row).toMatch(/^course-log\s+-1\/-1\s+1\s+0\s+0/); // no projector running here: one event behind
  });

  it('starts a rebuild, and refuses an unknown projection with exit code 1', async () => {
    expect(await run('projections', 'rebuild', 'course-log')).toBe(0);
    expect(output[0]).toContain('rebuild of course-log started');
    expect(await run('projections', 'rebuild', 'nope')).toBe(1);
    expect(output[1]).toBe('UNKNOWN_PROJECTION: no projection named "nope"');
    expect(await run('projections', 'dead-letters')).toBe(0);
    expect(output[2]).toBe('(none)');
  });

  it('privacy reapply-erasures: an erasure in the ledger that the event database lacks (a restored dump) is carried out again', async () => {
    const subject = randomUUID();
    const requestId = randomUUID();
    await f.log.append(`user-${subject}`, [
      { type: 'CourseViewed', data: {}, envelope: { actorId: subject, realActorId: null, courseId: null, schoolId: null, action: 'viewed', crud: 'r', object: null, relatedUserId: null, ip: null, userAgent: null, origin: 'web', correlationId: randomUUID(), causationId: null } },
    ]);
    await f.keys.destroySubjectKeys(subject, `privacy request ${requestId}`, { requestId, anonymousId: randomUUID() });
    expect(await run('privacy', 'reapply-erasures')).toBe(0);
    expect(output[0]).toMatch(/^erasures in the ledger: 1; keys deleted: 0; people erased again in the event database: 1$/);
    expect(output[1]).toContain(subject);
    const types = (await f.pool.query('SELECT event_type FROM events WHERE stream_id IN ($1, $2) ORDER BY global_position', [`user-${subject}`, `privacy_request-${requestId}`])).rows.map((r) => r.event_type);
    expect(types).toEqual(['CourseViewed', 'PrivacyRequestFiled', 'PrivacyRequestApproved', 'PrivacyRequestCompleted', 'SubjectErased']);
    output = [];
    expect(await run('privacy', 'reapply-erasures')).toBe(0);
    expect(output).toEqual(['erasures in the ledger: 1; keys deleted: 0; people erased again in the event database: 0']);
  });

  it('refuses to start with another MASTER_KEY than the one the database was set up with', async () => {
    const original = process.env.MASTER_KEY;
    process.env.MASTER_KEY = Buffer.alloc(32, 1).toString('base64');
    try {
      expect(await run('projections', 'status')).toBe(1);
      expect(output[0]).toMatch(/^MASTER_KEY_MISMATCH: MASTER_KEY is not the master key this database was set up with/);
    } finally {
      process.env.MASTER_KEY = original;
    }
  });

  it('stops with a message naming a bad setting', async () => {
    process.env.PORT = 'many';
    try {
      expect(await run('projections', 'status')).toBe(78);
      expect(output[0]).toContain('PORT');
    } finally {
      delete process.env.PORT;
    }
  });
});
