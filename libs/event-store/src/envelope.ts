/**
 * The event envelope (DESIGN.md): every event, a domain change or a read, carries
 * the fields of a Moodle log row so that any report can be built from the log alone.
 * Clear fields hold opaque ids only; `ip` and `userAgent` are personal data and
 * are encrypted at rest under the per-month request key of whoever sent the
 * request: the actor, or the staff member behind an impersonated session
 * (realActorId), whose metadata it is.
 */
import { isIP } from 'node:net';
import { isUuid } from '@learnstream/domain';

export type Crud = 'c' | 'r' | 'u' | 'd';
export type Origin = 'web' | 'ws' | 'cli' | 'import' | 'system';
export const ORIGINS: readonly Origin[] = ['web', 'ws', 'cli', 'import', 'system'];

export interface ObjectRef {
  type: string;
  id: string;
}

export interface EventEnvelope {
  /** ISO-8601 UTC, set by the server. */
  occurredAt: string;
  /** Who did it; null for an anonymous caller or the system. */
  actorId: string | null;
  /** The staff member behind an impersonated session, else null. */
  realActorId: string | null;
  courseId: string | null;
  /** The tenant the action belongs to. */
  schoolId: string | null;
  /** Verb: viewed, created, updated, deleted, submitted, graded, enrolled, … */
  action: string;
  crud: Crud;
  object: ObjectRef | null;
  /** The user affected (the learner graded, enrolled, …). */
  relatedUserId: string | null;
  ip: string | null;
  userAgent: string | null;
  origin: Origin;
  correlationId: string;
  causationId: string | null;
  /** Version of this event type's `data` schema when it was written. */
  schemaVersion: number;
}

/** What a writer gives: the server fills in occurredAt and schemaVersion. */
export type EnvelopeInput = Omit<EventEnvelope, 'occurredAt' | 'schemaVersion'> & { occurredAt?: string };

/** The subject whose request keys encrypt IPs of callers who are not signed in. */
export const ANONYMOUS_SUBJECT = '00000000-0000-0000-0000-000000000000';

const EVENT_TYPE = /^[A-Z][A-Za-z0-9]{1,99}$/;
const VERB = /^[a-z][a-z_]{1,49}$/;
const OBJECT_TYPE = /^[a-z][a-z_]{1,49}$/;
/** Request ids and correlation ids: an opaque token, never free text (it is stored in clear). */
const CORRELATION = /^[A-Za-z0-9._:-]{1,100}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const STREAM_CATEGORY = /^[a-z][a-z0-9_]{0,49}$/;

/**
 * Streams are `<category>-<uuid>`, so that EventStoreDB category projections work;
 * the UUID in lower case, so that one stream never has two names.
 */
export function isStreamId(id: string): boolean {
  const cut = id.indexOf('-');
  const uuid = id.slice(cut + 1);
  return cut > 0 && STREAM_CATEGORY.test(id.slice(0, cut)) && isUuid(uuid) && uuid === uuid.toLowerCase();
}

export function streamId(category: string, id: string): string {
  return `${category}-${id}`;
}

/**
 * A person's activity stream: their reads and client-side actions (CourseViewed,
 * GradesViewed, PersonalDataAccessed, …). Ids are lower-cased: stream ids are.
 */
export function activityStream(userId: string): string {
  return `activity-${userId.toLowerCase()}`;
}

export function validateEventType(type: unknown): string[] {
  return typeof type === 'string' && EVENT_TYPE.test(type) ? [] : ['type must be PascalCase, e.g. CourseViewed'];
}

/** Every field of the envelope, in order: nothing else may travel in clear metadata. */
export const ENVELOPE_FIELDS = [
  'occurredAt', 'actorId', 'realActorId', 'courseId', 'schoolId', 'action', 'crud', 'object',
  'relatedUserId', 'ip', 'userAgent', 'origin', 'correlationId', 'causationId', 'schemaVersion',
] as const satisfies readonly (keyof EventEnvelope)[];

const FIELD_SET: ReadonlySet<string> = new Set(ENVELOPE_FIELDS);
const CRUDS: ReadonlySet<unknown> = new Set(['c', 'r', 'u', 'd']);
const ORIGIN_SET: ReadonlySet<unknown> = new Set(ORIGINS);
type IdField = 'actorId' | 'realActorId' | 'courseId' | 'schoolId' | 'relatedUserId' | 'causationId';

/**
 * Values one validation pass has already found valid, by kind: the envelopes
 * of a batch repeat their actor, course, school, time, IP, user agent and
 * correlation id, each checked once (a regular expression or a parse per
 * value and event was most of an append's validation).
 */
export interface EnvelopeMemo {
  uuids: Set<string>;
  instants: Set<string>;
  ips: Set<string>;
  correlations: Set<string>;
}

export const envelopeMemo = (): EnvelopeMemo => ({ uuids: new Set(), instants: new Set(), ips: new Set(), correlations: new Set() });

/** Whether `value` is a string that `ok` accepts, asked once per distinct value of `seen`. */
function valid(seen: Set<string>, value: unknown, ok: (value: string) => boolean): boolean {
  if (typeof value !== 'string') return false;
  if (seen.has(value)) return true;
  if (!ok(value)) return false;
  seen.add(value);
  return true;
}

