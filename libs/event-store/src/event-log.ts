/**
 * The typed, privacy-aware face of the event store that features use:
 * validates the envelope and the data on append, encrypts personal data per
 * data subject, and on read decrypts (erased values read back as null) and
 * upcasts old schema versions.
 */
import { randomUUID } from 'node:crypto';
import { Personal, type PersonalDataCipher, type RequestValue, type SealedRequests } from '@learnstream/personal-data';
import { isUuid, systemClock, type Clock } from '@learnstream/domain';
import { ANONYMOUS_SUBJECT, ENVELOPE_FIELDS, envelopeMemo, fullEnvelope, isStreamId, validateEnvelope, validateEventType, type EnvelopeInput, type EnvelopeMemo, type EventEnvelope } from './envelope';
import { InvalidEventError } from './errors';
import type { EventRegistry, EventTypeDefinition } from './event-registry';
import { comparePositions, type AppendResult, type EventStore, EventToAppend, type ExpectedRevision, type Position, type ReadStreamOptions, type RecordedEvent } from './event-store';

export interface NewEvent<Type extends string = string, Data extends Record<string, unknown> = Record<string, unknown>> {
  id?: string;
  type: Type;
  /** Personal values are wrapped with `personal(subjectId, value)` from @learnstream/personal-data. */
  data: Data;
  /** occurredAt is set by the server when absent; importers of past logs (Moodle, xAPI) give it. */
  envelope: EnvelopeInput;
}

export interface StoredEvent<Type extends string = string, Data extends Record<string, unknown> = Record<string, unknown>> {
  id: string;
  type: Type;
  streamId: string;
  revision: bigint;
  position: Position;
  data: Data;
  envelope: EventEnvelope;
  recordedAt: Date;
  /** JSON paths of personal values whose keys are destroyed; they read back as null. */
  erased: string[];
}

/** One stream's part of an atomic multi-stream append (`EventLog.appendBatch`). */
export interface NewAppend {
  streamId: string;
  events: NewEvent[];
  expectedRevision: ExpectedRevision;
}

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
}

export interface AppendBatchOptions {
  /** Request metadata sealed by the caller's earlier appends, reused for equal values under the same key (a bulk import's). */
  sealedRequests?: SealedRequests;
}

/** A copy of `doc` with every personal() marker replaced by its clear value, as a decrypting read would give it. */
function reveal(doc: unknown): unknown {
  if (doc instanceof Personal) return JSON.parse(JSON.stringify({ v: doc.value })).v;
  if (Array.isArray(doc)) return doc.map(reveal);
  if (doc !== null && typeof doc === 'object' && !(doc instanceof Date)) return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, reveal(v)]));
  return doc instanceof Date ? doc.toISOString() : doc;
}

/**
 * Every UUID string in plain objects and arrays (lower case), passed to `found`; personal() values are not looked into.
 * `seen` remembers each string's answer (a batch's events name the same course and resource again and again).
 */
function uuidsIn(node: unknown, seen: Map<string, string | null>, found: (id: string) => void): void {
  if (typeof node === 'string') {
    let id = seen.get(node);
    if (id === undefined) seen.set(node, (id = isUuid(node) ? node.toLowerCase() : null));
    if (id !== null) found(id);
  } else if (Array.isArray(node)) for (const v of node) uuidsIn(v, seen, found);
  else if (node !== null && typeof node === 'object' && Object.getPrototypeOf(node) === Object.prototype) for (const v of Object.values(node)) uuidsIn(v, seen, found);
}

/** `node` with every erased id replaced by its anonymous id (nil UUID for an erasure without one). */
function replaceErased(node: unknown, erased: Map<string, string | null>): unknown {
  if (typeof node === 'string') return isUuid(node) && erased.has(node.toLowerCase()) ? (erased.get(node.toLowerCase()) ?? NIL_UUID) : node;
  if (Array.isArray(node)) return node.map((v) => replaceErased(v, erased));
  if (node !== null && typeof node === 'object' && Object.getPrototypeOf(node) === Object.prototype) {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, replaceErased(v, erased)]));
  }
  return node;
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** A read event with the erased people it names replaced by their anonymous ids; other events as they are. */
function withoutErased(event: NewEvent, erased: Map<string, string | null>): NewEvent {
  if (!erased.size || event.envelope.crud !== 'r') return event;
  const { relatedUserId, object } = event.envelope;
  return {
    ...event,
    data: replaceErased(event.data, erased) as Record<string, unknown>,
    envelope: {
      ...event.envelope,
      relatedUserId: relatedUserId == null ? relatedUserId : (replaceErased(relatedUserId, erased) as string),
      object: object == null ? object : { ...object, id: replaceErased(object.id, erased) as string },
    },
  };
}

