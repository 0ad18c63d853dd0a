/**
 * The key store: per-subject data keys in PostgreSQL (`subject_keys`), each a
 * random 32-byte AES key wrapped with AES-256-GCM under the master key, in a
 * database of its own (KEYSTORE_DATABASE_URL), never the event database. Erasure
 * is crypto-shredding: deleting a subject's keys makes every copy of their
 * personal data unreadable, in the log and in backups of the log. The erasure
 * ledger is kept twice: the `erased_subjects` table and a file outside
 * PostgreSQL (erasure-ledger.ts); `reapplyErasures` merges them and deletes the
 * keys a restored backup brought back (docs/privacy.md).
 *
 * ## The key cache, and why a destroyed key is never used
 *
 * Unwrapped keys are cached in-process (LRU). A cached key must not outlive its
 * destruction, in this process or any other:
 *
 * - Every transaction that destroys keys also replaces `key_store_check.destruction_token`
 *   (a random UUID, under that row's lock, so tokens form one chain in commit order)
 *   and NOTIFYs `subject_keys_destroyed` with `{ prev, next }` tokens and what went.
 * - The cache remembers the token it is valid for. Every public method that hands
 *   out a key (findKey(s), getOrCreateKey(s), hence open and seal) first reads the
 *   current token — one single-row query, however many keys the call needs — and
 *   empties the cache if it differs. A call thus never uses a key destroyed by a
 *   transaction that committed before the call started, whether or not the
 *   notification has arrived: that closes the window between another process's
 *   commit and its notification, and survives a lost LISTEN connection, missed
 *   notifications and a database restored from a backup (its token differs).
 * - Notifications keep the cache warm across other processes' erasures: a
 *   notification whose `prev` is the cache's token is applied precisely (the
 *   subject's keys, or the expired months, are evicted) and moves the cache to
 *   `next`; any gap in the chain empties the cache. They also take destroyed keys
 *   out of memory promptly, even in a process that reads nothing.
 * - A key fetched from the database is cached only if the cache was not evicted
 *   while the query ran ({@link generation}): a result read before a destruction
 *   committed must not come back into the cache after that destruction was applied.
 * - Only found keys are cached, never "not found": a missing key is asked again.
 *
 * What stays open: a call that overlaps a destruction (started before its commit)
 * may still use the key; it is ordered before the erasure. Keys given to callers
 * are copies, and evicted cache entries are zeroed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { systemClock, type Clock } from '@learnstream/domain';
import { ErasureLedgerFile, type ErasureRecord } from './erasure-ledger';
import { CorruptedKeyError, MasterKeyMismatchError, PersonalDataError, SubjectErasedError } from './errors';
import { gcmDecrypt, gcmEncrypt, KEY_BYTES, pack, unpack } from './gcm';
import { assertPeriod, assertScope, isUuid, subjectIdOf, type KeyScope } from './scope';

export interface DataKey {
  readonly keyId: string;
  readonly subjectId: string;
  readonly scope: KeyScope;
  /** The unwrapped 32-byte AES key (a copy: the caller may keep or wipe it). */
  readonly key: Buffer;
}

export interface KeyRequest {
  subjectId: string;
  scope: KeyScope;
}

export interface KeyStoreOptions {
  /** Unwrapped keys kept in memory (least recently used go first). Default 10 000; 0 disables the cache. */
  maxCachedKeys?: number;
  /** The erasure ledger outside PostgreSQL (ERASURE_LEDGER_PATH): written before any key of an erasure goes. */
  ledgerPath?: string;
  /** When an erasure happened (the system clock unless given). */
  clock?: Clock;
}

/** What an erasure is linked to, kept in the ledger so that it can be carried out again after a restore. */
export interface ErasureLink {
  requestId?: string | null;
  anonymousId?: string | null;
}

