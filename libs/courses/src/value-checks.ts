/**
 * Small pure checks on the plain values commands carry (ids, instants, text,
 * links), shared by the course and enrolment deciders and by the event
 * validators. No clock here: instants are compared, never read from the system.
 */

/** Lower case only: the form stream names need, and one id never has two spellings. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The same instant format as the envelope's `occurredAt`: ISO-8601 in UTC. */
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?Z$/;

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/** A real calendar instant in UTC: Date.parse alone accepts 2025-02-30 by rolling it over. */
export function isInstant(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = ISO_UTC.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return daysInMonth !== undefined && day >= 1 && day <= daysInMonth;
}

/** Milliseconds since the epoch of an instant already checked by isInstant. */
export const millis = (instant: string): number => Date.parse(instant);

/** Length in characters as a reader counts them (code points, so Thai or emoji are not counted twice). */
export const charCount = (text: string): number => [...text].length;

/**
 * Problems with a required line of text: a string that is not blank once
 * trimmed and at most `max` characters long.
 */
export function textProblems(name: string, value: unknown, max: number): string[] {
  if (typeof value !== 'string') return [`${name} must be a string`];
  const length = charCount(value.trim());
  if (length === 0) return [`${name} must not be blank`];
  if (length > max) return [`${name} must be at most ${max} characters`];
  return [];
}

/** An absolute http(s) link: other schemes (javascript:, file:, data:) are refused. */
export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 2048) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