/** An envelope object checked for an event type. */
interface CheckedEnvelope {
  type: string;
  envelope: EventEnvelope;
  problems: string[];
  definition: EventTypeDefinition | undefined;
  /** The same envelope object checked for other event types (rare: most envelope objects serve one type). */
  others: Map<string, CheckedEnvelope> | null;
}

/**
 * Envelope objects already checked in one encode(), by object and event type. One entry per object, not a map per
 * object: a bulk import's events each have their own envelope (their own time), and a Map per event was garbage.
 */
type ValidatedEnvelopes = Map<EnvelopeInput, CheckedEnvelope>;

/** Event types already looked up in one encode(): their definition and the problems of the type's name. */
type TypesChecked = Map<string, { definition: EventTypeDefinition | undefined; problems: string[] }>;

export class EventLog {
  /**
   * The clear form of what this log sealed for appending, by the sealed data
   * object: the inline read models, applied inside the append's transaction,
   * read it without asking the key store (whose connection they must not wait for).
   */
  private readonly clear = new WeakMap<object, { source: Record<string, unknown>; envelope: EventEnvelope }>();

  /**
   * Called after every append with its event types and last position: where
   * the inline read models cannot be written in the append's transaction
   * (EventStoreDB), this waits until they have applied it.
   */
  readYourWrites: ((types: Set<string>, position: Position) => Promise<void>) | null = null;

  constructor(
    readonly store: EventStore,
    private readonly cipher: PersonalDataCipher,
    readonly registry: EventRegistry,
    private readonly clock: Clock = systemClock,
  ) {}

  async append(streamId: string, events: NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const [result] = await this.appendBatch([{ streamId, events, expectedRevision: options.expectedRevision ?? 'any' }]);
    return result;
  }

  /** Appends to several streams atomically, after every event has passed validation. */
  async appendBatch(requests: readonly NewAppend[], { sealedRequests }: AppendBatchOptions = {}): Promise<AppendResult[]> {
    for (const r of requests) if (!isStreamId(r.streamId)) throw new InvalidEventError(`stream id "${r.streamId}" is not <category>-<uuid>`);
    const events = requests.flatMap((r) => r.events);
    // Every event of the batch is sealed with one call for its keys (a bulk upload of new accounts needs one per account),
    // which also checks the ids its reads name for erasures. A read that names an erased person is encoded again,
    // with their anonymous id (withoutErased does not touch personal() values: the keys asked are the same).
    const first = await this.encode(events, sealedRequests, this.namedByReads(events));
    const { erased } = first;
    const encoded = erased.size ? (await this.encode(events.map((e) => withoutErased(e, erased)), sealedRequests)).encoded : first.encoded;
    let next = 0;
    const prepared = requests.map((r) => ({ streamId: r.streamId, expectedRevision: r.expectedRevision, events: r.events.map(() => encoded[next++]) }));
    const results = await this.store.appendBatch(prepared);
    if (this.readYourWrites && results.length) {
      const last = results.map((r) => r.position).reduce((a, b) => (comparePositions(a, b) >= 0 ? a : b));
      await this.readYourWrites(new Set(requests.flatMap((r) => r.events.map((e) => e.type))), last);
    }
    return results;
  }

