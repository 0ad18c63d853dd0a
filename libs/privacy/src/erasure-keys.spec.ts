/**
 * Crypto-shredding against the key caches: once a subject's keys are
 * destroyed, no process reads their data again, whatever it had cached —
 * another process (a second KeyStore on the same database) included, and
 * whether or not its notification arrived. Other subjects' data still reads.
 */
import { randomUUID } from 'node:crypto';
import { EventLog, EventRegistry, type EnvelopeInput } from '@learnstream/event-store';
import { KeyStore, PersonalDataCipher, personal } from '@learnstream/personal-data';
import { createEventLogFixture, type EventLogFixture } from '../../../test/support/event-log-fixture';

const envelope = (actorId: string, ip: string): EnvelopeInput => ({
  actorId, realActorId: null, courseId: null, schoolId: null, action: 'viewed', crud: 'r', object: null, relatedUserId: null,
  ip, userAgent: 'Phone/1.0', origin: 'web', correlationId: randomUUID(), causationId: null, occurredAt: '2024-03-05T08:00:00Z',
});

describe('erasure and the key caches', () => {
  let f: EventLogFixture;
  let other: KeyStore;
  let otherLog: EventLog;
  const ann = randomUUID();
  const bob = randomUUID();
  const stream = `user-${ann}`;

  beforeAll(async () => {
    f = await createEventLogFixture([{ type: 'Noted', version: 1 }]);
    // A second process: its own key store (and cache) on the same database.
    other = new KeyStore(f.keyPool, f.masterKey);
    otherLog = new EventLog(f.store, new PersonalDataCipher(other), new EventRegistry().register({ type: 'Noted', version: 1 }));
    await f.log.append(stream, [
      { type: 'Noted', data: { name: personal(ann, 'Ann Lee'), about: personal(bob, 'Bob’s note') }, envelope: envelope(ann, '203.0.113.7') },
    ]);
  });
  afterAll(async () => {
    await other.close();
    await f.close();
  });

  const read = async (log: EventLog) => {
    const events = [];
    for await (const e of log.readStream(stream)) events.push(e);
    return events[0];
  };

  it('reads, and caches the keys, in both processes', async () => {
    for (const log of [f.log, otherLog]) {
      const e = await read(log);
      expect(e.data).toEqual({ name: 'Ann Lee', about: 'Bob’s note' });
      expect(e.envelope.ip).toBe('203.0.113.7');
      expect(e.erased).toEqual([]);
    }
    const { rows: [row] } = await f.keyPool.query(`SELECT key_id FROM subject_keys WHERE subject_id = $1 AND scope = 'data'`, [ann]);
    expect(other.isCached(row.key_id)).toBe(true);
  });

  it('after destroySubjectKeys neither process reads the subject’s data (their IP included); the other subject’s still reads', async () => {
    const { rows: [row] } = await f.keyPool.query(`SELECT key_id FROM subject_keys WHERE subject_id = $1 AND scope = 'data'`, [ann]);
    expect(await f.keys.destroySubjectKeys(ann, 'test erasure')).toBe(2); // data + request:2024-03
    for (const log of [otherLog, f.log]) {
      const e = await read(log);
      expect(e.data).toEqual({ name: null, about: 'Bob’s note' });
      expect(e.envelope.ip).toBeNull();
      expect(e.envelope.userAgent).toBeNull();
      expect(e.erased.sort()).toEqual(['data.name', 'envelope.ip', 'envelope.userAgent']);
    }
    expect(other.isCached(row.key_id)).toBe(false);
    expect((await f.keyPool.query('SELECT count(*)::int AS n FROM subject_keys WHERE subject_id = $1', [ann])).rows).toEqual([{ n: 0 }]);
  });

  it('no key is ever made for the subject again: sealing their data fails', async () => {
    await expect(otherLog.append(stream, [{ type: 'Noted', data: { name: personal(ann, 'again') }, envelope: envelope(bob, '203.0.113.8') }])).rejects.toMatchObject({ code: 'SUBJECT_ERASED' });
  });

  it('a key restored from a backup is shredded again by reapplyErasures', async () => {
    // Simulate a restored key row (garbage wrapped bytes are enough to show it goes).
    await f.keyPool.query(`INSERT INTO subject_keys (key_id, subject_id, scope, wrapped_key) VALUES ($1, $2, 'data', '\\x00')`, [randomUUID(), ann]);
    expect(await f.keys.reapplyErasures()).toMatchObject({ keysDeleted: 1, erasures: [{ subjectId: ann, reason: 'test erasure' }] });
  });
});
