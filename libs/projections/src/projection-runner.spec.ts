import { randomUUID } from 'node:crypto';
import type { EnvelopeInput, EventTypeDefinition, StoredEvent } from '@learnstream/event-store';
import type { EntityManager } from 'typeorm';
import { createEventLogFixture, type EventLogFixture } from '../../../test/support/event-log-fixture';
// The course log (libs/reports) serves as a real projection here.
import { CourseLogProjection } from '@learnstream/reports';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';

const types: EventTypeDefinition[] = ['CourseViewed', 'ResourceViewed', 'Poison', 'SchoolCreated'].map((type) => ({ type, version: 1 }));

function envelope(courseId: string | null, actorId = randomUUID()): EnvelopeInput {
  return {
    actorId,
    realActorId: null,
    courseId,
    schoolId: null,
    action: 'viewed',
    crud: 'r',
    object: courseId ? { type: 'course', id: courseId } : null,
    relatedUserId: null,
    ip: '198.51.100.4',
    userAgent: null,
    origin: 'web',
    correlationId: randomUUID(),
    causationId: null,
  };
}

/** Counts events per type, with a plain increment (not idempotent on purpose): a double-applied event shows. */
class CountingProjection implements Projection {
  readonly name = 'counting';
  readonly eventTypes = ['CourseViewed', 'ResourceViewed'];
  async handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    await tx.query(
      `INSERT INTO test_counts (type, n) VALUES ($1, 1) ON CONFLICT (type) DO UPDATE SET n = test_counts.n + 1`,
      [event.type],
    );
  }
  async reset(tx: EntityManager): Promise<void> {
    await tx.query('DELETE FROM test_counts');
  }
}

/** Fails on Poison events: they must be parked while the projection goes on. */
class PickyProjection implements Projection {
  readonly name = 'picky';
  readonly eventTypes = '*' as const;
  /** Turned on by a test: the "fixed" projection, so that a retry succeeds. */
  static digestsPoison = false;
  async handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    if (event.type === 'Poison' && !PickyProjection.digestsPoison) throw new Error(`cannot digest ${event.data.what}`);
    await tx.query('INSERT INTO test_seen (event_id) VALUES ($1) ON CONFLICT DO NOTHING', [event.id]);
  }
  async reset(tx: EntityManager): Promise<void> {
    await tx.query('DELETE FROM test_seen');
  }
}

/** Notes the number of views in each batch it is handed. */
function batchSizes(name: string, sizes: number[]): Projection {
  return {
    name,
    eventTypes: ['CourseViewed', 'ResourceViewed'],
    handle: async () => {
      sizes.push(1);
    },
    handleBatch: async (events) => {
      sizes.push(events.length);
    },
    reset: async () => undefined,
  };
}

async function courseLogRows(f: EventLogFixture) {
  return (await f.dataSource.query(
    `SELECT event_id AS "eventId", course_id AS "courseId", school_id AS "schoolId", occurred_at AS "occurredAt", event_type AS "eventType", action, crud,
            object_type AS "objectType", object_id AS "objectId", actor_id AS "actorId", real_actor_id AS "realActorId", related_user_id AS "relatedUserId", origin, position
       FROM course_log ORDER BY event_id`,
  )) as { eventId: string; courseId: string; action: string; crud: string; eventType: string }[];
}

