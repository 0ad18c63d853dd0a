/**
 * Key scopes: a subject has one `data` key for their personal data, and one
 * `request:YYYY-MM` key per calendar month (UTC) for their request metadata
 * (IP, user agent), so that expiring old IPs is deleting old keys.
 */
import { isUuid } from '@learnstream/domain';
import { InvalidPersonalDataError } from './errors';

export type KeyScope = 'data' | `request:${string}`;

export const DATA_SCOPE = 'data' satisfies KeyScope;

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
const REQUEST_SCOPE = /^request:\d{4}-(0[1-9]|1[0-2])$/;
export { isUuid };

/** Subject ids are UUIDs, compared and bound into ciphertexts in lower case. */
export function subjectIdOf(value: unknown): string {
  if (!isUuid(value)) throw new InvalidPersonalDataError(`a data subject id must be a UUID, got ${JSON.stringify(value)}`);
  return value.toLowerCase();
}

/** The calendar month (UTC) of a date, as YYYY-MM. */
export function periodOf(date: Date): string {
  const period = Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(0, 7);
  if (!PERIOD.test(period)) throw new InvalidPersonalDataError(`not a usable date for a request key period: ${String(date)}`);
  return period;
}

/** The scope of the request-metadata key for the month (UTC) of `date`. */
export function requestScope(date: Date): KeyScope {
  return `request:${periodOf(date)}`;
}

export function assertPeriod(period: string): void {
  if (!PERIOD.test(period)) throw new InvalidPersonalDataError(`a period must be YYYY-MM, got ${JSON.stringify(period)}`);
}

export function assertScope(scope: string): asserts scope is KeyScope {
  if (scope !== DATA_SCOPE && !REQUEST_SCOPE.test(scope)) {
    throw new InvalidPersonalDataError(`a key scope is 'data' or 'request:YYYY-MM', got ${JSON.stringify(scope)}`);
  }
}
