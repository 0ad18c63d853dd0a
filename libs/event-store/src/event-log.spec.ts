import { randomUUID } from 'node:crypto';
import { personal } from '@learnstream/personal-data';
import { createEventLogFixture, type EventLogFixture } from '../../../test/support/event-log-fixture';
import type { EnvelopeInput } from './envelope';
import type { EventTypeDefinition } from './event-registry';

const learner = randomUUID();
const teacher = randomUUID();
const course = randomUUID();

function envelope(overrides: Partial<EnvelopeInput> = {}): EnvelopeInput {
  return {
    actorId: learner,
    realActorId: null,
    courseId: course,
    schoolId: randomUUID(),
    action: 'viewed',
    crud: 'r',
    object: { type: 'course', id: course },
    relatedUserId: null,
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux)',
    origin: 'web',
    correlationId: randomUUID(),
    causationId: null,
    ...overrides,
  };
}

// Version 2 split `fullName` into given and family names; version-1 events are upcast on read.
const ProfileNamed: EventTypeDefinition = {
  type: 'ProfileNamed',
  version: 2,
  validate: (d) => (d.userId ? [] : ['userId is required']),
  upcasters: {
    1: (d) => {
      const [given, ...family] = String(d.fullName ?? '').split(' ');
      const { fullName: _dropped, ...rest } = d;
      return { ...rest, givenName: given, familyName: family.join(' ') };
    },
  },
};
const CourseViewed: EventTypeDefinition = { type: 'CourseViewed', version: 1 };

