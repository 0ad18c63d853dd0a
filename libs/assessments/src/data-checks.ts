/**
 * The checks of event data this feature uses (the registry refuses an event
 * whose data does not fit, and the deciders give the same sentences for their
 * 'invalid' errors): the toolkit of `@learnstream/domain`, plus the feature's own.
 * Objects are closed (`object`): a stray field could carry personal data past the cipher.
 */
import { simple } from '@learnstream/domain';
import { Personal } from '@learnstream/personal-data';

export {
  arrayOf,
  bool,
  calendarDate,
  finiteNumber,
  instant,
  isCalendarDate,
  isInstant,
  isPlainObject,
  isUuid,
  nonNegativeNumber,
  nullable,
  object,
  oneOf,
  positiveInteger,
  positiveNumber,
  simple,
  someOf,
  text,
  uuid,
  validator,
  wholeNumber,
  type Check,
} from '@learnstream/domain';

/** Skill and topic tags: lower-case words joined by hyphens (`fractions`, `word-problems`). */
const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const slug = simple('a lower-case slug of at most 50 characters (a-z, 0-9, hyphens)', (v) => typeof v === 'string' && v.length <= 50 && SLUG.test(v));

/** Personal data as the handler hands it to the log: wrapped with `personal()`, never clear. */
export { sealed as personalValue } from '@learnstream/personal-data';

/**
 * The value inside a `personal()` marker, or the value itself: a decider may
 * receive a personal field wrapped by the handler or clear, checks its content
 * either way, and passes on what it received.
 */
export const clearValueOf = (v: unknown): unknown => (v instanceof Personal ? v.value : v);

/** Milliseconds since the epoch of an ISO timestamp (commands carry time as ISO strings). */
export const ms = (iso: string) => Date.parse(iso);
