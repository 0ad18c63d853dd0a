/**
 * Seals personal data into documents (event data, metadata) and opens it again.
 *
 * A sealed value is `{ "$pd": 1, "s": subjectId, "k": keyId, "iv", "ct", "tag" }`
 * (base64): AES-256-GCM of the value's JSON under the subject's data key, with
 * the subject and key ids bound as AAD, so a blob cannot be passed off as
 * another subject's. The JSON path is not bound: upcasters may move fields.
 *
 * Opening never fails because of an erasure: a value whose key is gone (erased
 * subject, expired month) reads as null and its path is listed in `erased`. A value that fails authentication
 * throws TamperedDataError: that is corruption, and hiding it as "erased" would
 * mask an attack or a bug.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { InvalidPersonalDataError, SubjectErasedError, TamperedDataError } from './errors';
import { gcmDecrypt, gcmEncrypt } from './gcm';
import type { DataKey, KeyRequest, KeyStore } from './key-store';
import { Personal } from './personal';
import { DATA_SCOPE, isUuid, requestScope, subjectIdOf, type KeyScope } from './scope';

export interface SealedValue {
  $pd: 1;
  /** Subject id. */
  s: string;
  /** Key id. */
  k: string;
  iv: string;
  ct: string;
  tag: string;
}

/** The type of a document after seal(): each Personal<X> becomes a SealedValue. */
export type Sealed<T> =
  T extends Personal<unknown> ? SealedValue
  : T extends Date ? T
  : T extends readonly (infer U)[] ? Sealed<U>[]
  : T extends object ? { [K in keyof T]: Sealed<T[K]> }
  : T;

/** Request metadata to seal under its subject's key of the month of `occurredAt` (sealRequest). */
export interface RequestValue {
  subjectId: string;
  occurredAt: Date;
  value: string | null;
}

export interface Opened<T> {
  doc: T;
  /** JSON paths (e.g. `data.email`, `$` for the root) of values whose key is destroyed: they read as null. */
  erased: string[];
}

const RESERVED = '$pd';
const SEALED_KEYS = ['$pd', 'ct', 'iv', 'k', 's', 'tag'];
const DESCEND = Symbol('descend');

/**
 * Sealed values made by this module in this process (by identity). seal() lets
 * them through (e.g. sealRequest() output placed in metadata), but refuses any
 * other object with a "$pd" key: one built from client JSON could be a forgery.
 */
const minted = new WeakSet<object>();

function blobAad(subjectId: string, keyId: string): string {
  return `learnstream/pd/v1|${subjectId}|${keyId}`;
}

function isPlainObject(node: unknown): node is Record<string, unknown> {
  if (node === null || typeof node !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(node);
  return proto === Object.prototype || proto === null;
}

function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

/**
 * Where a node is in its document, spelt out only when a message or the
 * `erased` list needs it (most nodes never do: building every path cost more
 * than the encryption of a bulk import's values).
 */
type At = { parent: At; key: string | number } | null;

function pathOf(at: At): string {
  return at === null ? '' : childPath(pathOf(at.parent), at.key);
}

const shown = (at: At) => pathOf(at) || '$';

/**
 * Copies a JSON-like tree (arrays and plain objects; anything else is kept as
 * is), asking `replace` first at every node: its result replaces the node,
 * unless it is DESCEND. The input is never modified.
 */
function transform(node: unknown, at: At, replace: (node: unknown, at: At) => unknown): unknown {
  const replaced = replace(node, at);
  if (replaced !== DESCEND) return replaced;
  if (Array.isArray(node)) return node.map((v, i) => transform(v, { parent: at, key: i }, replace));
  if (isPlainObject(node)) {
    const copy: Record<string, unknown> = {};
    for (const k of Object.keys(node)) {
      const value = transform(node[k], { parent: at, key: k }, replace);
      // Defined, not assigned: a "__proto__" key stays a plain key.
      if (k === '__proto__') Object.defineProperty(copy, k, { value, enumerable: true, writable: true, configurable: true });
      else copy[k] = value;
    }
    return copy;
  }
  return node;
}

/**
 * Visits the objects of a JSON-like tree (arrays, plain objects and any other object, not strings, numbers and other
 * primitives, which hold nothing to seal or open) as transform() does, without copying it: `visit` returns DESCEND to
 * look inside a node. A child's place is made only for an object (an event's data is mostly primitives).
 */
function walk(node: unknown, at: At, visit: (node: unknown, at: At) => unknown): void {
  if (visit(node, at) !== DESCEND) return;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) if (typeof node[i] === 'object' && node[i] !== null) walk(node[i], { parent: at, key: i }, visit);
  } else if (isPlainObject(node)) {
    for (const k in node) {
      const child = node[k];
      if (Object.hasOwn(node, k) && typeof child === 'object' && child !== null) walk(child, { parent: at, key: k }, visit);
    }
  }
}

