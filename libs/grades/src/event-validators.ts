/**
 * The field checks of this library's event types (the registry runs them on
 * append): the toolkit of `@learnstream/domain` with the sentences the grades
 * feature gives. They run before personal values are sealed, so a personal field
 * holds a `personal()` marker there: only its presence is checked, and its length
 * when it is a plain string.
 */
import { instant, isUuid, object, simple, type Check, type Shape } from '@learnstream/domain';

export { either, oneOf, uuid, type Check } from '@learnstream/domain';

export const isPercentage = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 100;

export const uuidOrNull = simple('a UUID or null', (v) => v === null || isUuid(v));
export const uuidList = simple('a non-empty list of UUIDs', (v) => Array.isArray(v) && v.length > 0 && v.every(isUuid));
export const isoTime = instant;
export const positive = simple('a number above 0', (v) => typeof v === 'number' && Number.isFinite(v) && v > 0);
export const nonNegative = simple('a number from 0', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);
export const wholeNumber = simple('a whole number from 0', (v) => Number.isInteger(v) && (v as number) >= 0);
export const percentage = simple('a number from 0 to 100', isPercentage);
export const percentageOrNull = simple('a number from 0 to 100, or null', (v) => v === null || isPercentage(v));

export const text = (min: number, max: number): Check => simple(`${min} to ${max} characters`, (v) => typeof v === 'string' && v.trim().length >= min && v.length <= max);

/** Personal free text: required; its length is checked only while it is a plain string. */
export const personalText =
  (min: number, max: number): Check =>
  (v, path) =>
    v === undefined || v === null ? [`${path} is required`] : typeof v === 'string' ? text(min, max)(v, path) : [];

/** The problems of `data`, one sentence per failing field. */
export const fieldProblems = (data: Record<string, unknown>, checks: Shape): string[] => object(checks, { open: true })(data, '');