  /**
   * Reads never write a real id of an erased person: a read (crud 'r') asked
   * by an erased person's old id (a log filtered on it, their profile or grades
   * asked for) would otherwise put that id back into the log and, through the
   * projections, into new rows (course log, access log, timeline, subject
   * index). The ids such events name, other than their actor's, are checked
   * against the erasure ledger (in the key-store call that seals the batch);
   * erased ones are replaced by their erasure's anonymous id (withoutErased).
   */
  private namedByReads(events: NewEvent[]): Set<string> {
    const ids = new Set<string>();
    const seen = new Map<string, string | null>();
    for (const e of events) {
      if (e.envelope.crud !== 'r') continue;
      const actor = e.envelope.actorId?.toLowerCase();
      const realActor = e.envelope.realActorId?.toLowerCase();
      const named = (id: string) => {
        if (id !== actor && id !== realActor) ids.add(id);
      };
      uuidsIn(e.data, seen, named);
      uuidsIn(e.envelope.relatedUserId, seen, named);
      uuidsIn(e.envelope.object?.id, seen, named);
    }
    return ids;
  }

  /**
   * Validates the events, then seals their personal data and request metadata (one key-store call for all).
   * The events of one call are appended together: those without a time get the same one. Events that share
   * an envelope object (a batch's items alike in all but their data) and type share their validated envelope
   * and their metadata object too: checked, sealed and sent once (AppendBatcher sends a metadata object once).
   */
  private async encode(events: NewEvent[], sealedRequests?: SealedRequests, erasedAmong?: Set<string>): Promise<{ encoded: EventToAppend[]; erased: Map<string, string | null> }> {
    let now: string | undefined;
    const clock = () => (now ??= this.clock.nowIso());
    const memo = envelopeMemo();
    const validatedEnvelopes: ValidatedEnvelopes = new Map();
    const types: TypesChecked = new Map();
    const envelopes = events.map((event) => this.validated(event, clock, memo, validatedEnvelopes, types));
    const distinct = [...new Set(envelopes)];
    // The request's IP and user agent are the person's who sent it: under impersonation the staff
    // member's (sealed under their key, so the support trail outlives the impersonated person's erasure).
    const dates = new Map<string, Date>();
    const requestValues: RequestValue[] = [];
    for (const envelope of distinct) {
      const subjectId = envelope.realActorId ?? envelope.actorId ?? ANONYMOUS_SUBJECT;
      let occurredAt = dates.get(envelope.occurredAt);
      if (!occurredAt) dates.set(envelope.occurredAt, (occurredAt = new Date(envelope.occurredAt)));
      requestValues.push({ subjectId, occurredAt, value: envelope.ip }, { subjectId, occurredAt, value: envelope.userAgent });
    }
    const sealed = await this.cipher.sealMany(
      events.map((e) => e.data),
      requestValues,
      { sealedRequests, erasedAmong },
    );
    const metadataOf = new Map<EventEnvelope, Record<string, unknown>>();
    distinct.forEach((envelope, j) => {
      // Only the envelope's own fields reach the clear metadata, named one by one (a literal: an object built key by key
      // from a list of names was slow to make and to read, one per row of a bulk import).
      const { occurredAt, actorId, realActorId, courseId, schoolId, action, crud, object, relatedUserId, origin, correlationId, causationId, schemaVersion } = envelope;
      const ip = sealed.requests[2 * j];
      const userAgent = sealed.requests[2 * j + 1];
      metadataOf.set(envelope, { occurredAt, actorId, realActorId, courseId, schoolId, action, crud, object, relatedUserId, ip, userAgent, origin, correlationId, causationId, schemaVersion } satisfies Record<(typeof ENVELOPE_FIELDS)[number], unknown>);
    });
    const encoded = events.map((event, i) => {
      const envelope = envelopes[i];
      const data = sealed.docs[i];
      // The clear form is made only if an inline read model asks for it (most appends, a bulk import's, touch none).
      this.clear.set(data, { source: event.data, envelope });
      return { id: event.id ?? randomUUID(), type: event.type, data, metadata: metadataOf.get(envelope)! };
    });
    return { encoded, erased: sealed.erased };
  }

