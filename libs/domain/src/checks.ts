/**
 * The one validation toolkit for event data (the registry's `validate`) and the
 * plain values deciders check: small composable checks that return readable
 * sentences. A feature builds its event validators from these
 * (`eventType('CourseCreated', { courseId: uuid, title: text(200), ... })`) and
 * adds only what is its own (a school code, a slug).
 *
 * Ids are checked by the `uuid` package (RFC 9562 form, either case): this
 * file is the only UUID check in the code.
 */
import { validate as validateUuid } from 'uuid';

/** Problems with `value`, as sentences naming `path`; empty when it fits. */
export type Check = (value: unknown, path: string) => string[];

/** The fields of an object and the check of each. */
export type Shape = Record<string, Check>;

/** What the event registry needs of an event type (structurally an `EventTypeDefinition`). */
export interface CheckedEventType {
  type: string;
  version: number;
  validate: (data: Record<string, unknown>) => string[];
}

/** The same instant format as the envelope's `occurredAt`: ISO-8601 in UTC. */
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?Z$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const daysIn = (year: number, month: number): number | undefined => {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
};
const realDay = (m: RegExpExecArray): boolean => {
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const days = daysIn(year, month);
  return days !== undefined && day >= 1 && day <= days;
};

// ---- predicates ----

/** A UUID (any version, or the nil UUID), in either case. */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && validateUuid(value);

/** A real calendar instant in UTC: Date.parse alone accepts 2025-02-30 by rolling it over. */
export function isInstant(value: unknown): value is string {
  const m = typeof value === 'string' ? ISO_UTC.exec(value) : null;
  return m !== null && realDay(m);
}

/**
 * The day an ISO-8601 date or timestamp starts with (`2025-02-28T…`) exists. Date.parse takes
 * 2025-02-30T00:00:00Z as 2025-03-02: a check of a timestamp in another format than ours needs this beside it.
 */
export function isRealDay(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  return m !== null && realDay(m);
}