describe('ProjectionRunner', () => {
  let f: EventLogFixture;
  let runner: ProjectionRunner;
  const courses = [randomUUID(), randomUUID()];

  beforeAll(async () => {
    f = await createEventLogFixture(types);
    await f.dataSource.query('CREATE TABLE test_counts (type text PRIMARY KEY, n int NOT NULL)');
    await f.dataSource.query('CREATE TABLE test_seen (event_id uuid PRIMARY KEY)');
    await f.dataSource.query('CREATE TABLE test_gated (event_id uuid PRIMARY KEY)');
    runner = new ProjectionRunner(f.dataSource, f.log, [new CourseLogProjection(), new CountingProjection(), new PickyProjection()], { batchSize: 50, idleCheckMs: 50 });
  });
  afterAll(async () => {
    await runner.stop();
    await f.close();
  });

  async function appendViews(n: number) {
    let last;
    for (let i = 0; i < n; i++) {
      const course = courses[i % 2];
      last = await f.log.append(`course-${course}`, [
        { type: i % 3 === 0 ? 'ResourceViewed' : 'CourseViewed', data: { i }, envelope: envelope(course) },
        { type: 'SchoolCreated', data: {}, envelope: envelope(null) },
      ]);
    }
    return last!.position;
  }

  it('catches up from zero, then follows live appends; a rebuild gives the same rows as the live run', async () => {
    await appendViews(120);
    await runner.start();
    const head = await appendViews(30); // while it runs
    await runner.waitFor(head);

    const live = await courseLogRows(f);
    expect(live).toHaveLength(150);
    expect(new Set(live.map((r) => r.courseId))).toEqual(new Set(courses));
    expect(live.every((r) => r.action === 'viewed' && r.crud === 'r')).toBe(true);
    const counts = await f.dataSource.query('SELECT type, n FROM test_counts ORDER BY type');
    expect(counts).toEqual([
      { type: 'CourseViewed', n: 100 },
      { type: 'ResourceViewed', n: 50 },
    ]);

    await runner.rebuild('course-log');
    await runner.rebuild('counting');
    await runner.waitFor(head);
    expect(await courseLogRows(f)).toEqual(live);
    expect(await f.dataSource.query('SELECT type, n FROM test_counts ORDER BY type')).toEqual(counts);

    const status = await runner.status();
    expect(status.map((s) => [s.name, s.lag, s.state])).toEqual([
      ['counting', 0, 'running'],
      ['course-log', 0, 'running'],
      ['picky', 0, 'running'],
    ]);
    expect(status.find((s) => s.name === 'counting')!.generation).toBe(2);
    expect(status.find((s) => s.name === 'course-log')!.eventsHandled).toBe(300);
  });

  it('parks an event a projection cannot handle, with its error, and goes on', async () => {
    const poison = await f.log.append(`course-${courses[0]}`, [{ type: 'Poison', data: { what: 'a bad apple' }, envelope: envelope(courses[0]) }]);
    const after = await appendViews(4);
    await runner.waitFor(after);
    const [dead] = await runner.deadLetters('picky');
    expect(dead).toMatchObject({ projection: 'picky', eventType: 'Poison', error: 'Error: cannot digest a bad apple', attempts: 1 });
    expect((await runner.status()).find((s) => s.name === 'picky')!.deadLetters).toBe(1);
    // Events after the poisoned one were handled.
    const seen = await f.dataSource.query('SELECT count(*)::int AS n FROM test_seen');
    expect(seen[0].n).toBe(150 * 2 + 4 * 2); // all but the parked one
    // The others handled the Poison event normally (the course log has it).
    expect((await courseLogRows(f)).some((r) => r.eventType === 'Poison')).toBe(true);
    expect(poison.position).toBeDefined();
    await expect(runner.deadLetters('nope')).rejects.toMatchObject({ code: 'UNKNOWN_PROJECTION' });

    // Retried while still broken: it stays parked, with one more attempt.
    expect(await runner.retryDeadLetter(dead.id)).toMatchObject({ retried: false, error: 'Error: cannot digest a bad apple' });
    expect((await runner.deadLetters('picky'))[0]).toMatchObject({ attempts: 2 });
    // Once the projection is fixed, a retry applies it and removes the dead letter.
    PickyProjection.digestsPoison = true;
    expect(await runner.retryDeadLetter(dead.id)).toMatchObject({ retried: true, error: null, eventId: dead.eventId });
    expect(await runner.deadLetters('picky')).toEqual([]);
    expect((await f.dataSource.query('SELECT count(*)::int AS n FROM test_seen WHERE event_id = $1', [dead.eventId]))[0].n).toBe(1);
    await expect(runner.retryDeadLetter(dead.id)).rejects.toMatchObject({ code: 'DEAD_LETTER_NOT_FOUND' });
  });

  it('does not park an event for a passing failure (a serialization error): it retries it', async () => {
    let failures = 1;
    const flaky: Projection = {
      name: 'flaky',
      eventTypes: ['CourseViewed'],
      handle: async (event, tx) => {
        if (failures-- > 0) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
        await tx.query('INSERT INTO test_seen (event_id) VALUES ($1) ON CONFLICT DO NOTHING', [event.id]);
      },
      reset: async () => undefined,
    };
    const own = new ProjectionRunner(f.dataSource, f.log, [flaky], { idleCheckMs: 50 });
    const head = await appendViews(2);
    await own.start();
    try {
      await own.waitFor(head);
      expect(await own.deadLetters('flaky')).toEqual([]);
      expect(failures).toBeLessThan(0);
    } finally {
      await own.stop();
    }
  });

  it('never parks an event whose transaction lost its connection (pg_terminate_backend), and never moves past it', async () => {
    let kills = 3;
    const seen: string[] = [];
    const cut: Projection = {
      name: 'cut',
      eventTypes: ['ResourceViewed'],
      handle: async (event, tx) => {
        // The server ends this transaction's own connection: a real 57P01 mid-batch.
        if (kills-- > 0) await tx.query('SELECT pg_terminate_backend(pg_backend_pid())');
        await tx.query('INSERT INTO test_seen (event_id) VALUES ($1) ON CONFLICT DO NOTHING', [event.id]);
        seen.push(event.id);
      },
      reset: async () => undefined,
    };
    const own = new ProjectionRunner(f.dataSource, f.log, [cut], { idleCheckMs: 50 });
    const head = await appendViews(6);
    await own.start();
    try {
      await own.waitFor(head, 60_000);
      expect(kills).toBeLessThan(0);
      expect(await own.deadLetters('cut')).toEqual([]);
      // Every ResourceViewed event of the log was applied (i % 3 === 0: a third of all views), none skipped.
      const [{ n }] = await f.dataSource.query(`SELECT count(*)::int AS n FROM events WHERE event_type = 'ResourceViewed'`);
      expect(new Set(seen).size).toBe(n);
      expect((await own.status())[0]).toMatchObject({ state: 'running', lag: 0, deadLetters: 0 });
    } finally {
      await own.stop();
    }
  });

  it('parks an event only when it fails the same way again once the database answers: a one-off failure is retried', async () => {
    let failures = 1;
    const once: Projection = {
      name: 'once',
      eventTypes: ['CourseViewed'],
      handle: async (event, tx) => {
        if (failures-- > 0) throw new Error(`a one-off failure on ${event.id}`);
        await tx.query('INSERT INTO test_seen (event_id) VALUES ($1) ON CONFLICT DO NOTHING', [event.id]);
      },
      reset: async () => undefined,
    };
    const own = new ProjectionRunner(f.dataSource, f.log, [once], { idleCheckMs: 50 });
    const head = await appendViews(2);
    await own.start();
    try {
      await own.waitFor(head, 60_000);
      expect(failures).toBeLessThan(0);
      expect(await own.deadLetters('once')).toEqual([]);
    } finally {
      await own.stop();
    }
  });

  it('applies a few new events that several projections handle in one transaction, and each on its own when one of them fails', async () => {
    await f.dataSource.query('CREATE TABLE test_joint (projection text, event_id uuid, PRIMARY KEY (projection, event_id))');
    const keeping = (name: string, fails: (event: StoredEvent) => boolean): Projection => ({
      name,
      eventTypes: ['CourseViewed', 'Poison'],
      handle: async (event, tx) => {
        if (fails(event)) throw new Error(`${name} cannot digest ${String(event.data.what)}`);
        await tx.query('INSERT INTO test_joint (projection, event_id) VALUES ($1, $2)', [name, event.id]);
      },
      reset: async (tx) => {
        await tx.query('DELETE FROM test_joint WHERE projection = $1', [name]);
      },
    });
    // joint-idle has nothing to do in these batches: its checkpoint moves with theirs.
    const idle: Projection = { name: 'joint-idle', eventTypes: ['SchoolCreated'], handle: async () => undefined, reset: async () => undefined };
    const own = new ProjectionRunner(f.dataSource, f.log, [keeping('joint-a', () => false), keeping('joint-b', (e) => e.type === 'Poison'), idle], { idleCheckMs: 50 });
    const checkpoints = async () =>
      (await f.dataSource.query(`SELECT name, events_handled::int AS handled, updated_at::text AS "updatedAt" FROM projection_checkpoints WHERE name LIKE 'joint-%' ORDER BY name`)) as {
        name: string;
        handled: number;
        /** To the microsecond. */
        updatedAt: string;
      }[];
    const kept = async (eventId: string) => (await f.dataSource.query('SELECT projection FROM test_joint WHERE event_id = $1 ORDER BY projection', [eventId])).map((r: { projection: string }) => r.projection);
    try {
      await own.start();
      await own.waitFor(await appendViews(1));
      const before = await checkpoints();

      const ids = [randomUUID(), randomUUID(), randomUUID()];
      const view = await f.log.append(`course-${courses[0]}`, [{ id: ids[0], type: 'CourseViewed', data: { i: 0 }, envelope: envelope(courses[0]) }]);
      await own.waitFor(view.position);
      const [a, b, c] = await checkpoints();
      expect(await kept(ids[0])).toEqual(['joint-a', 'joint-b']);
      expect([a.handled - before[0].handled, b.handled - before[1].handled, c.handled - before[2].handled]).toEqual([1, 1, 0]);
      // One transaction: now() is its start, the same for the three checkpoints.
      expect([b.updatedAt, c.updatedAt]).toEqual([a.updatedAt, a.updatedAt]);

      const poison = await f.log.append(`course-${courses[0]}`, [
        { id: ids[1], type: 'CourseViewed', data: { i: 1 }, envelope: envelope(courses[0]) },
        { id: ids[2], type: 'Poison', data: { what: 'a sour grape' }, envelope: envelope(courses[0]) },
      ]);
      await own.waitFor(poison.position);
      // joint-b's failure undid nothing of joint-a's: each applied the batch on its own, and joint-b parked the poison only.
      expect(await kept(ids[1])).toEqual(['joint-a', 'joint-b']);
      expect(await kept(ids[2])).toEqual(['joint-a']);
      // (the log's earlier poison, of another test, parked too on the way)
      expect((await own.deadLetters('joint-b')).filter((d) => d.eventId === ids[2])).toMatchObject([{ error: 'Error: joint-b cannot digest a sour grape', attempts: 1 }]);
      expect(await own.deadLetters('joint-a')).toEqual([]);
      const [a2, b2, c2] = await checkpoints();
      expect([a2.handled - a.handled, b2.handled - b.handled, c2.handled - c.handled]).toEqual([2, 1, 0]);
      expect(a2.updatedAt).not.toEqual(b2.updatedAt);
      expect(c2.updatedAt).not.toEqual(c.updatedAt);
      expect((await own.status()).filter((s) => s.name.startsWith('joint-')).map((s) => [s.name, s.lag])).toEqual([
        ['joint-a', 0],
        ['joint-b', 0],
        ['joint-idle', 0],
      ]);
    } finally {
      await own.stop();
    }
  });

  it('takes small batches while this process is appending and big ones to catch up once it stops (the appends go first)', async () => {
    const sizes: number[] = [];
    const sizing = batchSizes('batch-sizes', sizes);
    let appending = true;
    const own = new ProjectionRunner(f.dataSource, f.log, [sizing], { batchSize: 40, liveBatchSize: 8, appending: () => appending, idleCheckMs: 50 });
    try {
      // From zero: every view of the log so far (the schools' events are not wanted).
      const first = await appendViews(30);
      const [{ n }] = await f.dataSource.query(`SELECT count(*)::int AS n FROM events WHERE event_type IN ('CourseViewed', 'ResourceViewed')`);
      await own.start();
      await own.waitFor(first);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(8);
      expect(sizes.length).toBeGreaterThanOrEqual(Math.ceil(n / 8));

      await own.stop();
      sizes.length = 0;
      appending = false;
      const second = await appendViews(30);
      await own.start();
      await own.waitFor(second);
      // Each batch of the log's events (two per view) now holds up to 40 of them: 20 views.
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(30);
      expect(Math.max(...sizes)).toBeGreaterThan(8);
    } finally {
      await own.stop();
    }
  });

  it('under a stream of small appends it waits PROJECTION_LIVE_LINGER_MS between batches (few large batches); an event after a quiet spell is applied at once; a waiter in the process, a stop, and a decision read model do not wait for the linger', async () => {
    const sizes: number[] = [];
    const sizing = batchSizes('linger-sizes', sizes);
    const lingerMs = 300;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const lone = async () => (await f.log.append(`course-${courses[0]}`, [{ type: 'CourseViewed', data: {}, envelope: envelope(courses[0]) }])).position;
    // Reads the checkpoints from the database (polls): it is not a waiter of the runner under test, which it would hurry.
    const observer = new ProjectionRunner(f.dataSource, f.log, [sizing, { ...batchSizes('linger-deciding', []), inline: true }]);
    const seen = (position: Awaited<ReturnType<typeof lone>>, name: string, timeoutMs = 10_000) => observer.waitFor(position, timeoutMs, [name]);
    const own = new ProjectionRunner(f.dataSource, f.log, [sizing], { batchSize: 500, liveLingerMs: lingerMs, idleCheckMs: 50 });
    const patient = new ProjectionRunner(f.dataSource, f.log, [sizing], { batchSize: 500, liveLingerMs: 60_000, idleCheckMs: 50 });
    const deciding = new ProjectionRunner(f.dataSource, f.log, [{ ...batchSizes('linger-deciding', []), inline: true }], { batchSize: 500, liveLingerMs: 60_000, idleCheckMs: 50 });
    try {
      await own.start();
      await seen(await lone(), 'linger-sizes');
      await sleep(lingerMs + 100);

      // 20 appends of two events each, one after another: without the linger, a batch each (or close to it).
      sizes.length = 0;
      const started = Date.now();
      let head;
      for (let i = 0; i < 20; i++) {
        head = await appendViews(1);
        await sleep(15);
      }
      const elapsed = Date.now() - started;
      await seen(head!, 'linger-sizes');
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(20);
      // The first batch comes at once; after it, at most one batch per linger (and the one that reaches the head).
      expect(sizes.length).toBeLessThanOrEqual(2 + Math.ceil(elapsed / lingerMs));
      expect(sizes.length).toBeLessThan(20);
      await own.stop();

      // The same checkpoint (at the head) with a linger of a minute: an event after a quiet spell is applied at once,
      // and so is the next (one event); the one after that, a single event soon after another, waits the linger.
      await patient.start();
      await seen(await lone(), 'linger-sizes');
      await seen(await lone(), 'linger-sizes');
      const third = await lone();
      await expect(seen(third, 'linger-sizes', 1_500)).rejects.toThrow(/did not reach/);
      // A caller of waitFor in the process (read-your-writes) cuts it short.
      const hurried = Date.now();
      await patient.waitFor(third, 10_000);
      expect(Date.now() - hurried).toBeLessThan(10_000);
      // A stop during a linger (the one after `third`: an event soon after another) does not wait it out.
      await expect(seen(await lone(), 'linger-sizes', 1_000)).rejects.toThrow(/did not reach/);
      const stopping = Date.now();
      await patient.stop();
      expect(Date.now() - stopping).toBeLessThan(5_000);

      // Once a linger is over and the log is quiet, the reader waits for the next event without lingering again.
      const quiet = new ProjectionRunner(f.dataSource, f.log, [sizing], { batchSize: 500, liveLingerMs: 3_000, idleCheckMs: 50 });
      try {
        await quiet.start();
        await seen(await appendViews(1), 'linger-sizes');
        await sleep(3_500);
        const after = Date.now();
        await seen(await lone(), 'linger-sizes');
        expect(Date.now() - after).toBeLessThan(1_500);
      } finally {
        await quiet.stop();
      }

      // A reader with a decision read model (inline: with EventStoreDB commands wait for it) never lingers.
      await deciding.start();
      await seen(await appendViews(1), 'linger-deciding', 20_000);
      for (let i = 0; i < 3; i++) await seen(await appendViews(1), 'linger-deciding', 5_000);
    } finally {
      await own.stop();
      await patient.stop();
      await deciding.stop();
    }
  });

  it('never applies an event twice, even with a second projector process running the same projections', async () => {
    const second = new ProjectionRunner(f.dataSource, f.log, [new CountingProjection()], { batchSize: 7, idleCheckMs: 50 });
    // The count before is read once this runner has applied everything so far: the last test waited only for its own
    // runner, and an append of the last test still being applied here (one counted event each) read as a double (CI: 81).
    await runner.waitFor(await appendViews(1));
    await second.start();
    try {
      const before = await f.dataSource.query('SELECT sum(n)::int AS n FROM test_counts');
      const head = await appendViews(80);
      await runner.waitFor(head);
      await second.waitFor(head);
      const afterCount = await f.dataSource.query('SELECT sum(n)::int AS n FROM test_counts');
      expect(afterCount[0].n - before[0].n).toBe(80);
    } finally {
      await second.stop();
    }
  });

  it('notices a rebuild requested by another process (the CLI) and replays into the emptied read model', async () => {
    const head = await appendViews(5);
    await runner.waitFor(head);
    const live = await courseLogRows(f);
    const cli = new ProjectionRunner(f.dataSource, f.log, [new CourseLogProjection()]);
    await cli.rebuild('course-log');
    await runner.waitFor(head);
    expect(await courseLogRows(f)).toEqual(live);
    await expect(cli.rebuild('missing')).rejects.toMatchObject({ code: 'UNKNOWN_PROJECTION' });
  });

  it('a projection being rebuilt, and failing, catches up in its own lane: the others follow the log meanwhile, and it joins them again', async () => {
    let broken = false;
    const gated: Projection = {
      name: 'gated',
      eventTypes: ['ResourceViewed'],
      handle: async (event, tx) => {
        if (broken) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
        await tx.query('INSERT INTO test_gated (event_id) VALUES ($1) ON CONFLICT DO NOTHING', [event.id]);
      },
      reset: async (tx) => {
        await tx.query('DELETE FROM test_gated');
      },
    };
    const own = new ProjectionRunner(f.dataSource, f.log, [gated, new CourseLogProjection()], { batchSize: 20, idleCheckMs: 50 });
    await own.start();
    try {
      await own.waitFor(await appendViews(3));
      broken = true;
      await own.rebuild('gated');
      // The rebuild replays from the start and fails (a passing failure, retried); the course log goes on with new events.
      const head = await appendViews(6);
      await own.waitFor(head, 30_000, ['course-log']);
      const status = (await own.status()).find((s) => s.name === 'gated')!;
      expect(status).toMatchObject({ position: '-1/-1', eventsHandled: 0, deadLetters: 0 });
      expect(status.rebuildStartedAt).not.toBeNull();
      broken = false;
      await own.waitFor(head, 30_000);
      const resourceViews = async () => (await f.dataSource.query(`SELECT count(*)::int AS n FROM events WHERE event_type = 'ResourceViewed'`))[0].n as number;
      const gatedRows = async () => (await f.dataSource.query('SELECT count(*)::int AS n FROM test_gated'))[0].n as number;
      expect(await gatedRows()).toBe(await resourceViews());
      // Back in step: new events reach both.
      await own.waitFor(await appendViews(3), 30_000);
      expect(await gatedRows()).toBe(await resourceViews());
    } finally {
      await own.stop();
    }
  });
});
