/**
 * A tiny schema language for the `validate` functions of the event registry:
 * each field of an event's data has a rule that names what it must be. The
 * registry runs them before anything is appended, so a handler bug cannot
 * write an event that projections would choke on.
 *
 * Personal fields are checked with `present` only: at append time they hold a
 * `personal()` marker, not the value.
 */
import type { EventTypeDefinition } from '@learnstream/event-store';
import { isInstant, isPlainObject, isUuid } from './value-checks';

/** Problems with `value` found at `path`, as readable sentences. */
export type Rule = (value: unknown, path: string) => string[];

const rule =
  (expected: string, ok: (value: unknown) => boolean): Rule =>
  (value, path) =>
    ok(value) ? [] : [`${path} must be ${expected}`];

export const uuid = rule('a UUID', isUuid);
export const string = rule('a string', (v) => typeof v === 'string');
export const boolean = rule('a boolean', (v) => typeof v === 'boolean');
export const number = rule('a finite number', (v) => typeof v === 'number' && Number.isFinite(v));
export const integer = rule('a whole number', (v) => Number.isSafeInteger(v));
export const instant = rule('an ISO-8601 UTC timestamp', isInstant);
export const present: Rule = (value, path) => (value === undefined ? [`${path} is required`] : []);

export const oneOf = (...values: string[]): Rule => rule(`one of ${values.join(', ')}`, (v) => values.includes(v as string));
export const nullable = (inner: Rule): Rule => (value, path) => (value === null ? [] : inner(value, path));
export const optional = (inner: Rule): Rule => (value, path) => (value === undefined ? [] : inner(value, path));

export const arrayOf =
  (item: Rule): Rule =>
  (value, path) =>
    Array.isArray(value) ? value.flatMap((v, i) => item(v, `${path}[${i}]`)) : [`${path} must be an array`];

export type Shape = Record<string, Rule>;

export const object =
  (shape: Shape): Rule =>
  (value, path) =>
    isPlainObject(value)
      ? Object.entries(shape).flatMap(([key, check]) => check(value[key], path ? `${path}.${key}` : key))
      : [`${path || 'data'} must be an object`];

/** A version-1 event type whose data must match `shape`, plus any `extra` cross-field checks. */
export function eventType(type: string, shape: Shape, extra?: (data: Record<string, unknown>) => string[]): EventTypeDefinition {
  const check = object(shape);
  return { type, version: 1, validate: (data) => [...check(data, ''), ...(extra?.(data) ?? [])] };
}