/** A SealedValue at this node, or null if there is none; a malformed one throws. */
function sealedAt(node: unknown, path: At): SealedValue | null {
  if (!isPlainObject(node) || !Object.hasOwn(node, RESERVED)) return null;
  const ok =
    node.$pd === 1 &&
    isUuid(node.s) &&
    isUuid(node.k) &&
    ['iv', 'ct', 'tag'].every((f) => typeof node[f] === 'string') &&
    Object.keys(node).sort().join() === SEALED_KEYS.join();
  if (!ok) throw new TamperedDataError(shown(path), 'is malformed');
  return node as unknown as SealedValue;
}

function encrypt(key: DataKey, value: unknown): SealedValue {
  const json = JSON.stringify(value);
  if (json === undefined) throw new InvalidPersonalDataError(`personal data must be a JSON value, got ${typeof value}`);
  const box = gcmEncrypt(key.key, Buffer.from(json, 'utf8'), blobAad(key.subjectId, key.keyId));
  return mint({ $pd: 1, s: key.subjectId, k: key.keyId, iv: box.iv.toString('base64'), ct: box.ct.toString('base64'), tag: box.tag.toString('base64') });
}

/** Registers a sealed value as ours, frozen so that it cannot be altered after. */
function mint(sealed: SealedValue): SealedValue {
  minted.add(Object.freeze(sealed));
  return sealed;
}

/**
 * The value of a sealed value; `opened` (one openMany call's) keeps the plaintext of every sealed value
 * already opened, whole (subject, key, iv, ciphertext and tag): the request metadata of an upload's
 * events is one sealed value shared by all of them (sealMany), opened once, not once per event.
 */
function decrypt(key: DataKey, sealed: SealedValue, path: At, opened: Map<string, string>): unknown {
  if (sealed.s.toLowerCase() !== key.subjectId) throw new TamperedDataError(shown(path), `names subject ${sealed.s} but its key belongs to another subject`);
  const slot = `${sealed.s}|${sealed.k}|${sealed.iv}|${sealed.tag}|${sealed.ct}`;
  const known = opened.get(slot);
  if (known !== undefined) return JSON.parse(known);
  const box = { iv: Buffer.from(sealed.iv, 'base64'), ct: Buffer.from(sealed.ct, 'base64'), tag: Buffer.from(sealed.tag, 'base64') };
  const plaintext = gcmDecrypt(key.key, box, blobAad(key.subjectId, key.keyId));
  if (plaintext === null) throw new TamperedDataError(shown(path), `(key ${key.keyId}) fails authentication`);
  const json = plaintext.toString('utf8');
  opened.set(slot, json);
  return JSON.parse(json);
}

/**
 * Request values sealed by earlier sealMany calls of one caller, by key and value: a bulk import's events of one
 * person carry the same few IPs, batch after batch, and each is sealed once for all of them, as within one call. What
 * equal sealed values tell is as within a call: that these events of one subject and month (one import, one
 * correlation id) came from the same address. The newest `max` are kept.
 */
export class SealedRequests {
  private readonly sealed = new Map<string, SealedValue>();

  constructor(private readonly max = 4096) {}

  get(slot: string): SealedValue | undefined {
    return this.sealed.get(slot);
  }

  set(slot: string, value: SealedValue): void {
    if (this.sealed.size >= this.max) this.sealed.delete(this.sealed.keys().next().value!);
    this.sealed.set(slot, value);
  }
}

