/**
 * The coalescing view of the key store (ingestion's): concurrent erasure
 * checks and key lookups go to the key store's database together, and each
 * caller still gets exactly its own answer, fresh as of its call.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { KeyStore } from '@learnstream/personal-data';
import { createKeyStoreDatabase, createTestDatabase, type TestDatabase } from '../../../test/support/test-database';
import { coalescingKeys } from './coalescing-keys';

describe('coalescingKeys', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: KeyStore;
  /** Statements sent to the key store's database, by their text. */
  const sent: string[] = [];
  const masterKey = randomBytes(32);

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: await createKeyStoreDatabase(db), max: 5 });
    pool.on('error', () => undefined);
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    // Counts what reaches the database; the statements run as they are.
    (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      if (typeof args[0] === 'string') sent.push(args[0]);
      return query(...args);
    };
    store = new KeyStore(pool, masterKey);
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
    await db.drop();
  });

  const erasureChecks = () => sent.filter((s) => s.includes('FROM erased_subjects WHERE subject_id = ANY')).length;

  it('answers concurrent erasure checks with one query, each caller with its own ids only', async () => {
    const erased = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of erased) await store.destroySubjectKeys(id, 'test', { anonymousId: `${id.slice(0, 8)}-0000-4000-8000-000000000000` });
    // Another process's key store: nothing of the erasures is remembered in it.
    const other = new KeyStore(pool, masterKey);
    const keys = coalescingKeys(other);
    const asked = Array.from({ length: 20 }, (_, i) => [randomUUID(), i < erased.length ? erased[i].toUpperCase() : randomUUID(), 'not-a-uuid']);
    const before = erasureChecks();
    const answers = await Promise.all(asked.map((ids) => keys.erasedAmong(ids)));
    expect(erasureChecks() - before).toBe(1);
    answers.forEach((answer, i) => {
      expect([...answer]).toEqual(i < erased.length ? [[erased[i], `${erased[i].slice(0, 8)}-0000-4000-8000-000000000000`]] : []);
    });
    await other.close();
  });

  it('sees an erasure committed before the call, whatever was asked before it', async () => {
    const keys = coalescingKeys(store);
    const subject = randomUUID();
    expect((await Promise.all([keys.erasedAmong([subject]), keys.erasedAmong([randomUUID()])])).map((m) => m.size)).toEqual([0, 0]);
    await store.destroySubjectKeys(subject, 'test');
    const [now] = await Promise.all([keys.erasedAmong([subject]), keys.erasedAmong([randomUUID()])]);
    expect([...now.keys()]).toEqual([subject]);
  });

  it('asks the erasure checks and the key lookups of the same moment in one query when the keys are cached', async () => {
    const keys = coalescingKeys(store);
    const subjects = Array.from({ length: 10 }, () => randomUUID());
    const gone = randomUUID();
    await store.destroySubjectKeys(gone, 'test');
    await Promise.all(subjects.map((s) => store.getOrCreateKey(s, 'request:2026-12')));
    const before = sent.length;
    const [checks, looked] = await Promise.all([
      Promise.all(subjects.map((s) => keys.erasedAmong([s, gone]))),
      Promise.all(subjects.map((s) => keys.getOrCreateKeys([{ subjectId: s, scope: 'request:2026-12' }]))),
    ]);
    expect(sent.length - before).toBe(1);
    expect(checks.map((m) => [...m.keys()])).toEqual(subjects.map(() => [gone]));
    expect(looked.map(([k]) => [k.subjectId, k.scope])).toEqual(subjects.map((s) => [s, 'request:2026-12']));
  });

  it('gives concurrent key lookups their own keys, with one freshness check, and an erased subject\'s error to its caller only', async () => {
    const keys = coalescingKeys(store);
    const subjects = Array.from({ length: 10 }, () => randomUUID());
    const gone = randomUUID();
    await store.destroySubjectKeys(gone, 'test');
    await Promise.all(subjects.map((s) => store.getOrCreateKey(s, 'data')));
    const checks = () => sent.filter((s) => s.includes('SELECT destruction_token FROM key_store_check')).length;
    const before = checks();
    const got = await Promise.all(subjects.map((s) => keys.getOrCreateKeys([{ subjectId: s, scope: 'data' }])));
    expect(checks() - before).toBe(1);
    expect(got.map(([k]) => k.subjectId)).toEqual(subjects);
    const mixed = await Promise.allSettled([keys.getOrCreateKey(subjects[0], 'data'), keys.getOrCreateKey(gone, 'data')]);
    expect(mixed[0]).toMatchObject({ status: 'fulfilled', value: { subjectId: subjects[0] } });
    expect(mixed[1]).toMatchObject({ status: 'rejected', reason: { code: 'SUBJECT_ERASED' } });
  });
});