  /** The event's full envelope, or InvalidEventError with every problem of the event; an envelope object is checked once per type. */
  private validated(event: NewEvent, now: () => string, memo: EnvelopeMemo, seen: ValidatedEnvelopes, types: TypesChecked): EventEnvelope {
    const first = seen.get(event.envelope);
    let checked = first && (first.type === event.type ? first : first.others?.get(event.type));
    if (!checked) {
      // The type once per call (a bulk import's events each have their own envelope, of a few types).
      let type = types.get(event.type);
      if (!type) {
        const definition = this.registry.get(event.type);
        const problems = validateEventType(event.type);
        if (!definition) problems.push(`unknown event type ${event.type}`);
        types.set(event.type, (type = { definition, problems }));
      }
      const { definition } = type;
      const problems = [...type.problems];
      const envelope = fullEnvelope(event.envelope, event.envelope.occurredAt ?? now(), definition?.version ?? 1);
      problems.push(...validateEnvelope(envelope, memo));
      checked = { type: event.type, envelope, problems, definition, others: null };
      if (!first) seen.set(event.envelope, checked);
      else (first.others ??= new Map()).set(event.type, checked);
    }
    const dataProblems =
      typeof event.data !== 'object' || event.data === null || Array.isArray(event.data) ? ['data must be an object'] : checked.definition?.validate?.(event.data);
    if (checked.problems.length || dataProblems?.length) throw new InvalidEventError(`invalid ${event.type} event`, [...checked.problems, ...(dataProblems ?? [])]);
    return checked.envelope;
  }

  /**
   * Events just appended, decoded for the inline read models: those this log
   * sealed come back from their clear form (no key store involved), others
   * (appended by a raw writer) are decrypted as usual.
   */
  async decodeAppended(records: RecordedEvent[]): Promise<StoredEvent[]> {
    const others = records.filter((r) => !this.clear.has(r.data));
    const opened = new Map<RecordedEvent, StoredEvent>();
    if (others.length) (await this.decode(others)).forEach((e, i) => opened.set(others[i], e));
    return records.map((record) => {
      const known = this.clear.get(record.data);
      if (!known) return opened.get(record)!;
      return { ...this.stored(record, reveal(known.source) as Record<string, unknown>, known.envelope as unknown as Record<string, unknown>, []) };
    });
  }

  /** Decrypts and upcasts raw events: keys are fetched once for the whole batch. */
  async decode(records: RecordedEvent[]): Promise<StoredEvent[]> {
    const opened = await this.cipher.openMany<{ data: Record<string, unknown>; metadata: Record<string, unknown> }>(records.map((r) => ({ data: r.data, metadata: r.metadata })));
    return records.map((record, i) => {
      const { doc, erased } = opened[i];
      return this.stored(record, doc.data, doc.metadata, erased.map((path) => path.replace(/^metadata\./, 'envelope.')));
    });
  }

  /**
   * Upcasts raw events without decrypting them: personal values stay sealed
   * blobs and `ip`/`userAgent` stay sealed. For readers of clear fields only
   * (ids, the envelope), which then skip the key store entirely.
   */
  decodeSealed(records: RecordedEvent[]): StoredEvent[] {
    return records.map((record) => this.stored(record, record.data as Record<string, unknown>, record.metadata as Record<string, unknown>, []));
  }

  private stored(record: RecordedEvent, data: Record<string, unknown>, rawMetadata: Record<string, unknown>, erased: string[]): StoredEvent {
    const metadata = rawMetadata as unknown as EventEnvelope;
    const upcast = this.registry.upcast(record.type, Number(metadata.schemaVersion ?? 1), data);
    return {
      id: record.id,
      type: record.type,
      streamId: record.streamId,
      revision: record.revision,
      position: record.position,
      data: upcast.data,
      envelope: { ...metadata, schemaVersion: upcast.version },
      recordedAt: record.recordedAt,
      erased,
    };
  }

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<StoredEvent> {
    let page: RecordedEvent[] = [];
    for await (const record of this.store.readStream(streamId, options)) {
      page.push(record);
      if (page.length === 200) {
        yield* await this.decode(page);
        page = [];
      }
    }
    if (page.length) yield* await this.decode(page);
  }

  /** Reads a stream and folds it into state with `evolve`: the aggregate's current state and revision. */
  async aggregate<S>(streamId: string, initial: S, evolve: (state: S, event: StoredEvent) => S): Promise<{ state: S; revision: bigint | null }> {
    let state = initial;
    let revision: bigint | null = null;
    for await (const event of this.readStream(streamId)) {
      state = evolve(state, event);
      revision = event.revision;
    }
    return { state, revision };
  }
}
