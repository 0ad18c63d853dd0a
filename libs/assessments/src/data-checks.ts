/**
 * Small composable checks of event data, used by the event type validators
 * (the registry refuses an event whose data does not fit) and by the deciders
 * for their 'invalid' errors, so both speak the same sentences.
 *
 * Objects are closed: an unexpected field is a problem, because event data is
 * stored in clear and a stray field could carry personal data past the cipher.
 */
import { Personal } from '@learnstream/personal-data';

/** Problems with `value`, as sentences naming `path`; empty when it fits. */
export type Check = (value: unknown, path: string) => string[];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Skill and topic tags: lower-case words joined by hyphens (`fractions`, `word-problems`). */
const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);
export const isInstant = (v: unknown): v is string => typeof v === 'string' && ISO_UTC.test(v) && !Number.isNaN(Date.parse(v));
export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A calendar date that exists (2024-02-30 does not). */
export function isCalendarDate(v: unknown): v is string {
  const m = typeof v === 'string' ? DATE.exec(v) : null;
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === v;
}

const where = (path: string) => path || 'data';

export const simple =
  (expected: string, ok: (v: unknown) => boolean): Check =>
  (v, path) =>
    ok(v) ? [] : [`${where(path)} must be ${expected}`];

export const uuid = simple('a UUID', isUuid);
export const instant = simple('an ISO-8601 UTC timestamp', isInstant);
export const calendarDate = simple('a date YYYY-MM-DD', isCalendarDate);
export const bool = simple('true or false', (v) => typeof v === 'boolean');
export const finiteNumber = simple('a finite number', (v) => typeof v === 'number' && Number.isFinite(v));
export const nonNegativeNumber = simple('a number ≥ 0', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);
export const positiveNumber = simple('a number > 0', (v) => typeof v === 'number' && Number.isFinite(v) && v > 0);
export const wholeNumber = simple('an integer ≥ 0', (v) => Number.isSafeInteger(v) && (v as number) >= 0);
export const positiveInteger = simple('an integer ≥ 1', (v) => Number.isSafeInteger(v) && (v as number) >= 1);
export const slug = simple('a lower-case slug of at most 50 characters (a-z, 0-9, hyphens)', (v) => typeof v === 'string' && v.length <= 50 && SLUG.test(v));

/** Text written by staff (titles, questions, instructions): not personal data, stored in clear. */
export const text = (max: number) =>
  simple(`a non-blank text of at most ${max} characters`, (v) => typeof v === 'string' && v.trim() !== '' && v.length <= max);

export const oneOf = (...values: readonly unknown[]) => simple(`one of ${values.join(', ')}`, (v) => values.includes(v));

/** Personal data as the handler hands it to the log: wrapped with `personal()`, never clear. */
export const personalValue = simple('personal data wrapped with personal(subjectId, value), never clear', (v) => v instanceof Personal);

export const nullable =
  (check: Check): Check =>
  (v, path) =>
    v === null ? [] : check(v, path);

export const arrayOf =
  (item: Check, min: number, max: number, { unique = false } = {}): Check =>
  (v, path) => {
    if (!Array.isArray(v) || v.length < min || v.length > max) return [`${where(path)} must be a list of ${min} to ${max} items`];
    const problems = v.flatMap((x, i) => item(x, `${path}[${i}]`));
    if (unique && new Set(v).size !== v.length) problems.push(`${where(path)} must not repeat an item`);
    return problems;
  };

/** A closed object: every listed field fits and no other field is present. */
export const object =
  (fields: Record<string, Check>): Check =>
  (v, path) => {
    if (!isPlainObject(v)) return [`${where(path)} must be an object`];
    const prefix = path ? `${path}.` : '';
    const extra = Object.keys(v).filter((k) => !Object.hasOwn(fields, k));
    const problems = extra.length ? [`${where(path)} has unexpected fields: ${extra.join(', ')}`] : [];
    for (const [key, check] of Object.entries(fields)) problems.push(...check(v[key], `${prefix}${key}`));
    return problems;
  };

/** Some of the listed fields (at least one), each fitting: the `changes` of an update event. */
export const someOf =
  (fields: Record<string, Check>): Check =>
  (v, path) => {
    if (!isPlainObject(v) || Object.keys(v).length === 0) return [`${where(path)} must be an object with at least one field`];
    const extra = Object.keys(v).filter((k) => !Object.hasOwn(fields, k));
    if (extra.length) return [`${where(path)} has unexpected fields: ${extra.join(', ')}`];
    return Object.entries(v).flatMap(([k, value]) => fields[k](value, `${path}.${k}`));
  };

/** The event registry's validator for a data shape. */
export const validator =
  (check: Check) =>
  (data: Record<string, unknown>): string[] =>
    check(data, '');

/**
 * The value inside a `personal()` marker, or the value itself: a decider may
 * receive a personal field wrapped by the handler or clear, checks its content
 * either way, and passes on what it received.
 */
export const clearValueOf = (v: unknown): unknown => (v instanceof Personal ? v.value : v);

/** Milliseconds since the epoch of an ISO timestamp (commands carry time as ISO strings). */
export const ms = (iso: string) => Date.parse(iso);