/** A calendar date `YYYY-MM-DD` that exists (2024-02-30 does not). */
export function isCalendarDate(value: unknown): value is string {
  const m = typeof value === 'string' ? DATE.exec(value) : null;
  return m !== null && realDay(m);
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

// ---- checks ----

const where = (path: string) => path || 'data';

/** A check from a predicate and what the value must be ("a UUID"). */
export const simple =
  (expected: string, ok: (value: unknown) => boolean): Check =>
  (value, path) =>
    ok(value) ? [] : [`${where(path)} must be ${expected}`];

export const uuid = simple('a UUID', isUuid);
export const instant = simple('an ISO-8601 UTC timestamp', isInstant);
export const calendarDate = simple('a date YYYY-MM-DD', isCalendarDate);
export const bool = simple('a boolean', (v) => typeof v === 'boolean');
export const string = simple('a string', (v) => typeof v === 'string');
export const integer = simple('a whole number', (v) => Number.isSafeInteger(v));
export const finiteNumber = simple('a finite number', (v) => typeof v === 'number' && Number.isFinite(v));
export const nonNegativeNumber = simple('a number ≥ 0', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);
export const positiveNumber = simple('a number > 0', (v) => typeof v === 'number' && Number.isFinite(v) && v > 0);
export const wholeNumber = simple('an integer ≥ 0', (v) => Number.isSafeInteger(v) && (v as number) >= 0);
export const positiveInteger = simple('an integer ≥ 1', (v) => Number.isSafeInteger(v) && (v as number) >= 1);
/** Any value but `undefined` (a personal field holds a `personal()` marker when the registry checks it). */
export const present: Check = (value, path) => (value === undefined ? [`${where(path)} is required`] : []);

/** A number from `min` to `max`. */
export const numberIn = (min: number, max: number) => simple(`a number from ${min} to ${max}`, (v) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max);

/** Text that is not blank and at most `max` characters long. */
export const text = (max: number) => simple(`a non-blank text of at most ${max} characters`, (v) => typeof v === 'string' && v.trim() !== '' && v.length <= max);

export const oneOf = (...values: readonly unknown[]) => simple(`one of ${values.join(', ')}`, (v) => values.includes(v));

/** A value matching `pattern`, described as `expected`. */
export const matches = (pattern: RegExp, expected: string) => simple(expected, (v) => typeof v === 'string' && pattern.test(v));

export const nullable =
  (check: Check): Check =>
  (value, path) =>
    value === null ? [] : check(value, path);

export const optional =
  (check: Check): Check =>
  (value, path) =>
    value === undefined ? [] : check(value, path);

/** Fits when any of the checks does. */
export const either =
  (...checks: Check[]): Check =>
  (value, path) => {
    const problems = checks.map((check) => check(value, path));
    if (problems.some((p) => p.length === 0)) return [];
    // "x must be A, or must be B": the subject once.
    const subject = `${where(path)} `;
    return [problems.map((p, i) => (i > 0 && p[0]?.startsWith(subject) ? [p[0].slice(subject.length), ...p.slice(1)] : p).join('; ')).join(', or ')];
  };

/** A list of `min` to `max` items (unbounded when not given), each fitting `item`. */
export const arrayOf =
  (item: Check, min = 0, max = Infinity, { unique = false } = {}): Check =>
  (value, path) => {
    if (!Array.isArray(value) || value.length < min || value.length > max) {
      return [`${where(path)} must be ${max === Infinity ? (min > 0 ? `a list of at least ${min} items` : 'a list') : `a list of ${min} to ${max} items`}`];
    }
    const problems = value.flatMap((x, i) => item(x, `${path}[${i}]`));
    if (unique && new Set(value).size !== value.length) problems.push(`${where(path)} must not repeat an item`);
    return problems;
  };

/**
 * An object whose listed fields fit. Closed unless `open`: an unexpected field is
 * a problem, because event data is stored in clear and a stray field could carry
 * personal data past the cipher.
 */
export const object =
  (fields: Shape, { open = false } = {}): Check =>
  (value, path) => {
    if (!isPlainObject(value)) return [`${where(path)} must be an object`];
    const prefix = path ? `${path}.` : '';
    const extra = open ? [] : Object.keys(value).filter((k) => !Object.hasOwn(fields, k));
    const problems = extra.length ? [`${where(path)} has unexpected fields: ${extra.join(', ')}`] : [];
    for (const [key, check] of Object.entries(fields)) problems.push(...check(value[key], `${prefix}${key}`));
    return problems;
  };

/** Some of the listed fields (at least one), each fitting: the `changes` of an update event. */
export const someOf =
  (fields: Shape): Check =>
  (value, path) => {
    if (!isPlainObject(value) || Object.keys(value).length === 0) return [`${where(path)} must be an object with at least one field`];
    const extra = Object.keys(value).filter((k) => !Object.hasOwn(fields, k));
    if (extra.length) return [`${where(path)} has unexpected fields: ${extra.join(', ')}`];
    return Object.entries(value).flatMap(([k, v]) => fields[k](v, path ? `${path}.${k}` : k));
  };

/** The registry's `validate` for a check of the whole data. */
export const validator =
  (check: Check) =>
  (data: Record<string, unknown>): string[] =>
    check(data, '');

/**
 * A version-1 event type whose data fits `shape` (its listed fields; with
 * `closed`, any other field is a problem too), plus any `extra` cross-field checks.
 */
export function eventType(type: string, shape: Shape, extra?: ((data: Record<string, unknown>) => string[]) | null, { closed = false } = {}): CheckedEventType {
  const check = object(shape, { open: true });
  const unknown = (data: Record<string, unknown>) => (closed ? Object.keys(data).filter((k) => !Object.hasOwn(shape, k)).map((k) => `${k} is not a field of ${type}`) : []);
  return { type, version: 1, validate: (data) => [...check(data, ''), ...unknown(data), ...(extra?.(data) ?? [])] };
}
