/**
 * The body of POST /api/v1/activity, checked item by item: one item, or
 * `{ "events": [ …up to maxItems ] }`. Every problem is reported with the
 * item's index and field, and a batch with any problem is refused whole.
 * Pure: what needs the read models (is the resource in the course, of the
 * right kind) is checked by the command handler.
 */
import { isInstant, isUuid } from '@learnstream/domain';
import { ACTIVITY_VOCABULARY, MAX_SECONDS, type ActionDefinition } from './activity.events';

export interface ActivityItem {
  /** The client's event id (UUID, lower-cased): the event's id in the log, so a retried item is not counted twice. */
  id: string;
  type: string;
  courseId: string;
  resourceId?: string;
  positionSeconds?: number;
  durationSeconds?: number;
  seconds?: number;
  /** History (the import permission): when it happened; absent: now. */
  occurredAt?: string;
  /** An import recording a learner's activity: whose it is (the import permission). */
  learnerId?: string;
}

export interface ItemProblem {
  /** Position of the item in `events` (0 for a single item). */
  index: number;
  field: string;
  message: string;
}

export type Parsed = { ok: true; items: ActivityItem[]; definitions: ActionDefinition[] } | { ok: false; message: string; details: ItemProblem[] };

/** Each type with what its items are checked against, worked out once. */
const BY_TYPE = new Map(
  ACTIVITY_VOCABULARY.map((definition) => [
    definition.type,
    { definition, fields: Object.entries(definition.fields), allowed: new Set(['id', 'type', 'courseId', 'occurredAt', 'learnerId', ...Object.keys(definition.fields)]) },
  ]),
);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseActivityBody(body: unknown, maxItems: number): Parsed {
  if (!isObject(body)) return { ok: false, message: 'the body must be one activity item or { "events": [...] }', details: [] };
  const batch = 'events' in body;
  if (batch) {
    const extra = Object.keys(body).filter((k) => k !== 'events');
    if (extra.length) return { ok: false, message: 'a batch has only "events"', details: extra.map((field) => ({ index: -1, field, message: 'is not a field of a batch' })) };
    if (!Array.isArray(body.events)) return { ok: false, message: '"events" must be an array', details: [] };
    if (body.events.length === 0) return { ok: false, message: '"events" is empty', details: [] };
    if (body.events.length > maxItems) return { ok: false, message: `a batch holds at most ${maxItems} events, got ${body.events.length}`, details: [] };
  }
  const raw: unknown[] = batch ? (body.events as unknown[]) : [body];
  const details: ItemProblem[] = [];
  const items: ActivityItem[] = [];
  const definitions: ActionDefinition[] = [];
  const seen = new Map<string, number>();
  // The items of a batch name the same course and resources again and again: each string is checked and lower-cased once.
  const uuids = new Map<string, string | null>();
  const uuidOf = (v: unknown): string | null => {
    if (typeof v !== 'string') return null;
    let id = uuids.get(v);
    if (id === undefined) uuids.set(v, (id = isUuid(v) ? v.toLowerCase() : null));
    return id;
  };
  raw.forEach((value, index) => {
    const problem = (field: string, message: string) => details.push({ index, field, message });
    if (!isObject(value)) return problem('', 'must be an object');
    const type = typeof value.type === 'string' ? BY_TYPE.get(value.type) : undefined;
    if (!type) return problem('type', `must be one of ${[...BY_TYPE.keys()].join(', ')}`);
    const { definition, fields, allowed } = type;
    const before = details.length;
    const id = isUuid(value.id) ? value.id.toLowerCase() : null;
    if (!id) problem('id', 'must be a UUID chosen by the client (the same on a retry)');
    else if (seen.has(id)) problem('id', `repeats the id of item ${seen.get(id)}`);
    else seen.set(id, index);
    const courseId = uuidOf(value.courseId);
    if (courseId === null) problem('courseId', 'must be a UUID');
    const item: ActivityItem = { id: id ?? '', type: definition.type, courseId: courseId ?? String(value.courseId).toLowerCase() };
    for (const [field, kind] of fields) {
      const v = value[field];
      if (kind === 'uuid') {
        const uuid = uuidOf(v);
        if (uuid === null) problem(field, 'must be a UUID');
        else (item as unknown as Record<string, unknown>)[field] = uuid;
      } else {
        const ok = typeof v === 'number' && Number.isFinite(v) && v <= MAX_SECONDS && (kind === 'seconds' ? v >= 0 : v > 0);
        if (!ok) problem(field, `must be a number of seconds, ${kind === 'seconds' ? 'from 0' : 'above 0'} to ${MAX_SECONDS}`);
        else (item as unknown as Record<string, unknown>)[field] = v;
      }
    }
    if (item.positionSeconds !== undefined && item.durationSeconds !== undefined && item.positionSeconds > item.durationSeconds) {
      problem('positionSeconds', 'must not be past durationSeconds');
    }
    if (value.occurredAt !== undefined) {
      if (!isInstant(value.occurredAt)) problem('occurredAt', 'must be an ISO-8601 UTC timestamp');
      else item.occurredAt = new Date(value.occurredAt).toISOString();
    }
    if (value.learnerId !== undefined) {
      if (!isUuid(value.learnerId)) problem('learnerId', 'must be a UUID');
      else item.learnerId = value.learnerId.toLowerCase();
    }
    for (const field of Object.keys(value)) if (!allowed.has(field)) problem(field, `is not a field of ${definition.type}`);
    if (details.length === before) {
      items.push(item);
      definitions.push(definition);
    }
  });
  if (details.length) return { ok: false, message: batch ? `${new Set(details.map((d) => d.index)).size} of ${raw.length} events are not valid: nothing was recorded` : 'the event is not valid', details };
  return { ok: true, items, definitions };
}
