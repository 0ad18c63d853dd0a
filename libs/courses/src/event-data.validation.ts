/**
 * The rules of this feature's event validators: the toolkit of `@learnstream/domain`
 * with the courses feature's own ids (lower case only, value-checks.ts) and open
 * objects (fields not listed are let through).
 *
 * Personal fields are checked with `present` only: at append time they hold a
 * `personal()` marker, not the value.
 */
import { finiteNumber, object as closedOrOpen, simple, type Check, type Shape } from '@learnstream/domain';
import { isUuid } from './value-checks';

export { arrayOf, bool as boolean, eventType, instant, integer, nullable, oneOf, optional, present, string, type Shape } from '@learnstream/domain';

/** Problems with `value` found at `path`, as readable sentences. */
export type Rule = Check;

/** A lower-case UUID (value-checks.ts). */
export const uuid = simple('a UUID', isUuid);
export const number = finiteNumber;

/** An object whose listed fields fit (others are let through, as in the event types). */
export const object = (shape: Shape): Rule => closedOrOpen(shape, { open: true });
