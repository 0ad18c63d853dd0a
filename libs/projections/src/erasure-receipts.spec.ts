/**
 * Erasure receipts: every projection, whatever event types it handles, passes
 * a SubjectErased event by forgetting the subject (after the events before
 * it, before the events after it, in one transaction) and writing its
 * erasure_receipts row in that same transaction.
 */
import { randomUUID } from 'node:crypto';
import type { EnvelopeInput, EventTypeDefinition, StoredEvent } from '@learnstream/event-store';
import type { EntityManager } from 'typeorm';
import { createEventLogFixture, type EventLogFixture } from '../../../test/support/event-log-fixture';
// The course log (libs/reports) serves as a real projection here.
import { CourseLogProjection } from '@learnstream/reports';
import { SUBJECT_ERASED, type ErasedSubject, type Projection } from './projection';
import { ProjectionRunner } from './projection-runner';

const types: EventTypeDefinition[] = ['CourseViewed', SUBJECT_ERASED, 'SchoolCreated'].map((type) => ({ type, version: 1 }));

function envelope(actorId: string | null, courseId: string | null, relatedUserId: string | null = null): EnvelopeInput {
  return {
    actorId, realActorId: null, courseId, schoolId: null, action: 'viewed', crud: 'r', object: null, relatedUserId,
    ip: null, userAgent: null, origin: 'web', correlationId: randomUUID(), causationId: null,
  };
}

/** Who viewed what, one row per event; forgets by deleting. Records the order it saw things in. */
class ViewsProjection implements Projection {
  readonly name = 'views';
  readonly eventTypes = ['CourseViewed'];
  readonly readsPersonalData = false;
  static failForget = false;
  async handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    await tx.query('INSERT INTO test_views (event_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [event.id, event.envelope.actorId]);
    await tx.query(`INSERT INTO test_trace (what) VALUES ($1)`, [`view:${event.envelope.actorId}`]);
  }
  async handleBatch(events: StoredEvent[], tx: EntityManager): Promise<void> {
    for (const e of events) await this.handle(e, tx);
  }
  async reset(tx: EntityManager): Promise<void> {
    await tx.query('DELETE FROM test_views');
  }
  async forgetSubject(subject: ErasedSubject, tx: EntityManager): Promise<void> {
    if (ViewsProjection.failForget) throw new Error('cannot forget today');
    await tx.query('DELETE FROM test_views WHERE user_id = $1', [subject.userId]);
    await tx.query(`INSERT INTO test_trace (what) VALUES ($1)`, [`forget:${subject.userId}`]);
  }
}

/** Holds nobody's data: it still acknowledges. */
class SchoolsOnly implements Projection {
  readonly name = 'schools-only';
  readonly eventTypes = ['SchoolCreated'];
  async handle(): Promise<void> {}
  async reset(): Promise<void> {}
}