export class PersonalDataCipher {
  constructor(private readonly keys: KeyStore) {}

  /**
   * A copy of `doc` in which every Personal marker is replaced by a SealedValue
   * under its subject's data key. Throws SubjectErasedError for an erased
   * subject. Sealed values this cipher made (sealRequest output) pass through;
   * any other "$pd" key is refused, so that no writer or client can plant a
   * fake sealed value (which would fail authentication on every read after).
   */
  async seal<T>(doc: T): Promise<Sealed<T>> {
    const { docs } = await this.sealMany([doc]);
    return docs[0];
  }

  /**
   * Request metadata (IP, user agent) of the subject, sealed under their key of
   * the month (UTC) of `occurredAt`, so that it expires with that month's keys.
   */
  async sealRequest(subjectId: string, occurredAt: Date, value: string | null): Promise<SealedValue | null> {
    const { requests } = await this.sealMany([], [{ subjectId, occurredAt, value }]);
    return requests[0];
  }

  /**
   * seal() of many documents and sealRequest() of many values, with the keys
   * of all of them asked for in one call (one freshness check, the missing
   * keys made in one transaction): what an append of many events uses.
   * `sealedRequests`: request values sealed by this caller's earlier calls, reused (and added to).
   * `erasedAmong`: ids to check for erasures (erasedAmong()) in the same key-store call, answered as `erased`.
   */
  async sealMany<T>(
    docs: readonly T[],
    requests: readonly RequestValue[] = [],
    { sealedRequests: kept, erasedAmong: ids }: { sealedRequests?: SealedRequests; erasedAmong?: ReadonlySet<string> } = {},
  ): Promise<{ docs: Sealed<T>[]; requests: (SealedValue | null)[]; erased: Map<string, string | null> }> {
    const markers: Personal[] = [];
    // A document with nothing to seal (no marker, no sealed value of ours) goes on as it is: copying every event's
    // data cost a bulk import more than its sealing.
    const asItIs = docs.map((doc) => {
      const before = markers.length;
      let ours = false;
      walk(doc, null, (node, path) => {
        if (node instanceof Personal) {
          markers.push(node);
          return node;
        }
        if (minted.has(node as object)) {
          ours = true;
          return node;
        }
        if (isPlainObject(node) && Object.hasOwn(node, RESERVED)) {
          throw new InvalidPersonalDataError(`${shown(path)} holds the reserved key "${RESERVED}": mark personal data with personal() instead`);
        }
        return DESCEND;
      });
      return markers.length === before && !ours;
    });
    for (const r of requests) if (r.value !== null && typeof r.value !== 'string') throw new InvalidPersonalDataError('request metadata must be a string or null');
    // Each key is asked for once, however many values it seals (a batch's events repeat their subject and month).
    const asked: KeyRequest[] = [];
    // By subject, then scope: no key string made per value.
    const slots = new Map<string, Map<KeyScope, number>>();
    const ask = (subjectId: string, scope: KeyScope): number => {
      let ofSubject = slots.get(subjectId);
      if (!ofSubject) slots.set(subjectId, (ofSubject = new Map<KeyScope, number>()));
      let i = ofSubject.get(scope);
      if (i === undefined) {
        ofSubject.set(scope, (i = asked.length));
        asked.push({ subjectId, scope });
      }
      return i;
    };
    const markerKeys = markers.map((m) => ask(subjectIdOf(m.subjectId), DATA_SCOPE));
    // By UTC month (the scope's period): a bulk import's values each have their own time, and formatting a date per value
    // was a tenth of the sealing. A date that is no usable period throws at its first value, as before.
    const scopes = new Map<number, KeyScope>();
    const scopeOf = (date: Date): KeyScope => {
      const month = date.getUTCFullYear() * 12 + date.getUTCMonth();
      let scope = scopes.get(month);
      if (scope === undefined) {
        scope = requestScope(date);
        if (!Number.isNaN(month)) scopes.set(month, scope);
      }
      return scope;
    };
    // A batch's values name the same few subjects again and again: each id checked once.
    const subjects = new Map<string, string>();
    const subjectOf = (id: string): string => {
      let subject = subjects.get(id);
      if (subject === undefined) subjects.set(id, (subject = subjectIdOf(id)));
      return subject;
    };
    const requestKeys = requests.map((r) => (r.value === null ? -1 : ask(subjectOf(r.subjectId), scopeOf(r.occurredAt))));
    const { keys, erased } = asked.length || ids?.size ? await this.keys.lookUp(ids ?? [], asked) : { keys: [], erased: new Map<string, string | null>() };
    const keyOf = new Map(markers.map((m, i) => [m, keys[markerKeys[i]]]));
    const sealedDocs = docs.map((doc, i) =>
      asItIs[i]
        ? (doc as Sealed<T>)
        : (transform(doc, null, (node) => {
            if (node instanceof Personal) return encrypt(keyOf.get(node)!, node.value);
            return minted.has(node as object) ? mint({ ...(node as SealedValue) }) : DESCEND;
          }) as Sealed<T>),
    );
    // Request metadata repeats within a call (every event of one request carries its IP and user agent):
    // a value is sealed once per key and the sealed value shared, which tells nothing the events' correlation id does not.
    const sealedOnce = kept ?? new SealedRequests(Infinity);
    const sealedRequests = requests.map((r, i) => {
      if (r.value === null) return null;
      const key = keys[requestKeys[i]];
      const slot = `${key.keyId}|${r.value}`;
      const known = sealedOnce.get(slot);
      if (known) return known;
      const made = encrypt(key, r.value);
      sealedOnce.set(slot, made);
      return made;
    });
    return { docs: sealedDocs, requests: sealedRequests, erased };
  }