const isInstantText = (v: string) => ISO_UTC.test(v) && !Number.isNaN(Date.parse(v));
const isAddress = (v: string) => isIP(v) !== 0;
const isCorrelation = (v: string) => CORRELATION.test(v);

/**
 * The full envelope of `input`, with its time and schema version. Made field by field when `input` is a plain object
 * of envelope fields only (what every writer gives): a copy by spread was an object that V8 keeps with slow
 * properties, about 1.2 µs to make and then every read of it slow (validateEnvelope on it took 4.5 µs instead of
 * 0.8-1.3 µs: bench:import has one envelope per row). Anything else is copied as it is (its unknown fields are reported).
 */
export function fullEnvelope(input: EnvelopeInput, occurredAt: string, schemaVersion: number): EventEnvelope {
  if (onlyEnvelopeFields(input)) {
    return {
      occurredAt, actorId: input.actorId, realActorId: input.realActorId, courseId: input.courseId, schoolId: input.schoolId,
      action: input.action, crud: input.crud, object: input.object, relatedUserId: input.relatedUserId, ip: input.ip,
      userAgent: input.userAgent, origin: input.origin, correlationId: input.correlationId, causationId: input.causationId,
      schemaVersion,
    };
  }
  return { ...input, occurredAt, schemaVersion };
}

/**
 * A plain object whose keys are envelope fields only, none of them undefined: counted by name (Object.prototype has
 * none of them), as many keys as that means none is unknown.
 */
export function onlyEnvelopeFields(value: object): boolean {
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  const e = value as Partial<EventEnvelope>;
  let given = 0;
  for (const field of [e.occurredAt, e.actorId, e.realActorId, e.courseId, e.schoolId, e.action, e.crud, e.object, e.relatedUserId, e.ip, e.userAgent, e.origin, e.correlationId, e.causationId, e.schemaVersion]) {
    if (field !== undefined) given++;
  }
  return given === Object.keys(e).length;
}

/** Problems with an envelope, as readable sentences; empty when it is valid. `memo`: shared by the envelopes of one batch. */
export function validateEnvelope(e: Partial<EventEnvelope>, memo: EnvelopeMemo = envelopeMemo()): string[] {
  const problems: string[] = [];
  const fields = e as Record<string, unknown>;
  let unknown: string[] | null = null;
  for (const k of Object.keys(e)) if (!FIELD_SET.has(k)) (unknown ??= []).push(k);
  if (unknown) problems.push(`unknown envelope fields: ${unknown.join(', ')} (the envelope is stored in clear: personal data goes in data, sealed)`);
  let missing: string[] | null = null;
  for (const k of ENVELOPE_FIELDS) if (fields[k] === undefined) (missing ??= []).push(k);
  if (missing) problems.push(`missing envelope fields: ${missing.join(', ')} (use null for none)`);
  if (!valid(memo.instants, e.occurredAt, isInstantText)) problems.push('occurredAt must be an ISO-8601 UTC timestamp');
  // The ids read by name (a loop over their names read each by key: slower).
  const id = (field: IdField, value: unknown) => {
    if (value !== undefined && value !== null && !valid(memo.uuids, value, isUuid)) problems.push(`${field} must be a UUID or null`);
  };
  id('actorId', e.actorId);
  id('realActorId', e.realActorId);
  id('courseId', e.courseId);
  id('schoolId', e.schoolId);
  id('relatedUserId', e.relatedUserId);
  id('causationId', e.causationId);
  if (e.realActorId && !e.actorId) problems.push('realActorId needs an actorId (the impersonated user)');
  if (typeof e.action !== 'string' || !VERB.test(e.action)) problems.push('action must be a lower-case verb, e.g. viewed');
  if (!CRUDS.has(e.crud)) problems.push('crud must be one of c, r, u, d');
  if (e.object !== null && e.object !== undefined) {
    const o = e.object as Partial<ObjectRef>;
    let other = false;
    if (typeof o === 'object') for (const k of Object.keys(o)) other ||= k !== 'type' && k !== 'id';
    if (typeof o !== 'object' || other || typeof o.type !== 'string' || !OBJECT_TYPE.test(o.type) || !valid(memo.uuids, o.id, isUuid)) {
      problems.push('object must be null or { type: lower-case word, id: UUID }');
    }
  }
  if (e.ip != null && !valid(memo.ips, e.ip, isAddress)) problems.push('ip must be an IPv4 or IPv6 address or null');
  if (e.userAgent != null && (typeof e.userAgent !== 'string' || e.userAgent.length > 1000)) problems.push('userAgent must be a string of at most 1000 characters or null');
  if (!ORIGIN_SET.has(e.origin)) problems.push(`origin must be one of ${ORIGINS.join(', ')}`);
  if (!valid(memo.correlations, e.correlationId, isCorrelation)) problems.push('correlationId must be 1 to 100 of A-Z a-z 0-9 . _ : -');
  if (!Number.isInteger(e.schemaVersion) || (e.schemaVersion as number) < 1) problems.push('schemaVersion must be a whole number from 1');
  return problems;
}
