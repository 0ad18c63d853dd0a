/**
 * A time window during which something is open: a course's enrolment period or
 * one learner's individual enrolment. Either end may be open (null). The window
 * includes its start and excludes its end, so two back-to-back periods never overlap.
 */
import { isInstant, millis } from './value-checks';

export interface Period {
  startsAt: string | null;
  endsAt: string | null;
}

/** What a command gives: either end may be left out. */
export interface PeriodInput {
  startsAt?: string | null;
  endsAt?: string | null;
}

export const OPEN_PERIOD: Period = { startsAt: null, endsAt: null };

export function toPeriod(input: PeriodInput | undefined): Period {
  return { startsAt: input?.startsAt ?? null, endsAt: input?.endsAt ?? null };
}

/** Problems with a period: ends that are not UTC ISO-8601 instants, or an end not after the start. */
export function periodProblems(name: string, input: unknown): string[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return [`${name} must be an object`];
  const { startsAt, endsAt } = input as Record<string, unknown>;
  const problems: string[] = [];
  if (startsAt != null && !isInstant(startsAt)) problems.push(`${name}.startsAt must be an ISO-8601 UTC timestamp`);
  if (endsAt != null && !isInstant(endsAt)) problems.push(`${name}.endsAt must be an ISO-8601 UTC timestamp`);
  if (!problems.length && isInstant(startsAt) && isInstant(endsAt) && millis(endsAt) <= millis(startsAt)) {
    problems.push(`${name}.endsAt must be after ${name}.startsAt`);
  }
  return problems;
}

/**
 * Whether `now` falls in the period: from startsAt (included) to endsAt (excluded).
 * A `now` that is not an instant is in no period: the answer fails closed.
 */
export function isWithinPeriod(period: PeriodInput, now: string): boolean {
  if (!isInstant(now)) return false;
  const at = millis(now);
  if (period.startsAt != null && at < millis(period.startsAt)) return false;
  if (period.endsAt != null && at >= millis(period.endsAt)) return false;
  return true;
}

export const samePeriod = (a: Period, b: Period): boolean => a.startsAt === b.startsAt && a.endsAt === b.endsAt;