describe('EventLog', () => {
  let f: EventLogFixture;
  beforeAll(async () => {
    f = await createEventLogFixture([ProfileNamed, CourseViewed]);
  });
  afterAll(() => f.close());

  it('stores personal data and request metadata encrypted, and reads them back decrypted with the full envelope', async () => {
    const stream = `user-${learner}`;
    await f.log.append(stream, [
      { type: 'ProfileNamed', data: { userId: learner, givenName: personal(learner, 'Somchai'), familyName: personal(learner, 'Jaidee') }, envelope: envelope({ action: 'updated', crud: 'u', object: { type: 'user', id: learner } }) },
    ]);
    const raw = await f.pool.query('SELECT data::text AS data, metadata::text AS metadata FROM events WHERE stream_id = $1', [stream]);
    const text = raw.rows[0].data + raw.rows[0].metadata;
    for (const secret of ['Somchai', 'Jaidee', '203.0.113.7', 'Mozilla']) expect(text).not.toContain(secret);

    const [event] = await collectAll(f.log.readStream(stream));
    expect(event.data).toEqual({ userId: learner, givenName: 'Somchai', familyName: 'Jaidee' });
    expect(event.envelope).toMatchObject({ actorId: learner, ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux)', action: 'updated', crud: 'u', schemaVersion: 2, origin: 'web' });
    expect(Date.parse(event.envelope.occurredAt)).not.toBeNaN();
    expect(event.erased).toEqual([]);
  });

  it('after the subject’s keys are destroyed, their fields read back as erased (null), never the old value, never an error', async () => {
    const subject = randomUUID();
    const stream = `user-${subject}`;
    await f.log.append(stream, [
      {
        type: 'ProfileNamed',
        data: { userId: subject, givenName: personal(subject, 'Malee'), familyName: personal(subject, 'Srisuk') },
        envelope: envelope({ actorId: subject, object: { type: 'user', id: subject } }),
      },
    ]);
    // A teacher's event about the subject: the teacher's IP is the teacher's, the subject's note is the subject's.
    await f.log.append(`course-${course}`, [
      { type: 'CourseViewed', data: { note: personal(subject, 'asked about Malee'), teacherNote: personal(teacher, 'mine') }, envelope: envelope({ actorId: teacher, relatedUserId: subject }) },
    ]);
    await f.keys.destroySubjectKeys(subject, 'erasure request');

    const [profile] = await collectAll(f.log.readStream(stream));
    expect(profile.data).toEqual({ userId: subject, givenName: null, familyName: null });
    expect(profile.envelope.ip).toBeNull();
    expect(profile.envelope.userAgent).toBeNull();
    expect(profile.erased.sort()).toEqual(['data.familyName', 'data.givenName', 'envelope.ip', 'envelope.userAgent']);

    const teacherEvents = await collectAll(f.log.readStream(`course-${course}`));
    const mentioned = teacherEvents.find((e) => e.envelope.relatedUserId === subject)!;
    expect(mentioned.data).toEqual({ note: null, teacherNote: 'mine' });
    expect(mentioned.envelope.ip).toBe('203.0.113.7');
    expect(mentioned.erased).toEqual(['data.note']);
  });

  it('a read naming an erased person is written with their anonymous id; writes, and people not erased, as they are', async () => {
    const [erased, anonymous, other, legacy] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await f.keys.destroySubjectKeys(erased, 'erasure request', { anonymousId: anonymous });
    await f.keys.destroySubjectKeys(legacy, 'an erasure from before anonymous ids');
    const stream = `activity-${teacher}`;
    await f.log.append(stream, [
      { type: 'CourseViewed', data: { filteredUserId: erased.toUpperCase(), subjectIds: [erased, other, legacy], note: personal(teacher, erased) }, envelope: envelope({ actorId: teacher, relatedUserId: erased, object: { type: 'user', id: erased } }) },
      { type: 'CourseViewed', data: { userId: erased }, envelope: envelope({ actorId: teacher, crud: 'u', relatedUserId: erased }) },
    ]);
    const raw = await f.pool.query<{ data: Record<string, unknown>; metadata: Record<string, unknown> }>('SELECT data, metadata FROM events WHERE stream_id = $1 ORDER BY stream_revision', [stream]);
    expect(raw.rows[0].data).toMatchObject({ filteredUserId: anonymous, subjectIds: [anonymous, other, '00000000-0000-0000-0000-000000000000'] });
    expect(raw.rows[0].metadata).toMatchObject({ relatedUserId: anonymous, object: { type: 'user', id: anonymous } });
    const [read, write] = await collectAll(f.log.readStream(stream));
    expect(read.data.note).toBe(erased); // a personal value is the person's words, not an id of the event
    expect(write.data).toEqual({ userId: erased });
    expect(write.envelope.relatedUserId).toBe(erased);
  });

  it('upcasts events written with an old schema version', async () => {
    const subject = randomUUID();
    const stream = `user-${subject}`;
    // As an older release wrote it: version 1, one fullName field.
    await f.store.appendToStream(stream, [
      { type: 'ProfileNamed', data: { userId: subject, fullName: 'Anan Boonmee' }, metadata: { ...envelope({ ip: null, userAgent: null }), occurredAt: '2025-01-01T00:00:00.000Z', schemaVersion: 1 } },
    ]);
    const [event] = await collectAll(f.log.readStream(stream));
    expect(event.data).toEqual({ userId: subject, givenName: 'Anan', familyName: 'Boonmee' });
    expect(event.envelope.schemaVersion).toBe(2);
  });

  it.each([
    ['an unknown event type', { type: 'Unheard' }, /unknown event type Unheard/],
    ['a type that is not PascalCase', { type: 'course_viewed' }, /PascalCase/],
    ['an action that is not a verb', { envelope: envelope({ action: 'Viewed!' }) }, /action/],
    ['a bad crud', { envelope: envelope({ crud: 'x' as never }) }, /crud/],
    ['a malformed IP', { envelope: envelope({ ip: '999.1.1.1' }) }, /ip must be/],
    ['an actor that is not a UUID', { envelope: envelope({ actorId: 'bob' }) }, /actorId/],
    ['an object without a UUID', { envelope: envelope({ object: { type: 'course', id: 'CS101' } }) }, /object/],
    ['an unknown origin', { envelope: envelope({ origin: 'fax' as never }) }, /origin/],
    ['an extra envelope field that would be stored in clear', { envelope: { ...envelope(), email: 'somchai@example.com' } }, /unknown envelope fields: email/],
    ['a missing envelope field', { envelope: (({ relatedUserId: _r, ...rest }) => rest)(envelope()) }, /missing envelope fields: relatedUserId/],
    ['an object with more than type and id', { envelope: envelope({ object: { type: 'user', id: learner, name: 'Somchai' } as never }) }, /object must be/],
    ['a correlation id that is free text', { envelope: envelope({ correlationId: 'call from somchai@example.com' }) }, /correlationId/],
    ['impersonation without an actor', { envelope: envelope({ actorId: null, realActorId: teacher }) }, /realActorId/],
    ['data failing its type’s validator', { type: 'ProfileNamed', data: {} }, /userId is required/],
  ])('refuses %s with INVALID_EVENT and appends nothing', async (_label, change, message) => {
    const stream = `course-${randomUUID()}`;
    const event = { type: 'CourseViewed', data: {}, envelope: envelope(), ...change };
    await expect(f.log.append(stream, [{ type: 'CourseViewed', data: {}, envelope: envelope() }, event as never])).rejects.toMatchObject({
      code: 'INVALID_EVENT',
      message: expect.stringMatching(message),
    });
    expect(await f.store.streamRevision(stream)).toBeNull();
  });

  it('events sharing one envelope object are checked and stored each with its own type, schema version and data', async () => {
    const subject = randomUUID();
    const stream = `user-${subject}`;
    const shared = envelope({ actorId: subject, object: { type: 'user', id: subject } });
    await expect(
      f.log.append(stream, [
        { type: 'ProfileNamed', data: { userId: subject }, envelope: shared },
        { type: 'ProfileNamed', data: {}, envelope: shared },
      ]),
    ).rejects.toMatchObject({ code: 'INVALID_EVENT', message: expect.stringMatching(/ProfileNamed/) });
    await expect(f.log.append(stream, [{ type: 'CourseViewed', data: {}, envelope: shared }, { type: 'Unheard', data: {}, envelope: shared }])).rejects.toMatchObject({ code: 'INVALID_EVENT' });
    expect(await f.store.streamRevision(stream)).toBeNull();
    await f.log.append(stream, [
      { type: 'ProfileNamed', data: { userId: subject, givenName: personal(subject, 'Somchai') }, envelope: shared },
      { type: 'CourseViewed', data: { n: 1 }, envelope: shared },
      { type: 'CourseViewed', data: { n: 2 }, envelope: shared },
    ]);
    const events = await collectAll(f.log.readStream(stream));
    expect(events.map((e) => [e.type, e.envelope.schemaVersion, e.data])).toEqual([
      ['ProfileNamed', 2, { userId: subject, givenName: 'Somchai' }],
      ['CourseViewed', 1, { n: 1 }],
      ['CourseViewed', 1, { n: 2 }],
    ]);
    for (const e of events) expect(e.envelope).toMatchObject({ ...shared, occurredAt: events[0].envelope.occurredAt });
  });

  it('refuses stream names that are not <category>-<uuid>: they could leak personal data in clear', async () => {
    await expect(f.log.append('user-somchai@example.com', [{ type: 'CourseViewed', data: {}, envelope: envelope() }])).rejects.toMatchObject({ code: 'INVALID_EVENT' });
  });

  it('folds a stream into state and returns its revision', async () => {
    const stream = `course-${randomUUID()}`;
    await f.log.append(stream, [1, 2, 3].map(() => ({ type: 'CourseViewed', data: {}, envelope: envelope() })));
    const { state, revision } = await f.log.aggregate(stream, 0, (n) => n + 1);
    expect(state).toBe(3);
    expect(revision).toBe(2n);
  });
});

async function collectAll<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
