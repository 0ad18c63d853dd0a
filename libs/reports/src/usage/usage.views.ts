/**
 * The usage report as readers get it: every period of the range, each with
 * its figures, k-anonymous (suppression.ts). JSON, or CSV in long form (one
 * line per period, measure and dimension value, totals as key "total").
 */
import { csvLine, type CsvValue } from '@learnstream/core';
import type { Granularity, UsageDimension } from '../reports.events';
import type { Period } from './periods';
import { suppressCell, suppressRow, type Masked } from './suppression';
import type { DimensionRow, TotalRow, UsageFigures } from './usage.reader';

type People = { people: number };
type PeopleEvents = { people: number; events: number };
type PeopleViews = { people: number; views: number };
type PeopleCompletions = { people: number; completions: number };

export interface UsagePeriodView extends Period {
  /** Accounts created in the period, by the dimension (role and school on their first day; country now). */
  registrations: { total: Masked<People>; cells: ({ key: string } & Masked<People>)[] };
  /** Distinct people who did anything, and their events, by the dimension. */
  activeUsers: { total: Masked<PeopleEvents>; cells: ({ key: string } & Masked<PeopleEvents>)[] };
  /** Course and resource views: distinct viewers and views. */
  contentAccess: { courseViews: Masked<PeopleViews>; resourceViews: Masked<PeopleViews> };
  /** Course completions: distinct learners who completed a course, and completions. */
  completion: Masked<PeopleCompletions>;
}

export interface UsageReportView {
  from: string;
  to: string;
  granularity: Granularity;
  by: UsageDimension;
  /** k: cells from fewer distinct people are suppressed. */
  minCellSize: number;
  /** The values of the dimension in the report, with a readable label (a school's name). */
  dimension: { key: string; label: string }[];
  periods: UsagePeriodView[];
}

function row(cells: DimensionRow[], totals: TotalRow[], period: string, keys: string[]) {
  const here = new Map(cells.filter((c) => c.period === period).map((c) => [c.key, c]));
  const total = totals.find((t) => t.period === period);
  return {
    cells: keys.map((key) => ({ key, figures: { people: here.get(key)?.people ?? 0, events: here.get(key)?.events ?? 0 } })),
    total: { people: total?.people ?? 0, events: total?.events ?? 0 },
  };
}

/** Order of the dimension's values: most people first over the whole report, then by key. */
function keysOf(cells: DimensionRow[]): string[] {
  const people = new Map<string, number>();
  for (const c of cells) people.set(c.key, (people.get(c.key) ?? 0) + c.people);
  return [...people.keys()].sort((a, b) => people.get(b)! - people.get(a)! || a.localeCompare(b));
}

export function toUsageReport(figures: UsageFigures, range: { from: string; to: string; granularity: Granularity; by: UsageDimension }, periods: Period[], k: number): UsageReportView {
  const registrationKeys = keysOf(figures.registrations.cells);
  const activeKeys = keysOf(figures.activeUsers.cells);
  const allKeys = [...new Set([...activeKeys, ...registrationKeys])];
  return {
    ...range,
    minCellSize: k,
    dimension: allKeys.map((key) => ({ key, label: figures.schoolNames.get(key) ?? key })),
    periods: periods.map((p) => {
      const registrations = row(figures.registrations.cells, figures.registrations.totals, p.period, registrationKeys);
      const reg = suppressRow({ cells: registrations.cells.map((c) => ({ key: c.key, figures: { people: c.figures.people } })), total: { people: registrations.total.people } }, k);
      const active = suppressRow(row(figures.activeUsers.cells, figures.activeUsers.totals, p.period, activeKeys), k);
      const content = figures.content.find((c) => c.period === p.period);
      const done = figures.completion.find((c) => c.period === p.period);
      return {
        ...p,
        registrations: { total: reg.total, cells: reg.cells },
        activeUsers: { total: active.total, cells: active.cells },
        contentAccess: {
          courseViews: suppressCell({ people: content?.courseViewers ?? 0, views: content?.courseViews ?? 0 }, k),
          resourceViews: suppressCell({ people: content?.resourceViewers ?? 0, views: content?.resourceViews ?? 0 }, k),
        },
        completion: suppressCell({ people: done?.people ?? 0, completions: done?.completions ?? 0 }, k),
      };
    }),
  };
}

export const USAGE_CSV_HEADER = ['period', 'start', 'end', 'measure', 'dimension', 'key', 'label', 'people', 'count', 'suppressed'];

export function usageCsv(report: UsageReportView): string {
  const label = new Map(report.dimension.map((d) => [d.key, d.label]));
  const lines = [csvLine(USAGE_CSV_HEADER)];
  const line = (p: Period, measure: string, dimension: string, key: string, people: number | null, count: number | null | undefined, suppressed: boolean) =>
    lines.push(csvLine([p.period, p.start, p.end, measure, dimension, key, key === 'total' ? 'total' : (label.get(key) ?? key), people, count, suppressed] as CsvValue[]));
  for (const p of report.periods) {
    line(p, 'registrations', report.by, 'total', p.registrations.total.people, null, p.registrations.total.suppressed);
    for (const c of p.registrations.cells) line(p, 'registrations', report.by, c.key, c.people, null, c.suppressed);
    line(p, 'active_users', report.by, 'total', p.activeUsers.total.people, p.activeUsers.total.events, p.activeUsers.total.suppressed);
    for (const c of p.activeUsers.cells) line(p, 'active_users', report.by, c.key, c.people, c.events, c.suppressed);
    line(p, 'course_views', '', 'total', p.contentAccess.courseViews.people, p.contentAccess.courseViews.views, p.contentAccess.courseViews.suppressed);
    line(p, 'resource_views', '', 'total', p.contentAccess.resourceViews.people, p.contentAccess.resourceViews.views, p.contentAccess.resourceViews.suppressed);
    line(p, 'course_completions', '', 'total', p.completion.people, p.completion.completions, p.completion.suppressed);
  }
  return lines.join('');
}
