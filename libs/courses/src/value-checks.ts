/**
 * Small pure checks on the plain values commands carry (ids, instants, text,
 * links), shared by the course and enrolment deciders and by the event
 * validators. No clock here: instants are compared, never read from the system.
 */

import { isUuid as isAnyUuid } from '@learnstream/domain';

export { isInstant, isPlainObject } from '@learnstream/domain';

/** A UUID in lower case only: the form stream names need, and one id never has two spellings. */
export const isUuid = (value: unknown): value is string => isAnyUuid(value) && value === value.toLowerCase();

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