  /**
   * A keyed hash of `value` (an email, a username…) under a key derived from
   * the subject's data key: an index can find the subject's rows by the value
   * while the subject exists, and nothing can compute or match it once they
   * are erased (the key is gone: returns null). Equal values of two subjects
   * hash differently, so the hash says nothing across people.
   */
  async keyedHash(subjectId: string, value: string): Promise<string | null> {
    let key: DataKey;
    try {
      key = await this.keys.getOrCreateKey(subjectIdOf(subjectId), DATA_SCOPE);
    } catch (error) {
      if (error instanceof SubjectErasedError) return null;
      throw error;
    }
    const hashKey = Buffer.from(hkdfSync('sha256', key.key, Buffer.alloc(0), 'learnstream/keyed-hash/v1', 32));
    key.key.fill(0);
    return createHmac('sha256', hashKey).update(value, 'utf8').digest('hex');
  }

  /** Which of `ids` are erased subjects, with their erasures' anonymous ids (KeyStore.erasedAmong). */
  erasedAmong(ids: Iterable<string>): Promise<Map<string, string | null>> {
    return this.keys.erasedAmong(ids);
  }

  /** `doc` with every sealed value opened, or null (path listed in `erased`) where its key is gone. */
  async open<T = unknown>(doc: unknown): Promise<Opened<T>> {
    const [opened] = await this.openMany<T>([doc]);
    return opened;
  }

  /** Opens many documents; the keys not in cache are fetched in a single query. */
  async openMany<T = unknown>(docs: readonly unknown[]): Promise<Opened<T>[]> {
    const keyIds = new Set<string>();
    for (const doc of docs) {
      walk(doc, null, (node, path) => {
        const sealed = sealedAt(node, path);
        if (!sealed) return DESCEND;
        keyIds.add(sealed.k.toLowerCase());
        return node;
      });
    }
    const keys = keyIds.size > 0 ? await this.keys.findKeys(keyIds) : new Map<string, DataKey>();
    const plaintexts = new Map<string, string>();
    return docs.map((doc) => {
      const erased: string[] = [];
      const opened = transform(doc, null, (node, path) => {
        const sealed = sealedAt(node, path);
        if (!sealed) return DESCEND;
        const key = keys.get(sealed.k.toLowerCase());
        if (key) return decrypt(key, sealed, path, plaintexts);
        erased.push(shown(path));
        return null;
      });
      return { doc: opened as T, erased };
    });
  }
}