describe('erasure receipts', () => {
  let f: EventLogFixture;
  let runner: ProjectionRunner;
  const course = randomUUID();
  const [ann, bob, dpo] = [randomUUID(), randomUUID(), randomUUID()];

  beforeAll(async () => {
    f = await createEventLogFixture(types);
    await f.dataSource.query('CREATE TABLE test_views (event_id uuid PRIMARY KEY, user_id uuid)');
    await f.dataSource.query('CREATE TABLE test_trace (n serial PRIMARY KEY, what text NOT NULL)');
    runner = new ProjectionRunner(f.dataSource, f.log, [new CourseLogProjection(), new ViewsProjection(), new SchoolsOnly()], { batchSize: 100, idleCheckMs: 50 });
  });
  afterAll(async () => {
    await runner.stop();
    await f.close();
  });

  const erase = (userId: string, requestId: string, anonymousId: string) =>
    f.log.append(`user-${userId}`, [{ type: SUBJECT_ERASED, data: { userId, requestId, anonymousId, at: new Date().toISOString() }, envelope: envelope(dpo, null) }]);

  it('every projection forgets the subject in log order and acknowledges, in one batch with the events around it', async () => {
    // Views by Ann and Bob, a teacher's event about Ann, then the erasure, then a later view by Bob: all in one batch.
    await f.log.append(`course-${course}`, [
      { type: 'CourseViewed', data: {}, envelope: envelope(ann, course) },
      { type: 'CourseViewed', data: {}, envelope: envelope(bob, course, ann) },
    ]);
    const requestId = randomUUID();
    const anonymousId = randomUUID();
    await erase(ann, requestId, anonymousId);
    const last = await f.log.append(`course-${course}`, [{ type: 'CourseViewed', data: {}, envelope: envelope(bob, course) }]);
    await runner.start();
    await runner.waitFor(last.position);

    const receipts = await f.dataSource.query('SELECT projection, user_id FROM erasure_receipts WHERE request_id = $1 ORDER BY projection', [requestId]);
    expect(receipts).toEqual([
      { projection: 'course-log', user_id: ann },
      { projection: 'schools-only', user_id: ann },
      { projection: 'views', user_id: ann },
    ]);
    const trace = (await f.dataSource.query('SELECT what FROM test_trace ORDER BY n')).map((r: { what: string }) => r.what);
    expect(trace).toEqual([`view:${ann}`, `view:${bob}`, `forget:${ann}`, `view:${bob}`]);
    expect(await f.dataSource.query('SELECT user_id FROM test_views ORDER BY user_id')).toEqual([{ user_id: bob }, { user_id: bob }]);
    // The course log keeps the rows (counts), with Ann's id replaced wherever it was.
    const log = await f.dataSource.query('SELECT actor_id, related_user_id FROM course_log ORDER BY position');
    expect(log).toEqual([
      { actor_id: anonymousId, related_user_id: null },
      { actor_id: bob, related_user_id: anonymousId },
      { actor_id: bob, related_user_id: null },
    ]);
  });

  it('a projection that fails to forget parks the erasure and gives no receipt; the retried dead letter forgets and acknowledges', async () => {
    ViewsProjection.failForget = true;
    const requestId = randomUUID();
    const appended = await erase(bob, requestId, randomUUID());
    await runner.waitFor(appended.position);
    const acknowledged = async () => (await f.dataSource.query('SELECT projection FROM erasure_receipts WHERE request_id = $1 ORDER BY projection', [requestId])).map((r: { projection: string }) => r.projection);
    expect(await acknowledged()).toEqual(['course-log', 'schools-only']);
    const [parked] = await runner.deadLetters('views');
    expect(parked).toMatchObject({ eventType: SUBJECT_ERASED, error: expect.stringContaining('cannot forget today') });
    expect(await f.dataSource.query('SELECT count(*)::int AS n FROM test_views WHERE user_id = $1', [bob])).toEqual([{ n: 2 }]);

    ViewsProjection.failForget = false;
    expect(await runner.retryDeadLetter(parked.id)).toMatchObject({ retried: true });
    expect(await acknowledged()).toEqual(['course-log', 'schools-only', 'views']);
    expect(await f.dataSource.query('SELECT count(*)::int AS n FROM test_views WHERE user_id = $1', [bob])).toEqual([{ n: 0 }]);
  });

  it('a rebuild passes the erasures again: the subject stays forgotten, the first receipt is kept', async () => {
    const before = await f.dataSource.query(`SELECT request_id, acknowledged_at FROM erasure_receipts WHERE projection = 'views' ORDER BY request_id`);
    await runner.rebuild('views');
    const head = (await f.store.headPosition())!;
    await runner.waitFor(head, 10_000, ['views']);
    expect(await f.dataSource.query('SELECT count(*)::int AS n FROM test_views')).toEqual([{ n: 0 }]);
    expect(await f.dataSource.query(`SELECT request_id, acknowledged_at FROM erasure_receipts WHERE projection = 'views' ORDER BY request_id`)).toEqual(before);
  });
});
