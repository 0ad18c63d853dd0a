import { countPeriods, periodOf, periodsBetween } from './periods';
import { usageRange } from './usage.dto';

describe('report periods', () => {
  it('names a period by its first day, as date_trunc does (ISO weeks start on Monday)', () => {
    expect(periodOf('2025-05-14', 'day')).toBe('2025-05-14');
    expect(periodOf('2025-05-14', 'week')).toBe('2025-05-12'); // a Wednesday
    expect(periodOf('2025-05-18', 'week')).toBe('2025-05-12'); // a Sunday
    expect(periodOf('2025-05-12', 'week')).toBe('2025-05-12');
    expect(periodOf('2025-05-14', 'month')).toBe('2025-05-01');
  });

  it('lists every period of a range, clipped to it', () => {
    expect(periodsBetween('2025-05-14', '2025-05-16', 'day').map((p) => p.period)).toEqual(['2025-05-14', '2025-05-15', '2025-05-16']);
    expect(periodsBetween('2025-05-14', '2025-05-27', 'week')).toEqual([
      { period: '2025-05-12', start: '2025-05-14', end: '2025-05-18' },
      { period: '2025-05-19', start: '2025-05-19', end: '2025-05-25' },
      { period: '2025-05-26', start: '2025-05-26', end: '2025-05-27' },
    ]);
    expect(periodsBetween('2024-12-31', '2025-03-01', 'month')).toEqual([
      { period: '2024-12-01', start: '2024-12-31', end: '2024-12-31' },
      { period: '2025-01-01', start: '2025-01-01', end: '2025-01-31' },
      { period: '2025-02-01', start: '2025-02-01', end: '2025-02-28' },
      { period: '2025-03-01', start: '2025-03-01', end: '2025-03-01' },
    ]);
  });

  it('ends a range at the last day a date can be written with four digits (9999-12-31): it used to run until the heap was full', () => {
    expect(periodsBetween('9999-12-30', '9999-12-31', 'day').map((p) => p.period)).toEqual(['9999-12-30', '9999-12-31']);
    // 9999-12-27 is a Monday: its week ends on 10000-01-02, past the range.
    expect(periodsBetween('9999-12-28', '9999-12-31', 'week')).toEqual([{ period: '9999-12-27', start: '9999-12-28', end: '9999-12-31' }]);
    expect(periodsBetween('9999-11-15', '9999-12-31', 'month')).toEqual([
      { period: '9999-11-01', start: '9999-11-15', end: '9999-11-30' },
      { period: '9999-12-01', start: '9999-12-01', end: '9999-12-31' },
    ]);
  });

  it('counts the periods of a range without listing them', () => {
    const ranges: Array<[string, string]> = [['2025-05-14', '2025-05-14'], ['2025-05-14', '2025-05-27'], ['2024-12-31', '2025-03-01'], ['2023-02-28', '2024-02-29'], ['9999-01-03', '9999-12-31']];
    for (const [from, to] of ranges) {
      for (const granularity of ['day', 'week', 'month'] as const) {
        expect({ from, to, granularity, n: countPeriods(from, to, granularity) }).toEqual({ from, to, granularity, n: periodsBetween(from, to, granularity).length });
      }
    }
  });
});

describe('the usage report\'s range', () => {
  it('refuses more than 400 periods before listing them: 0001-01-01 to 9999-12-31 by day (3.65 million) used to fill the heap', () => {
    expect(() => usageRange({ from: '0001-01-01', to: '9999-12-31' }, '2026-12-08')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(usageRange({ from: '9999-12-01', to: '9999-12-31' }, '2026-12-08')).toEqual({ from: '9999-12-01', to: '9999-12-31', granularity: 'day', by: 'role' });
  });
});
