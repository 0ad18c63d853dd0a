import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import pg from 'pg';
import { createKeyStoreDatabase, createTestDatabase, type TestDatabase } from '../../../test/support/test-database';
import { KeyStore } from './key-store';

/** A subject_keys row as a backup holds it. */
type StoredKey = { key_id: string; subject_id: string; scope: string; wrapped_key: Buffer; created_at: Date };

/** Polls until `condition` holds (no fixed sleeps: fails after `timeoutMs`). */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('KeyStore', () => {
  let db: TestDatabase;
  /** The key store's own database. */
  let keysUrl: string;
  const masterKey = randomBytes(32);
  const pools: pg.Pool[] = [];
  const stores: KeyStore[] = [];

  /** A key store with its own pool and cache: another process, as far as the store can tell. */
  function process(key = masterKey): { pool: pg.Pool; store: KeyStore } {
    const pool = new pg.Pool({ connectionString: keysUrl, max: 5 });
    // The test database is dropped WITH (FORCE) at the end: an idle connection closed then is expected.
    pool.on('error', () => undefined);
    const store = new KeyStore(pool, key);
    pools.push(pool);
    stores.push(store);
    return { pool, store };
  }

  let a: KeyStore;
  let sql: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    keysUrl = await createKeyStoreDatabase(db);
    ({ store: a, pool: sql } = process());
    await a.verifyMasterKey();
  });

  afterAll(async () => {
    for (const s of stores) await s.close();
    for (const p of pools) await p.end();
    await db.drop();
  });

  it('makes one key per subject and scope, stored wrapped, and finds it again', async () => {
    const subject = randomUUID();
    const key = await a.getOrCreateKey(subject, 'data');
    expect(key).toMatchObject({ subjectId: subject, scope: 'data' });
    expect(key.key).toHaveLength(32);
    expect((await a.getOrCreateKey(subject, 'data')).keyId).toBe(key.keyId);
    expect((await a.getOrCreateKey(subject, 'request:2024-05')).keyId).not.toBe(key.keyId);

    const { rows } = await sql.query<Pick<StoredKey, 'wrapped_key'>>('SELECT wrapped_key FROM subject_keys WHERE key_id = $1', [key.keyId]);
    expect(rows[0].wrapped_key.includes(key.key)).toBe(false);
    const { store: b } = process();
    expect(await b.findKey(key.keyId)).toEqual(key.key);
    expect(await b.findKey(randomUUID())).toBeNull();
  });

  it('inserts new keys in one order, whatever the order asked: concurrent makers of the same keys cannot deadlock', async () => {
    // Two transactions inserting the same new (subject, scope) rows in opposite orders each wait for a row the other
    // inserted first: PostgreSQL's "deadlock detected" (seen in CI when the demo term's writer sealed batches at once).
    const subjects = Array.from({ length: 50 }, () => randomUUID());
    const asked = [...subjects.slice(25), ...subjects.slice(0, 25).reverse()];
    const query = jest.spyOn(pg.Client.prototype, 'query');
    try {
      await a.getOrCreateKeys(asked.flatMap((subjectId) => [{ subjectId, scope: 'request:2024-06' as const }, { subjectId, scope: 'data' as const }]));
      const insert = query.mock.calls.find(([text]) => typeof text === 'string' && text.includes('INSERT INTO subject_keys'));
      const [, subjectIds, scopes] = (insert?.[1] ?? []) as string[][];
      const slots = subjectIds.map((id, i) => `${id} ${scopes[i]}`);
      expect(slots).toHaveLength(100);
      expect(slots).toEqual([...slots].sort());
    } finally {
      query.mockRestore();
    }
  });

  it('gives concurrent callers for one subject the same single key', async () => {
    const subject = randomUUID();
    const others = [process().store, process().store];
    const keys = await Promise.all([a, ...others, a, ...others, a].map((s) => s.getOrCreateKey(subject, 'data')));
    expect(new Set(keys.map((k) => k.keyId)).size).toBe(1);
    expect(new Set(keys.map((k) => k.key.toString('hex'))).size).toBe(1);
    const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM subject_keys WHERE subject_id = $1', [subject]);
    expect(rows[0].n).toBe(1);
  });

  it('makes the missing keys of many subjects in one call, in the order asked, racing another process for some of them', async () => {
    const subjects = Array.from({ length: 300 }, () => randomUUID());
    const raced = subjects.slice(0, 50);
    const asked = subjects.flatMap((subject) => [{ subjectId: subject, scope: 'data' as const }, { subjectId: subject, scope: 'request:2024-03' as const }]);
    const [many, others] = await Promise.all([a.getOrCreateKeys(asked), process().store.getOrCreateKeys(raced.map((subjectId) => ({ subjectId, scope: 'data' as const })))]);
    expect(many.map((k) => [k.subjectId, k.scope])).toEqual(asked.map((r) => [r.subjectId, r.scope]));
    // The race has one winner per subject: both callers hold the same key.
    expect(others.map((k) => k.keyId)).toEqual(many.filter((k) => k.scope === 'data').slice(0, 50).map((k) => k.keyId));
    const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM subject_keys WHERE subject_id = ANY ($1::uuid[])', [subjects]);
    expect(rows[0].n).toBe(600);
    const { store: b } = process();
    expect(await b.findKey(many[599].keyId)).toEqual(many[599].key);

    const erased = randomUUID();
    await a.getOrCreateKey(erased, 'data');
    await a.destroySubjectKeys(erased, 'erasure in a batch');
    const fresh = randomUUID();
    await expect(a.getOrCreateKeys([{ subjectId: fresh, scope: 'data' }, { subjectId: erased, scope: 'data' }])).rejects.toMatchObject({ code: 'SUBJECT_ERASED', subjectId: erased });
    // Refused whole: the other subject of the call got no key either.
    expect((await sql.query('SELECT 1 FROM subject_keys WHERE subject_id = $1', [fresh])).rowCount).toBe(0);
  });

  it('destroys every key of a subject, records the erasure once, and never makes a key for them again', async () => {
    const subject = randomUUID();
    const other = randomUUID();
    const data = await a.getOrCreateKey(subject, 'data');
    await a.getOrCreateKey(subject, 'request:2024-01');
    const kept = await a.getOrCreateKey(other, 'data');

    expect(await a.destroySubjectKeys(subject, 'erasure request 1')).toBe(2);
    expect(await a.destroySubjectKeys(subject, 'erasure request 2')).toBe(0);

    expect(await a.findKey(data.keyId)).toBeNull();
    expect(await a.findKey(kept.keyId)).toEqual(kept.key);
    const ledger = await sql.query('SELECT reason FROM erased_subjects WHERE subject_id = $1', [subject]);
    expect(ledger.rows).toEqual([{ reason: 'erasure request 1' }]);
    await expect(a.getOrCreateKey(subject, 'data')).rejects.toMatchObject({ code: 'SUBJECT_ERASED', subjectId: subject });
    await expect(process().store.getOrCreateKey(subject, 'request:2024-02')).rejects.toMatchObject({ code: 'SUBJECT_ERASED' });
  });

  it('tells other processes: a key another process had cached is evicted and no longer returned', async () => {
    const subject = randomUUID();
    const { store: b } = process();
    const key = await a.getOrCreateKey(subject, 'data');
    expect(await b.findKey(key.keyId)).toEqual(key.key);
    expect(b.isCached(key.keyId)).toBe(true);

    await a.destroySubjectKeys(subject, 'test');
    expect(a.isCached(key.keyId)).toBe(false);
    await until(() => !b.isCached(key.keyId)); // the notification, with no read by b
    expect(await b.findKey(key.keyId)).toBeNull();
  });

  it('keeps other caches warm across an erasure they were notified of', async () => {
    const { store: b, pool: bPool } = process();
    const kept = await a.getOrCreateKey(randomUUID(), 'data');
    const gone = randomUUID();
    const goneKey = await a.getOrCreateKey(gone, 'data');
    await b.findKeys([kept.keyId, goneKey.keyId]);

    await a.destroySubjectKeys(gone, 'test');
    await until(() => !b.isCached(goneKey.keyId));
    const queries = jest.spyOn(bPool, 'query');
    expect(await b.findKey(kept.keyId)).toEqual(kept.key);
    expect(queries.mock.calls.map((c) => String(c[0]))).toEqual(['SELECT destruction_token FROM key_store_check']);
    queries.mockRestore();
  });

  it('never returns a destroyed key, even when the notification is missed', async () => {
    const { store: b } = process();
    const subject = randomUUID();
    const key = await a.getOrCreateKey(subject, 'data');
    expect(await b.findKey(key.keyId)).toEqual(key.key);
    // A destruction whose notification b never gets: what every destroying transaction does, minus NOTIFY.
    await sql.query('DELETE FROM subject_keys WHERE subject_id = $1', [subject]);
    await sql.query('UPDATE key_store_check SET destruction_token = gen_random_uuid()');
    expect(b.isCached(key.keyId)).toBe(true);
    expect(await b.findKey(key.keyId)).toBeNull();
    expect(b.isCached(key.keyId)).toBe(false);
  });

  it('expires request keys of earlier months for everyone, and nothing else', async () => {
    const [s1, s2] = [randomUUID(), randomUUID()];
    const { store: b } = process();
    const march = await a.getOrCreateKey(s1, 'request:2023-03');
    const april = await b.getOrCreateKey(s2, 'request:2023-04');
    const may = await a.getOrCreateKey(s1, 'request:2023-05');
    const data = await a.getOrCreateKey(s1, 'data');
    expect(await b.findKey(march.keyId)).not.toBeNull();

    const before = (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM subject_keys WHERE scope < 'request:2023-05' AND scope LIKE 'request:%'`)).rows[0].n;
    expect(await a.destroyRequestKeysBefore('2023-05')).toBe(before);
    await until(() => !b.isCached(march.keyId));
    for (const store of [a, b]) {
      expect(await store.findKey(march.keyId)).toBeNull();
      expect(await store.findKey(april.keyId)).toBeNull();
      expect(await store.findKey(may.keyId)).toEqual(may.key);
      expect(await store.findKey(data.keyId)).toEqual(data.key);
    }
    await expect(a.destroyRequestKeysBefore('2023-5')).rejects.toMatchObject({ code: 'INVALID_PERSONAL_DATA' });
  });

  it('reapplies erasures to a key store restored from a backup', async () => {
    const subject = randomUUID();
    const key = await a.getOrCreateKey(subject, 'data');
    const backup = (await sql.query<StoredKey>('SELECT * FROM subject_keys WHERE key_id = $1', [key.keyId])).rows[0];
    await a.destroySubjectKeys(subject, 'test');

    // The restore brings the shredded key back.
    await sql.query('INSERT INTO subject_keys (key_id, subject_id, scope, wrapped_key, created_at) VALUES ($1, $2, $3, $4, $5)', [
      backup.key_id,
      backup.subject_id,
      backup.scope,
      backup.wrapped_key,
      backup.created_at,
    ]);
    const { store: b } = process();
    expect(await b.findKey(key.keyId)).toEqual(key.key);

    expect((await a.reapplyErasures()).keysDeleted).toBe(1);
    expect(await a.findKey(key.keyId)).toBeNull();
    expect(await b.findKey(key.keyId)).toBeNull();
    expect((await a.reapplyErasures()).keysDeleted).toBe(0);
  });

  describe('the erasure ledger file (ERASURE_LEDGER_PATH)', () => {
    const ledgerPath = () => join(tmpdir(), `learnstream-ledger-spec-${db.name}.jsonl`);
    afterAll(() => rmSync(ledgerPath(), { force: true }));

    function withLedger(): KeyStore {
      const pool = new pg.Pool({ connectionString: keysUrl, max: 2 });
      pool.on('error', () => undefined);
      const store = new KeyStore(pool, masterKey, { ledgerPath: ledgerPath() });
      pools.push(pool);
      stores.push(store);
      return store;
    }

    it('survives a key store restored from before the erasure: the file brings the erasure back and the keys go again', async () => {
      const store = withLedger();
      const subject = randomUUID();
      const requestId = randomUUID();
      const anonymousId = randomUUID();
      const key = await store.getOrCreateKey(subject, 'data');
      const backup = (await sql.query<StoredKey>('SELECT * FROM subject_keys WHERE key_id = $1', [key.keyId])).rows[0];
      await store.destroySubjectKeys(subject, `privacy request ${requestId}`, { requestId, anonymousId });
      const line = JSON.parse(readFileSync(ledgerPath(), 'utf8').trim().split('\n').pop()!);
      expect(line).toMatchObject({ subjectId: subject, requestId, anonymousId, reason: `privacy request ${requestId}` });
      expect(JSON.stringify(line)).not.toContain(key.key.toString('base64'));

      // Restore the key store from before: the key is back, the ledger table forgets the erasure.
      await sql.query('DELETE FROM erased_subjects WHERE subject_id = $1', [subject]);
      await sql.query('INSERT INTO subject_keys (key_id, subject_id, scope, wrapped_key) VALUES ($1, $2, $3, $4)', [backup.key_id, backup.subject_id, backup.scope, backup.wrapped_key]);
      const restarted = withLedger();
      expect(await restarted.findKey(key.keyId)).toEqual(key.key);

      const r = await restarted.reapplyErasures();
      expect(r).toMatchObject({ keysDeleted: 1, addedToTable: 1 });
      expect(r.erasures.find((e) => e.subjectId === subject)).toMatchObject({ requestId, anonymousId });
      expect(await restarted.findKey(key.keyId)).toBeNull();
      await expect(restarted.getOrCreateKey(subject, 'data')).rejects.toMatchObject({ code: 'SUBJECT_ERASED' });
      expect((await sql.query('SELECT request_id, anonymous_id FROM erased_subjects WHERE subject_id = $1', [subject])).rows).toEqual([{ request_id: requestId, anonymous_id: anonymousId }]);
    });

    it('writes erasures the table has and the file lacks into the file', async () => {
      const subject = randomUUID();
      await a.destroySubjectKeys(subject, 'before the file'); // a key store without a ledger file
      const r = await withLedger().reapplyErasures();
      expect(r.addedToFile).toBeGreaterThanOrEqual(1);
      expect(readFileSync(ledgerPath(), 'utf8')).toContain(subject);
      expect((await withLedger().reapplyErasures()).addedToFile).toBe(0);
    });

    it('refuses a forged line, and ignores a last line cut short by a crash', async () => {
      const good = readFileSync(ledgerPath(), 'utf8');
      appendFileSync(ledgerPath(), '{"subjectId":"' + randomUUID() + '","erasedAt":"2026-01-0');
      await expect(withLedger().reapplyErasures()).resolves.toMatchObject({ keysDeleted: 0 });
      writeFileSync(ledgerPath(), good + JSON.stringify({ subjectId: randomUUID(), erasedAt: new Date().toISOString(), reason: 'forged', requestId: null, anonymousId: null, mac: '00'.repeat(32) }) + '\n');
      await expect(withLedger().reapplyErasures()).rejects.toMatchObject({ code: 'ERASURE_LEDGER_CORRUPT' });
      writeFileSync(ledgerPath(), good);
    });
  });

  it('detects a wrong master key at start-up', async () => {
    const { store: wrong } = process(randomBytes(32));
    await expect(wrong.verifyMasterKey()).rejects.toMatchObject({ code: 'MASTER_KEY_MISMATCH' });
    await expect(wrong.getOrCreateKey(randomUUID(), 'data')).rejects.toMatchObject({ code: 'MASTER_KEY_MISMATCH' });
    await expect(process().store.verifyMasterKey()).resolves.toBeUndefined();
  });

  it('refuses a wrapped key that was altered', async () => {
    const key = await a.getOrCreateKey(randomUUID(), 'data');
    await sql.query(`UPDATE subject_keys SET wrapped_key = set_byte(wrapped_key, 40, get_byte(wrapped_key, 40) # 1) WHERE key_id = $1`, [key.keyId]);
    await expect(process().store.findKey(key.keyId)).rejects.toMatchObject({ code: 'KEY_CORRUPTED' });
  });

  it('checks its arguments', async () => {
    await expect(a.getOrCreateKey('not-a-uuid', 'data')).rejects.toMatchObject({ code: 'INVALID_PERSONAL_DATA' });
    await expect(a.getOrCreateKey(randomUUID(), 'request:2024-13' as 'data')).rejects.toMatchObject({ code: 'INVALID_PERSONAL_DATA' });
    expect(await a.findKey('not-a-uuid')).toBeNull();
    expect(() => new KeyStore(sql, randomBytes(16))).toThrow(/32 bytes/);
  });
});
