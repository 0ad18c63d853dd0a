/**
 * Field checks shared by the event type definitions of this library (the
 * registry runs them on append). A check returns a problem, without the field
 * name, or null; `fieldProblems` names the fields. They run before personal
 * values are sealed, so a personal field holds a `personal()` marker there:
 * only its presence is checked, and its length when it is a plain string.
 */
export type Check = (value: unknown) => string | null;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

export const isPercentage = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 100;

export const uuid: Check = (v) => (isUuid(v) ? null : 'must be a UUID');
export const uuidOrNull: Check = (v) => (v === null || isUuid(v) ? null : 'must be a UUID or null');
export const uuidList: Check = (v) => (Array.isArray(v) && v.length > 0 && v.every(isUuid) ? null : 'must be a non-empty list of UUIDs');
export const isoTime: Check = (v) =>
  typeof v === 'string' && ISO_UTC.test(v) && !Number.isNaN(Date.parse(v)) ? null : 'must be an ISO-8601 UTC timestamp';
export const positive: Check = (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? null : 'must be a number above 0');
export const nonNegative: Check = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : 'must be a number from 0');
export const wholeNumber: Check = (v) => (Number.isInteger(v) && (v as number) >= 0 ? null : 'must be a whole number from 0');
export const percentage: Check = (v) => (isPercentage(v) ? null : 'must be a number from 0 to 100');
export const percentageOrNull: Check = (v) => (v === null || isPercentage(v) ? null : 'must be a number from 0 to 100, or null');

export function oneOf(...values: readonly unknown[]): Check {
  return (v) => (values.includes(v) ? null : `must be one of ${values.join(', ')}`);
}

export function either(...checks: Check[]): Check {
  return (v) => (checks.some((check) => check(v) === null) ? null : checks.map((check) => check(v)).join(', or '));
}

export function text(min: number, max: number): Check {
  return (v) => (typeof v === 'string' && v.trim().length >= min && v.length <= max ? null : `must be ${min} to ${max} characters`);
}

/** Personal free text: required; its length is checked only while it is a plain string. */
export function personalText(min: number, max: number): Check {
  return (v) => (v === undefined || v === null ? 'is required' : typeof v === 'string' ? text(min, max)(v) : null);
}

/** The problems of `data`, one sentence per failing field. */
export function fieldProblems(data: Record<string, unknown>, checks: Record<string, Check>): string[] {
  return Object.entries(checks).flatMap(([field, check]) => {
    const problem = check(data[field]);
    return problem === null ? [] : [`${field} ${problem}`];
  });
}
