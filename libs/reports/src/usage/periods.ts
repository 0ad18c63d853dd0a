/**
 * Report periods over UTC days: a day, an ISO week (Monday to Sunday) or a
 * calendar month, named by its first day as PostgreSQL's date_trunc names it,
 * and clipped to the requested range (start, end: the days it covers).
 */
import type { Granularity } from '../reports.events';

export interface Period {
  /** The period's first day (YYYY-MM-DD), as date_trunc gives it: the key of the figures. */
  period: string;
  /** The first and last day of the range inside this period. */
  start: string;
  end: string;
}

const DAY_MS = 86_400_000;
const toDate = (day: string) => new Date(`${day}T00:00:00Z`);
const toDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Days compared as days: a day past 9999-12-31 is written `+010000-01-01`,
 * which sorts before `9999-…` as text (a range to 9999-12-31 never ended).
 */
export const dayBefore = (a: string, b: string): boolean => toDate(a).getTime() < toDate(b).getTime();

export function addDays(day: string, n: number): string {
  return toDay(new Date(toDate(day).getTime() + n * DAY_MS));
}

/** The first day of the period holding `day`. */
export function periodOf(day: string, granularity: Granularity): string {
  const d = toDate(day);
  if (granularity === 'day') return day;
  if (granularity === 'week') return addDays(day, -((d.getUTCDay() + 6) % 7));
  return `${day.slice(0, 7)}-01`;
}

function nextPeriod(period: string, granularity: Granularity): string {
  if (granularity === 'day') return addDays(period, 1);
  if (granularity === 'week') return addDays(period, 7);
  const d = toDate(period);
  return toDay(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)));
}

/** The last day of the period that starts on `period`. */
export function periodEnd(period: string, granularity: Granularity): string {
  return addDays(nextPeriod(period, granularity), -1);
}

/** Every period from the one holding `from` to the one holding `to` (both days included). */
export function periodsBetween(from: string, to: string, granularity: Granularity): Period[] {
  const periods: Period[] = [];
  for (let p = periodOf(from, granularity); !dayBefore(to, p); p = nextPeriod(p, granularity)) {
    const last = periodEnd(p, granularity);
    periods.push({ period: p, start: dayBefore(p, from) ? from : p, end: dayBefore(to, last) ? to : last });
  }
  return periods;
}

/** How many periods periodsBetween gives, without listing them. */
export function countPeriods(from: string, to: string, granularity: Granularity): number {
  if (dayBefore(to, from)) return 0;
  if (granularity === 'month') {
    const [a, b] = [toDate(from), toDate(to)];
    return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth() + 1;
  }
  const days = daysBetween(periodOf(from, granularity), to);
  return granularity === 'day' ? days : Math.ceil(days / 7);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((toDate(to).getTime() - toDate(from).getTime()) / DAY_MS) + 1;
}
