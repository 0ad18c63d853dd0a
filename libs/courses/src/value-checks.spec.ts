import { isWithinPeriod, periodProblems } from './period';
import { isHttpUrl, isInstant, isUuid } from './value-checks';

describe('isInstant', () => {
  it.each(['2025-03-01T09:00:00Z', '2025-03-01T09:00:00.123Z', '2024-02-29T23:59:59.999999Z', '2000-02-29T00:00:00Z'])('accepts %s', (value) => {
    expect(isInstant(value)).toBe(true);
  });

  it.each(['2025-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2025-04-31T00:00:00Z', '2025-13-01T00:00:00Z', '2025-03-01T24:00:00Z', '2025-03-01T09:00:00+07:00', '2025-03-01', 'now', 42])(
    'refuses %s',
    (value) => {
      expect(isInstant(value)).toBe(false);
    },
  );
});

describe('isUuid', () => {
  it('accepts lower-case UUIDs only, the form stream names use', () => {
    expect(isUuid('6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(true);
    expect(isUuid('6BA7B810-9DAD-11D1-80B4-00C04FD430C8')).toBe(false);
    expect(isUuid('6ba7b810')).toBe(false);
  });
});

describe('isHttpUrl', () => {
  it('accepts absolute http and https links only', () => {
    expect(isHttpUrl('https://example.org/a?b=c')).toBe(true);
    expect(isHttpUrl('http://localhost:8080')).toBe(true);
    expect(isHttpUrl('mailto:a@example.org')).toBe(false);
    expect(isHttpUrl('data:text/html,hi')).toBe(false);
    expect(isHttpUrl(`https://example.org/${'a'.repeat(2048)}`)).toBe(false);
  });
});

describe('periods', () => {
  const period = { startsAt: '2025-01-01T00:00:00Z', endsAt: '2025-02-01T00:00:00Z' };

  it('include their start and exclude their end', () => {
    expect(isWithinPeriod(period, '2024-12-31T23:59:59.999Z')).toBe(false);
    expect(isWithinPeriod(period, '2025-01-01T00:00:00Z')).toBe(true);
    expect(isWithinPeriod(period, '2025-01-31T23:59:59.999Z')).toBe(true);
    expect(isWithinPeriod(period, '2025-02-01T00:00:00Z')).toBe(false);
  });

  it('are open where an end is null or left out', () => {
    expect(isWithinPeriod({}, '1970-01-01T00:00:00Z')).toBe(true);
    expect(isWithinPeriod({ startsAt: null, endsAt: period.endsAt }, '1970-01-01T00:00:00Z')).toBe(true);
    expect(isWithinPeriod({ startsAt: period.startsAt }, '2999-01-01T00:00:00Z')).toBe(true);
  });

  it('hold no moment that is not an instant (fail closed)', () => {
    expect(isWithinPeriod({}, 'now')).toBe(false);
    expect(isWithinPeriod({}, '')).toBe(false);
  });

  it('compare instants, not strings', () => {
    // As strings, "…00.5Z" sorts before "…00Z"; as instants it is half a second later.
    expect(isWithinPeriod({ startsAt: '2025-01-01T00:00:00Z' }, '2025-01-01T00:00:00.5Z')).toBe(true);
  });

  it('must end after they start', () => {
    expect(periodProblems('p', { startsAt: period.endsAt, endsAt: period.startsAt })).toEqual(['p.endsAt must be after p.startsAt']);
    expect(periodProblems('p', null)).toEqual(['p must be an object']);
  });
});