/** What reapplyErasures found and did. */
export interface ReappliedErasures {
  /** Every erasure in the ledger (file and table, merged). */
  erasures: ErasureRecord[];
  /** Keys deleted (non-zero after a restore of the key store from before an erasure). */
  keysDeleted: number;
  /** Erasures that were in the file but not in the key store's table (a restored key store), and the reverse. */
  addedToTable: number;
  addedToFile: number;
}

interface LedgerRow {
  subject_id: string;
  erased_at: Date;
  reason: string;
  request_id: string | null;
  anonymous_id: string | null;
}

function recordOf(row: LedgerRow): ErasureRecord {
  return { subjectId: row.subject_id, erasedAt: new Date(row.erased_at).toISOString(), reason: row.reason, requestId: row.request_id, anonymousId: row.anonymous_id };
}

/** NOTIFY channel of key destructions. */
export const KEYS_DESTROYED_CHANNEL = 'subject_keys_destroyed';

/** The NOTIFY payload (JSON): the token chain step and which keys went. */
interface DestroyNotice {
  prev: string;
  next: string;
  /** One subject's keys (erasure)… */
  subject?: string;
  /** …or every request key of months before this YYYY-MM (retention)… */
  before?: string;
  /** …or any keys (erasures reapplied after a restore). */
  all?: true;
}

type Destroyed = Pick<DestroyNotice, 'subject' | 'before' | 'all'>;

interface ErasedRow {
  subject_id: string;
  anonymous_id: string | null;
}

interface KeyRow {
  key_id: string;
  subject_id: string;
  scope: KeyScope;
  wrapped_key: Buffer;
}

/**
 * Advisory-lock class of key creation/erasure (the two-int lock space, which
 * does not overlap the one-bigint space other code may use). The object id is
 * `hashtext(subject_id)`: a collision only makes two subjects wait on each other.
 */
const LOCK_CLASS = 0x4c53504b;

const CANARY_TEXT = Buffer.from('learnstream key store canary v1', 'utf8');
const CANARY_AAD = 'learnstream/canary/v1';

/** AAD of a wrapped key: a wrapped key cannot be moved to another key id or subject. */
function wrapAad(keyId: string, subjectId: string): string {
  return `learnstream/key/v1|${keyId}|${subjectId}`;
}

function parseNotice(payload: string | undefined): DestroyNotice | null {
  try {
    const n = JSON.parse(payload ?? '') as DestroyNotice;
    return typeof n.prev === 'string' && typeof n.next === 'string' ? n : null;
  } catch {
    return null;
  }
}

function slotOf(k: { subjectId: string; scope: KeyScope }): string {
  return `${k.subjectId}|${k.scope}`;
}

function copy(key: DataKey): DataKey {
  return { ...key, key: Buffer.from(key.key) };
}

