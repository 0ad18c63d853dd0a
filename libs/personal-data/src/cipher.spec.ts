import { randomBytes, randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import pg from 'pg';
import { createKeyStoreDatabase, createTestDatabase, type TestDatabase } from '../../../test/support/test-database';
import { PersonalDataCipher, SealedRequests, type SealedValue } from './cipher';
import { KeyStore } from './key-store';
import { personal } from './personal';
import { InvalidPersonalDataError } from './errors';

/** A subject_keys row as a backup holds it. */
type StoredKey = { key_id: string; subject_id: string; scope: string; wrapped_key: Buffer; created_at: Date };

describe('PersonalDataCipher', () => {
  let db: TestDatabase;
  /** The key store's own database. */
  let keysUrl: string;
  let pool: pg.Pool;
  let keys: KeyStore;
  let cipher: PersonalDataCipher;
  const masterKey = randomBytes(32);

  beforeAll(async () => {
    db = await createTestDatabase();
    keysUrl = await createKeyStoreDatabase(db);
    pool = new pg.Pool({ connectionString: keysUrl, max: 5 });
    pool.on('error', () => undefined); // idle connections closed by the final DROP DATABASE … WITH (FORCE)
    keys = new KeyStore(pool, masterKey);
    cipher = new PersonalDataCipher(keys);
  });

  afterAll(async () => {
    await keys.close();
    await pool.end();
    await db.drop();
  });

  it('round-trips strings, numbers, objects and arrays, anywhere in the document', async () => {
    const ann = randomUUID();
    const event = {
      type: 'LearnerRegistered',
      data: {
        userId: ann,
        email: personal(ann, 'ann@example.com'),
        phone: personal(ann, 66812345678),
        name: personal(ann, { given: 'Ann', family: 'Lee ลี' }),
        answers: [{ id: 1, text: personal(ann, 'my free-text answer') }, personal(ann, [true, null, 'x'])],
        nothing: personal(ann, null),
      },
    };
    const sealed = await cipher.seal(event);
    expect(sealed.data.userId).toBe(ann);
    expect(sealed.data.email).toMatchObject({ $pd: 1, s: ann });

    const { doc, erased } = await cipher.open(JSON.parse(JSON.stringify(sealed)));
    expect(erased).toEqual([]);
    expect(doc).toEqual({
      type: 'LearnerRegistered',
      data: {
        userId: ann,
        email: 'ann@example.com',
        phone: 66812345678,
        name: { given: 'Ann', family: 'Lee ลี' },
        answers: [{ id: 1, text: 'my free-text answer' }, [true, null, 'x']],
        nothing: null,
      },
    });
  });

  it('writes no plaintext and leaves its input untouched', async () => {
    const ann = randomUUID();
    const email = personal(ann, 'ann.secret@example.com');
    const input = { data: { email, salary: personal(ann, 987654321), profile: personal(ann, { nickname: 'Zebulon' }) } };
    const sealed = await cipher.seal(input);
    const text = JSON.stringify(sealed);
    for (const secret of ['ann.secret', 'example.com', '987654321', 'Zebulon', 'nickname']) expect(text).not.toContain(secret);
    expect(input.data.email).toBe(email);
    // The same value sealed twice gives different ciphertexts (fresh IVs).
    const again = await cipher.seal(input);
    expect((again.data.email as SealedValue).ct).not.toBe((sealed.data.email as SealedValue).ct);
  });

  it('reads an erased subject’s values as null, with their paths, and only theirs', async () => {
    const [ann, bob] = [randomUUID(), randomUUID()];
    const sealed = await cipher.seal({
      data: { grader: personal(bob, 'Bob'), learner: { email: personal(ann, 'ann@example.com') }, notes: [personal(ann, 'a'), 'clear'] },
    });
    await keys.destroySubjectKeys(ann, 'erasure request');

    const { doc, erased } = await cipher.open(sealed);
    expect(doc).toEqual({ data: { grader: 'Bob', learner: { email: null }, notes: [null, 'clear'] } });
    expect(erased).toEqual(['data.learner.email', 'data.notes[0]']);
    expect(JSON.stringify(doc)).not.toContain('ann@example.com');
    await expect(cipher.seal({ email: personal(ann, 'again@example.com') })).rejects.toMatchObject({ code: 'SUBJECT_ERASED' });
  });

  it('reads another process’s erasure as null at once, and after a restored backup once erasures are reapplied', async () => {
    const ann = randomUUID();
    const otherPool = new pg.Pool({ connectionString: keysUrl, max: 2 });
    otherPool.on('error', () => undefined); // idle connections closed by the final DROP DATABASE … WITH (FORCE)
    const otherKeys = new KeyStore(otherPool, masterKey);
    try {
      const sealed = await cipher.seal({ data: { email: personal(ann, 'ann@example.com') } });
      expect((await cipher.open(sealed)).doc).toEqual({ data: { email: 'ann@example.com' } });
      const backup = (await pool.query<StoredKey>('SELECT * FROM subject_keys WHERE subject_id = $1', [ann])).rows[0];

      await otherKeys.destroySubjectKeys(ann, 'erasure request'); // another process; no waiting for its notification
      expect(await cipher.open(sealed)).toEqual({ doc: { data: { email: null } }, erased: ['data.email'] });

      await pool.query('INSERT INTO subject_keys (key_id, subject_id, scope, wrapped_key) VALUES ($1, $2, $3, $4)', [
        backup.key_id,
        backup.subject_id,
        backup.scope,
        backup.wrapped_key,
      ]);
      expect((await cipher.open(sealed)).doc).toEqual({ data: { email: 'ann@example.com' } }); // what a restore does
      expect((await otherKeys.reapplyErasures()).keysDeleted).toBe(1);
      expect(await cipher.open(sealed)).toEqual({ doc: { data: { email: null } }, erased: ['data.email'] });
    } finally {
      await otherKeys.close();
      await otherPool.end();
    }
  });

  it('keyed hashes: stable per subject, different across subjects, impossible once the subject is erased', async () => {
    const [ann, bob] = [randomUUID(), randomUUID()];
    const email = 'same@example.com';
    const h = await cipher.keyedHash(ann, email);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(await cipher.keyedHash(ann, email)).toBe(h);
    expect(await cipher.keyedHash(ann, 'other@example.com')).not.toBe(h);
    expect(await cipher.keyedHash(bob, email)).not.toBe(h);
    await keys.destroySubjectKeys(ann, 'erasure request');
    expect(await cipher.keyedHash(ann, email)).toBeNull();
  });

  it('seals request metadata under month keys that expire', async () => {
    const ann = randomUUID();
    const ip = (month: string) => cipher.sealRequest(ann, new Date(`${month}-15T23:59:59Z`), `10.0.0.${month.slice(-1)}`);
    const events = [
      { metadata: { ip: await ip('2022-03'), userAgent: await cipher.sealRequest(ann, new Date('2022-03-31T23:59:59.999Z'), 'Firefox') } },
      { metadata: { ip: await ip('2022-04'), userAgent: await cipher.sealRequest(ann, new Date('2022-04-01T00:00:00Z'), null) } },
      { metadata: { ip: await ip('2022-05') }, data: { email: personal(ann, 'ann@example.com') } },
    ];
    const sealed = await Promise.all(events.map((e) => cipher.seal(e)));
    expect(sealed[0].metadata.ip!.k).toBe(sealed[0].metadata.userAgent!.k); // same month, same key
    expect(sealed[0].metadata.ip!.k).not.toBe(sealed[1].metadata.ip!.k);
    expect(sealed[1].metadata.userAgent).toBeNull();

    expect(await keys.destroyRequestKeysBefore('2022-05')).toBe(2);
    const opened = await cipher.openMany(sealed);
    expect(opened).toEqual([
      { doc: { metadata: { ip: null, userAgent: null } }, erased: ['metadata.ip', 'metadata.userAgent'] },
      { doc: { metadata: { ip: null, userAgent: null } }, erased: ['metadata.ip'] },
      { doc: { metadata: { ip: '10.0.0.5' }, data: { email: 'ann@example.com' } }, erased: [] },
    ]);
  });

  it('refuses a request value whose time is no usable month, after others of the same call', async () => {
    const ann = randomUUID();
    for (const bad of [new Date(NaN), new Date('+010000-01-01T00:00:00Z')]) {
      await expect(cipher.sealMany([], [{ subjectId: ann, occurredAt: new Date('2022-03-10T00:00:00Z'), value: 'a' }, { subjectId: ann, occurredAt: bad, value: 'b' }])).rejects.toThrow(InvalidPersonalDataError);
    }
  });

  it('seals a request value repeated in one call once per key (the events of one request share it), and asks for each key once', async () => {
    const [ann, bob] = [randomUUID(), randomUUID()];
    const march = new Date('2022-03-10T00:00:00Z');
    const asked = jest.spyOn(keys, 'lookUp');
    const { requests } = await cipher.sealMany([{ email: personal(ann, 'ann@example.com'), again: personal(ann.toUpperCase(), 'x') }], [
      { subjectId: ann, occurredAt: march, value: '10.0.0.1' },
      { subjectId: ann, occurredAt: new Date('2022-03-20T00:00:00Z'), value: '10.0.0.1' },
      { subjectId: ann, occurredAt: march, value: 'Firefox' },
      { subjectId: ann, occurredAt: new Date('2022-04-01T00:00:00Z'), value: '10.0.0.1' },
      { subjectId: bob, occurredAt: march, value: '10.0.0.1' },
      { subjectId: ann, occurredAt: march, value: null },
    ]);
    // One call, each key once: ann's data key (named in two cases), her March and April keys, bob's March key.
    expect(asked.mock.calls.map(([, r]) => r.map((k) => `${k.subjectId} ${k.scope}`).sort())).toEqual([
      [`${ann} data`, `${ann} request:2022-03`, `${ann} request:2022-04`, `${bob} request:2022-03`].sort(),
    ]);
    asked.mockRestore();
    const [a1, a2, ua, april, other] = requests.map((r) => r!);
    expect(a2).toBe(a1); // same subject, month and value: sealed once
    expect(new Set([a1.ct + a1.iv, ua.ct + ua.iv, april.ct + april.iv, other.ct + other.iv]).size).toBe(4);
    expect([april.k === a1.k, other.k === a1.k, other.s]).toEqual([false, false, bob]);
    expect(requests[5]).toBeNull();
    const opened = await cipher.openMany(requests.map((r) => ({ v: r })));
    expect(opened.map((o) => o.doc)).toEqual(['10.0.0.1', '10.0.0.1', 'Firefox', '10.0.0.1', '10.0.0.1', null].map((v) => ({ v })));
  });

  it('checks the ids it is given for erasures in the same key-store call as the keys it seals with', async () => {
    const [ann, gone, course] = [randomUUID(), randomUUID(), randomUUID()];
    await keys.getOrCreateKey(gone, 'data');
    await keys.destroySubjectKeys(gone, 'erased before the append');
    const asked = jest.spyOn(keys, 'lookUp');
    const { docs, requests, erased } = await cipher.sealMany([{ email: personal(ann, 'ann@example.com') }], [{ subjectId: ann, occurredAt: new Date('2022-03-10T00:00:00Z'), value: '10.0.0.1' }], {
      erasedAmong: new Set([gone.toUpperCase(), course]),
    });
    expect(asked).toHaveBeenCalledTimes(1);
    asked.mockRestore();
    expect([...erased.keys()]).toEqual([gone]);
    expect((await cipher.openMany([docs[0], { v: requests[0] }])).map((o) => o.doc)).toEqual([{ email: 'ann@example.com' }, { v: '10.0.0.1' }]);
    // Nothing to seal: the erasure check alone.
    expect((await cipher.sealMany([{ n: 1 }], [], { erasedAmong: new Set([gone]) })).erased.has(gone)).toBe(true);
  });

  it('seals a request value repeated across calls once per key when the caller keeps them (a bulk import), the newest kept', async () => {
    const [ann, bob] = [randomUUID(), randomUUID()];
    const march = new Date('2022-03-10T00:00:00Z');
    const kept = new SealedRequests(2);
    const call = async (subjectId: string, value: string, occurredAt = march) => (await cipher.sealMany([], [{ subjectId, occurredAt, value }], { sealedRequests: kept })).requests[0]!;
    const first = await call(ann, '10.0.0.1');
    expect(await call(ann, '10.0.0.1')).toBe(first); // a later call: the same sealed value
    const others = [await call(bob, '10.0.0.1'), await call(ann, '10.0.0.1', new Date('2022-04-01T00:00:00Z'))];
    expect(new Set([first, ...others].map((s) => s.ct + s.iv)).size).toBe(3);
    // Two kept: the first went when the third was sealed, and is sealed anew.
    const again = await call(ann, '10.0.0.1');
    expect(again).not.toBe(first);
    expect(again.k).toBe(first.k);
    // Without the caller's store, calls share nothing.
    const apart = (await cipher.sealMany([], [{ subjectId: ann, occurredAt: march, value: '10.0.0.1' }])).requests[0]!;
    expect(apart).not.toBe(again);
    const opened = await cipher.openMany([first, ...others, again, apart].map((v) => ({ v })));
    expect(opened.map((o) => o.doc)).toEqual(Array.from({ length: 5 }, () => ({ v: '10.0.0.1' })));
  });

  it('opens many documents with one key query, and none once the keys are cached', async () => {
    const subjects = Array.from({ length: 5 }, () => randomUUID());
    const docs = await Promise.all(
      Array.from({ length: 40 }, (_, i) => cipher.seal({ data: { n: i, email: personal(subjects[i % 5], `user${i}@example.com`) } })),
    );
    const coldPool = new pg.Pool({ connectionString: keysUrl, max: 2 });
    coldPool.on('error', () => undefined); // idle connections closed by the final DROP DATABASE … WITH (FORCE)
    const coldKeys = new KeyStore(coldPool, masterKey);
    const cold = new PersonalDataCipher(coldKeys);
    const queries = jest.spyOn(coldPool, 'query');
    const keyQueries = () => queries.mock.calls.filter((c) => String(c[0]).includes('FROM subject_keys WHERE key_id')).length;
    try {
      const first = await cold.openMany(docs);
      expect(first.map((o) => (o.doc as { data: { email: string } }).data.email)).toEqual(docs.map((_, i) => `user${i}@example.com`));
      expect(keyQueries()).toBe(1);
      const before = queries.mock.calls.length;
      await cold.openMany(docs);
      expect(keyQueries()).toBe(1);
      expect(queries.mock.calls.length - before).toBe(1); // the destruction-token check only
    } finally {
      queries.mockRestore();
      await coldKeys.close();
      await coldPool.end();
    }
  });

  it('throws on tampered sealed values: corruption is not erasure', async () => {
    const [ann, bob] = [randomUUID(), randomUUID()];
    const sealed = await cipher.seal({ data: { email: personal(ann, 'ann@example.com') } });
    const bobs = await cipher.seal({ data: { email: personal(bob, 'bob@example.com') } });
    const blob = sealed.data.email;
    const ct = Buffer.from(blob.ct, 'base64');
    ct[0] ^= 1;
    const variants: Partial<SealedValue>[] = [
      { ct: ct.toString('base64') },
      { tag: Buffer.alloc(16).toString('base64') },
      { iv: Buffer.alloc(12).toString('base64') },
      { tag: blob.tag.slice(0, 8) }, // truncated tag
      { s: bob }, // another subject's id
      { k: bobs.data.email.k, s: bob }, // moved under another subject's key
    ];
    for (const change of variants) {
      await expect(cipher.open({ data: { email: { ...blob, ...change } } })).rejects.toMatchObject({
        code: 'PERSONAL_DATA_TAMPERED',
        path: 'data.email',
      });
    }
    await expect(cipher.open({ data: { email: { $pd: 1, s: ann } } })).rejects.toThrow(/data\.email is malformed/);
    // Opened after the genuine value in the same call (whose plaintext openMany reuses for the same sealed value): still refused.
    for (const change of variants) {
      await expect(cipher.openMany([{ data: { email: blob } }, { data: { email: { ...blob, ...change } } }])).rejects.toMatchObject({ code: 'PERSONAL_DATA_TAMPERED' });
    }
  });

  it('refuses what it cannot seal safely', async () => {
    const ann = randomUUID();
    // A client cannot plant a fake sealed value through clear data.
    await expect(cipher.seal({ data: { answer: { $pd: 1, s: ann, k: randomUUID(), iv: '', ct: '', tag: '' } } })).rejects.toMatchObject({
      code: 'INVALID_PERSONAL_DATA',
    });
    const ip = await cipher.sealRequest(ann, new Date(), '10.0.0.1');
    await expect(cipher.seal({ metadata: { ip } })).resolves.toEqual({ metadata: { ip } });
    await expect(cipher.seal({ metadata: { ip: JSON.parse(JSON.stringify(ip)) } })).rejects.toMatchObject({ code: 'INVALID_PERSONAL_DATA' });
    // An unsealed marker never serialises to plaintext, and markers do not nest.
    expect(() => JSON.stringify({ email: personal(ann, 'ann@example.com') })).toThrow(/serialised unsealed/);
    await expect(cipher.seal({ x: personal(ann, { inner: personal(randomUUID(), 'y') }) })).rejects.toThrow(/serialised unsealed/);
    expect(() => personal('ann', 'x')).toThrow(/UUID/);
    expect(() => personal(ann, undefined)).toThrow(/undefined/);
    await expect(cipher.sealRequest(ann, new Date('nope'), '10.0.0.1')).rejects.toMatchObject({ code: 'INVALID_PERSONAL_DATA' });
  });
});
