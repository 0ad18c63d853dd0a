import { periodOf, periodsBetween } from './periods';

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
});