export class KeyStore {
  /** keyId → key, in least-recently-used order. */
  private readonly cache = new Map<string, DataKey>();
  /** `subjectId|scope` → keyId. */
  private readonly slots = new Map<string, string>();
  /** Erased subjects met by erasedAmong → their anonymous id (erasures are never undone). */
  private readonly erased = new Map<string, string | null>();
  /** The destruction token the cache is valid for; null: unknown (the cache is then empty). */
  private token: string | null = null;
  /** Bumped on every eviction: a key fetched across one is not cached. */
  private generation = 0;
  private readonly maxCachedKeys: number;
  private readonly ledger: ErasureLedgerFile | null;
  private readonly clock: Clock;
  private verified: Promise<void> | null = null;
  private listening: Promise<void> | null = null;
  private listener: pg.Client | null = null;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly masterKey: Buffer,
    options: KeyStoreOptions = {},
  ) {
    if (masterKey.length !== KEY_BYTES) throw new PersonalDataError('INVALID_MASTER_KEY', `the master key must be ${KEY_BYTES} bytes, got ${masterKey.length}`);
    this.maxCachedKeys = options.maxCachedKeys ?? 10_000;
    this.ledger = options.ledgerPath ? new ErasureLedgerFile(options.ledgerPath, masterKey) : null;
    this.clock = options.clock ?? systemClock;
  }

  /** The subject's key of that scope, created on first use. Throws SubjectErasedError for an erased subject. */
  async getOrCreateKey(subjectId: string, scope: KeyScope): Promise<DataKey> {
    const [key] = await this.getOrCreateKeys([{ subjectId, scope }]);
    return key;
  }

  /** Several keys at once (one freshness check); results in the order asked. */
  async getOrCreateKeys(requests: readonly KeyRequest[]): Promise<DataKey[]> {
    return (await this.lookUp([], requests)).keys;
  }

  /**
   * erasedAmong(`ids`) and getOrCreateKeys(`requests`) in one: the erasure
   * check rides on the freshness check's query (one round trip for both when
   * every key is cached). What an append asks the key store (ingestion
   * coalesces concurrent requests into one such call).
   */
  async lookUp(ids: Iterable<string>, requests: readonly KeyRequest[]): Promise<{ erased: Map<string, string | null>; keys: DataKey[] }> {
    const wanted = requests.map((r) => {
      assertScope(r.scope);
      return { subjectId: subjectIdOf(r.subjectId), scope: r.scope };
    });
    const { erased, ask } = this.rememberedErasures(ids);
    await this.freshen(ask, erased);
    const got = new Map<string, DataKey>();
    const missing = new Map<string, KeyRequest>();
    for (const r of wanted) {
      const slot = slotOf(r);
      if (got.has(slot) || missing.has(slot)) continue;
      const keyId = this.slots.get(slot);
      const cached = keyId === undefined ? undefined : this.cached(keyId);
      if (cached) got.set(slot, cached);
      else missing.set(slot, r);
    }
    // A miss is the first key of a subject (or of a month) in this process: all of them made in one transaction.
    if (missing.size) for (const key of await this.createKeys([...missing.values()])) got.set(slotOf(key), key);
    return { erased, keys: wanted.map((r) => got.get(slotOf(r))!) };
  }

  /** The key, or null when it does not exist (destroyed, expired, or never made). */
  async findKey(keyId: string): Promise<Buffer | null> {
    const found = await this.findKeys([keyId]);
    return found.get(keyId.toLowerCase())?.key ?? null;
  }

  /** The keys that exist among `keyIds`, by lower-case key id; the missing ones in a single query. */
  async findKeys(keyIds: Iterable<string>): Promise<Map<string, DataKey>> {
    const ids = [...new Set([...keyIds].filter(isUuid).map((id) => id.toLowerCase()))];
    await this.freshen();
    const found = new Map<string, DataKey>();
    const missing: string[] = [];
    for (const id of ids) {
      const cached = this.cached(id);
      if (cached) found.set(id, cached);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const generation = this.generation;
      const { rows } = await this.pool.query<KeyRow>(
        'SELECT key_id, subject_id, scope, wrapped_key FROM subject_keys WHERE key_id = ANY($1::uuid[])',
        [missing],
      );
      for (const row of rows) found.set(row.key_id, this.unwrapAndRemember(row, generation));
    }
    return found;
  }

  /**
   * Erasure: appends the erasure to the ledger file (flushed to disk first),
   * then deletes every key of the subject and records them in the ledger table,
   * in one transaction, so that no key is ever made for them again. Idempotent
   * (the first erasure's date, reason and links are kept). Returns the number
   * of keys deleted.
   */
  async destroySubjectKeys(subjectId: string, reason: string, link: ErasureLink = {}): Promise<number> {
    const subject = subjectIdOf(subjectId);
    await this.ready();
    const known = await this.erasure(subject);
    const record: ErasureRecord = known ?? { subjectId: subject, erasedAt: this.clock.nowIso(), reason, requestId: link.requestId ?? null, anonymousId: link.anonymousId ?? null };
    if (!known) this.ledger?.append(record);
    const { count, notice } = await this.transaction(async (c) => {
      // Exclusive against key creation for this subject (see createKeys).
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2::text))', [LOCK_CLASS, subject]);
      await c.query(
        'INSERT INTO erased_subjects (subject_id, erased_at, reason, request_id, anonymous_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (subject_id) DO NOTHING',
        [subject, record.erasedAt, record.reason, record.requestId, record.anonymousId],
      );
      const deleted = await c.query('DELETE FROM subject_keys WHERE subject_id = $1', [subject]);
      return this.announceIf(c, deleted.rowCount ?? 0, { subject });
    });
    this.afterDestroy({ subject }, notice);
    return count;
  }

  /** The subject's erasure in the ledger table, or null. */
  async erasure(subjectId: string): Promise<ErasureRecord | null> {
    await this.ready();
    const { rows } = await this.pool.query<LedgerRow>('SELECT * FROM erased_subjects WHERE subject_id = $1', [subjectIdOf(subjectId)]);
    return rows[0] ? recordOf(rows[0]) : null;
  }

  /**
   * Which of `ids` are erased subjects, each with its erasure's anonymous id
   * (null for an erasure recorded before anonymous ids). Non-UUIDs are left
   * out. An erasure is never undone, so found ones are remembered; the others
   * are asked again on every call (one query, none when all are remembered).
   */
  async erasedAmong(ids: Iterable<string>): Promise<Map<string, string | null>> {
    const { erased: found, ask } = this.rememberedErasures(ids);
    if (!ask.length) return found;
    await this.ready();
    const { rows } = await this.pool.query<ErasedRow>('SELECT subject_id, anonymous_id FROM erased_subjects WHERE subject_id = ANY ($1::uuid[])', [ask]);
    this.rememberErasures(rows, found);
    return found;
  }

  /** The erasures among `ids` already met (never undone), and the UUIDs still to ask. */
  private rememberedErasures(ids: Iterable<string>): { erased: Map<string, string | null>; ask: string[] } {
    const erased = new Map<string, string | null>();
    const ask: string[] = [];
    for (const id of new Set([...ids].filter(isUuid).map((id) => id.toLowerCase()))) {
      const known = this.erased.get(id);
      if (known !== undefined) erased.set(id, known);
      else ask.push(id);
    }
    return { erased, ask };
  }

  private rememberErasures(rows: readonly ErasedRow[], into: Map<string, string | null>): void {
    for (const r of rows) {
      this.erased.set(r.subject_id, r.anonymous_id);
      into.set(r.subject_id, r.anonymous_id);
    }
  }

  /** Every erasure of the ledger table, oldest first. */
  async erasures(): Promise<ErasureRecord[]> {
    await this.ready();
    const { rows } = await this.pool.query<LedgerRow>('SELECT * FROM erased_subjects ORDER BY erased_at, subject_id');
    return rows.map(recordOf);
  }

  /**
   * Retention of request metadata: deletes every subject's `request:` keys of
   * months before `period` (YYYY-MM), making those IPs and user agents unreadable.
   * Returns the number of keys deleted.
   *
   * Not refused afterwards: a key for an expired month can still be created (an
   * import of old events, or a write racing the sweep); the next sweep removes it.
   */
  async destroyRequestKeysBefore(period: string): Promise<number> {
    assertPeriod(period);
    await this.ready();
    const { count, notice } = await this.transaction(async (c) => {
      // `scope` compares bytewise (COLLATE "C"): 'data' < 'request:' ≤ request scopes of earlier months.
      const deleted = await c.query(`DELETE FROM subject_keys WHERE scope >= 'request:' AND scope < $1`, [`request:${period}`]);
      return this.announceIf(c, deleted.rowCount ?? 0, { before: period });
    });
    this.afterDestroy({ before: period }, notice);
    return count;
  }

  /**
   * Carries out every erasure of the ledger again, on the key side: merges the
   * ledger file into the table (a key store restored from before an erasure
   * lacks it) and the table into the file (erasures older than the file), then
   * deletes any key of a ledger subject. Every process runs it at start-up;
   * `learnstream privacy reapply-erasures` runs it on demand. Idempotent.
   */
  async reapplyErasures(): Promise<ReappliedErasures> {
    await this.ready();
    const fromFile = this.ledger?.read() ?? [];
    const inTable = new Map((await this.erasures()).map((r) => [r.subjectId, r]));
    const inFile = new Set(fromFile.map((r) => r.subjectId));
    let addedToTable = 0;
    for (const r of fromFile) {
      if (inTable.has(r.subjectId)) continue;
      const added = await this.pool.query(
        'INSERT INTO erased_subjects (subject_id, erased_at, reason, request_id, anonymous_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (subject_id) DO NOTHING',
        [r.subjectId, r.erasedAt, r.reason, r.requestId, r.anonymousId],
      );
      addedToTable += added.rowCount ?? 0;
      inTable.set(r.subjectId, r);
    }
    let addedToFile = 0;
    for (const r of inTable.values()) {
      if (inFile.has(r.subjectId) || !this.ledger) continue;
      this.ledger.append(r);
      addedToFile++;
    }
    const { count, notice } = await this.transaction(async (c) => {
      const deleted = await c.query('DELETE FROM subject_keys k USING erased_subjects e WHERE k.subject_id = e.subject_id');
      return this.announceIf(c, deleted.rowCount ?? 0, { all: true });
    });
    this.afterDestroy({ all: true }, notice);
    const erasures = [...inTable.values()].sort((a, b) => a.erasedAt.localeCompare(b.erasedAt) || a.subjectId.localeCompare(b.subjectId));
    return { erasures, keysDeleted: count, addedToTable, addedToFile };
  }

  /** Request-metadata keys of months before `period` (YYYY-MM), counted by month: what destroyRequestKeysBefore would delete. */
  async requestKeysBefore(period: string): Promise<{ period: string; keys: number }[]> {
    assertPeriod(period);
    await this.ready();
    const { rows } = await this.pool.query<{ period: string; keys: number }>(
      `SELECT substr(scope, 9) AS period, count(*)::int AS keys FROM subject_keys WHERE scope >= 'request:' AND scope < $1 GROUP BY scope ORDER BY scope`,
      [`request:${period}`],
    );
    return rows;
  }

  /**
   * Keys kept in the event database before the key store had its own (renamed
   * `moved_*` by migration 1733000500100) are copied here, then deleted there.
   * Run once at start-up, before the master key is checked. Returns the number
   * of keys moved.
   */
  async adoptMovedKeys(eventPool: pg.Pool): Promise<number> {
    const { rows: tables } = await eventPool.query<{ name: string }>(`SELECT to_regclass('moved_subject_keys')::text AS name`);
    if (!tables[0]?.name) return 0;
    const keys = (await eventPool.query<KeyRow & { created_at: Date }>('SELECT key_id, subject_id, scope, wrapped_key, created_at FROM moved_subject_keys')).rows;
    const erased = (await eventPool.query<LedgerRow>('SELECT subject_id, erased_at, reason, NULL::uuid AS request_id, NULL::uuid AS anonymous_id FROM moved_erased_subjects')).rows;
    const check = (await eventPool.query<{ canary: Buffer | null; canary_created_at: Date | null }>('SELECT canary, canary_created_at FROM moved_key_store_check')).rows[0];
    await this.transaction(async (c) => {
      if (check?.canary) await c.query('UPDATE key_store_check SET canary = $1, canary_created_at = $2 WHERE canary IS NULL', [check.canary, check.canary_created_at]);
      for (const r of erased) {
        await c.query('INSERT INTO erased_subjects (subject_id, erased_at, reason) VALUES ($1, $2, $3) ON CONFLICT (subject_id) DO NOTHING', [r.subject_id, r.erased_at, r.reason]);
      }
      for (const k of keys) {
        await c.query(
          `INSERT INTO subject_keys (key_id, subject_id, scope, wrapped_key, created_at) SELECT $1, $2, $3, $4, $5
           WHERE NOT EXISTS (SELECT 1 FROM erased_subjects WHERE subject_id = $2) ON CONFLICT DO NOTHING`,
          [k.key_id, k.subject_id, k.scope, k.wrapped_key, k.created_at],
        );
      }
    });
    // Committed here: now they go from the event database (and from its future backups).
    await eventPool.query('DELETE FROM moved_subject_keys');
    await eventPool.query('DELETE FROM moved_erased_subjects');
    await eventPool.query('DELETE FROM moved_key_store_check');
    return keys.length;
  }

  /**
   * Checks that the master key is the one this database was set up with, by
   * decrypting a canary; writes the canary on first use. Every other method runs
   * it once before anything else, so keys are never wrapped under a wrong key.
   */
  async verifyMasterKey(): Promise<void> {
    const { rows } = await this.pool.query<{ canary: Buffer | null }>('SELECT canary FROM key_store_check');
    if (rows.length === 0) throw new PersonalDataError('KEY_STORE_NOT_MIGRATED', 'key_store_check has no row: run the database migrations');
    const canary = rows[0].canary;
    if (canary !== null) {
      const text = gcmDecrypt(this.masterKey, unpack(canary), CANARY_AAD);
      if (text === null || !text.equals(CANARY_TEXT)) throw new MasterKeyMismatchError();
      return;
    }
    // First use. Keys made before the canary existed must open with this master key.
    const existing = await this.pool.query<KeyRow>('SELECT key_id, subject_id, scope, wrapped_key FROM subject_keys LIMIT 1');
    if (existing.rows[0] && !this.unwrap(existing.rows[0])) throw new MasterKeyMismatchError();
    const box = gcmEncrypt(this.masterKey, CANARY_TEXT, CANARY_AAD);
    await this.pool.query('UPDATE key_store_check SET canary = $1, canary_created_at = now() WHERE canary IS NULL', [pack(box)]);
    // Check what is stored now: another process may have written its canary first.
    return this.verifyMasterKey();
  }

  /** Throws when the key store's database does not answer (health checks). */
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1 FROM key_store_check LIMIT 0');
  }

  /** Whether the key is in this process's cache (diagnostics and tests). */
  isCached(keyId: string): boolean {
    return this.cache.has(keyId.toLowerCase());
  }

  /** Stops listening and wipes the cache. The pool is the caller's to end. */
  async close(): Promise<void> {
    this.closed = true;
    await this.listening?.catch(() => undefined);
    this.listening = null;
    const listener = this.listener;
    this.listener = null;
    this.clear();
    await listener?.end().catch(() => undefined);
  }

  // ---------------------------------------------------------------- internals

  /** The master key is checked and the listener started, once, before any work. */
  private async ready(): Promise<void> {
    if (this.closed) throw new PersonalDataError('KEY_STORE_CLOSED', 'the key store is closed');
    this.verified ??= this.verifyMasterKey().catch((e: unknown) => {
      this.verified = null;
      throw e;
    });
    await Promise.all([this.verified, this.listen()]);
  }

  /**
   * Empties the cache unless it is valid for the current destruction token
   * (see the top of this file). With `ask`, the same query also finds which
   * of those ids are erased subjects (into `erased`).
   */
  private async freshen(ask: readonly string[] = [], erased?: Map<string, string | null>): Promise<void> {
    await this.ready();
    const { rows } = ask.length
      ? await this.pool.query<{ destruction_token: string; erased: ErasedRow[] }>(
          `SELECT destruction_token, coalesce((SELECT json_agg(json_build_object('subject_id', subject_id, 'anonymous_id', anonymous_id))
             FROM erased_subjects WHERE subject_id = ANY ($1::uuid[])), '[]') AS erased FROM key_store_check`,
          [ask],
        )
      : await this.pool.query<{ destruction_token: string; erased?: undefined }>('SELECT destruction_token FROM key_store_check');
    if (erased && rows[0].erased) this.rememberErasures(rows[0].erased, erased);
    const token = rows[0].destruction_token;
    if (token !== this.token) {
      this.clear();
      this.token = token;
    }
  }

  private listen(): Promise<void> {
    this.listening ??= this.connectListener().catch((e: unknown) => {
      this.listening = null;
      throw e;
    });
    return this.listening;
  }

  /** A dedicated connection: a pooled one would be handed to other queries. */
  private async connectListener(): Promise<void> {
    const client = new pg.Client(this.pool.options);
    // A lost connection loses notifications; the token check keeps reads sound
    // meanwhile, and the next call listens again.
    const lost = () => {
      if (this.listener === client) {
        this.listener = null;
        this.listening = null;
      }
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (m) => {
      if (m.channel === KEYS_DESTROYED_CHANNEL) this.apply(parseNotice(m.payload));
    });
    await client.connect();
    try {
      await client.query(`LISTEN ${KEYS_DESTROYED_CHANNEL}`);
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    if (this.closed) await client.end();
    else this.listener = client;
  }

  /**
   * Creates the keys, or reads those a concurrent caller made: INSERT … ON
   * CONFLICT DO NOTHING, then SELECT (in READ COMMITTED the SELECT sees the
   * winners' rows), each one statement for all the keys asked (a bulk upload
   * of new accounts asks for a key per account). The shared advisory locks
   * let creators of one subject run together but exclude destroySubjectKeys,
   * so an erasure cannot commit between the ledger check and the insert: a
   * key is never made after erasure.
   */
  private async createKeys(asked: readonly KeyRequest[]): Promise<DataKey[]> {
    const generation = this.generation;
    // Inserted in one order (subject, then scope): two transactions making some of the same keys in different orders
    // would each wait for a row the other inserted first (deadlock detected); in one order, one waits for the other.
    const requests = [...asked].sort((x, y) => (x.subjectId < y.subjectId ? -1 : x.subjectId > y.subjectId ? 1 : x.scope < y.scope ? -1 : x.scope > y.scope ? 1 : 0));
    const subjects = [...new Set(requests.map((r) => r.subjectId))].sort();
    const rows = await this.transaction(async (c) => {
      // In one order (an erasure holds a single lock, so no cycle can form either way).
      await c.query('SELECT pg_advisory_xact_lock_shared($1, hashtext(s)) FROM unnest($2::text[]) WITH ORDINALITY AS t(s, n) ORDER BY n', [LOCK_CLASS, subjects]);
      const erased = await c.query<{ subject_id: string }>('SELECT subject_id FROM erased_subjects WHERE subject_id = ANY ($1::uuid[]) LIMIT 1', [subjects]);
      if (erased.rows[0]) throw new SubjectErasedError(erased.rows[0].subject_id);
      const keyIds = requests.map(() => randomUUID());
      const wrapped = requests.map((r, i) => {
        const key = randomBytes(KEY_BYTES);
        const box = pack(gcmEncrypt(this.masterKey, key, wrapAad(keyIds[i], r.subjectId)));
        key.fill(0);
        return box;
      });
      await c.query(
        `INSERT INTO subject_keys (key_id, subject_id, scope, wrapped_key)
         SELECT k, s, sc, w FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bytea[]) WITH ORDINALITY AS t(k, s, sc, w, n) ORDER BY n
         ON CONFLICT (subject_id, scope) DO NOTHING`,
        [keyIds, requests.map((r) => r.subjectId), requests.map((r) => r.scope), wrapped],
      );
      const { rows: found } = await c.query<KeyRow>(
        `SELECT key_id, subject_id, scope, wrapped_key FROM subject_keys
         WHERE (subject_id, scope) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`,
        [requests.map((r) => r.subjectId), requests.map((r) => r.scope)],
      );
      // Only a period expiry running right now can remove a winner's row.
      const made = new Set(found.map((row) => slotOf({ subjectId: row.subject_id, scope: row.scope })));
      const lost = requests.find((r) => !made.has(slotOf(r)));
      if (lost) throw new PersonalDataError('KEY_EXPIRED', `the ${lost.scope} key of subject ${lost.subjectId} was expired while being created`);
      return found;
    });
    return rows.map((row) => this.unwrapAndRemember(row, generation));
  }

  private unwrap(row: KeyRow): DataKey | null {
    const key = gcmDecrypt(this.masterKey, unpack(row.wrapped_key), wrapAad(row.key_id, row.subject_id));
    if (key === null || key.length !== KEY_BYTES) return null;
    return { keyId: row.key_id, subjectId: row.subject_id, scope: row.scope, key };
  }

  /** Unwraps a fetched row; caches it only if nothing was evicted since the fetch began. */
  private unwrapAndRemember(row: KeyRow, generation: number): DataKey {
    const key = this.unwrap(row);
    if (key === null) throw new CorruptedKeyError(row.key_id);
    if (generation === this.generation && this.maxCachedKeys > 0) {
      this.cache.set(key.keyId, copy(key));
      this.slots.set(slotOf(key), key.keyId);
      while (this.cache.size > this.maxCachedKeys) this.drop(this.cache.keys().next().value!);
    }
    return key;
  }

  /** A copy of the cached key, marked most recently used. */
  private cached(keyId: string): DataKey | undefined {
    const entry = this.cache.get(keyId);
    if (!entry) return undefined;
    this.cache.delete(keyId);
    this.cache.set(keyId, entry);
    return copy(entry);
  }

  private drop(keyId: string): void {
    const entry = this.cache.get(keyId);
    if (!entry) return;
    entry.key.fill(0);
    this.cache.delete(keyId);
    this.slots.delete(slotOf(entry));
  }

  private evict(what: Destroyed): void {
    this.generation++;
    for (const entry of [...this.cache.values()]) {
      const expired = what.before !== undefined && entry.scope.startsWith('request:') && entry.scope < `request:${what.before}`;
      if (what.all || entry.subjectId === what.subject || expired) this.drop(entry.keyId);
    }
  }

  private clear(): void {
    this.evict({ all: true });
    this.token = null;
  }

  /** Applies a destruction (another process's notification, or our own) to the cache. */
  private apply(notice: DestroyNotice | null): void {
    if (notice && this.token === notice.next) return; // already applied (our own, echoed back)
    if (notice && this.token !== null && this.token === notice.prev) {
      this.evict(notice);
      this.token = notice.next;
      return;
    }
    this.clear(); // a notification was missed or unreadable: start over
  }

  private afterDestroy(what: Destroyed, notice: DestroyNotice | null): void {
    this.evict(what); // locally at once, whatever the token says
    if (notice) this.apply(notice);
  }

  /** When keys were deleted: moves the destruction token on and notifies, inside the transaction. */
  private async announceIf(c: pg.PoolClient, count: number, what: Destroyed): Promise<{ count: number; notice: DestroyNotice | null }> {
    if (count === 0) return { count, notice: null };
    // FOR UPDATE serialises destroyers on this row, so tokens chain in commit order.
    const { rows } = await c.query<{ prev: string }>('SELECT destruction_token AS prev FROM key_store_check FOR UPDATE');
    const notice: DestroyNotice = { prev: rows[0].prev, next: randomUUID(), ...what };
    await c.query('UPDATE key_store_check SET destruction_token = $1', [notice.next]);
    await c.query('SELECT pg_notify($1, $2)', [KEYS_DESTROYED_CHANNEL, JSON.stringify(notice)]); // sent on commit
    return { count, notice };
  }

  private async transaction<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw e;
    } finally {
      client.release(broken);
    }
  }
}
