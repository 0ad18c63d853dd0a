import { COUNTRY_CODES, isCountry, isGradeLevel, isPurposes, isSchoolCode, isText } from './values';

describe('value shapes', () => {
  it('knows the 249 ISO 3166-1 alpha-2 codes', () => {
    expect(COUNTRY_CODES.size).toBe(249);
    expect(isCountry('TH')).toBe(true);
    expect(isCountry('th')).toBe(false);
    expect(isCountry('XX')).toBe(false);
    expect(isCountry('EU')).toBe(false);
  });

  it('school codes are 2 to 20 of A-Z 0-9 -', () => {
    expect(isSchoolCode('BKK-01')).toBe(true);
    expect(isSchoolCode('A')).toBe(false);
    expect(isSchoolCode('bkk')).toBe(false);
    expect(isSchoolCode('A'.repeat(21))).toBe(false);
    expect(isSchoolCode('A B')).toBe(false);
  });

  it('texts are trimmed and bounded; grade levels may be null; purposes are distinct words', () => {
    expect(isText('Maths', 10)).toBe(true);
    expect(isText(' Maths', 10)).toBe(false);
    expect(isText('', 10)).toBe(false);
    expect(isGradeLevel(null)).toBe(true);
    expect(isGradeLevel('P4')).toBe(true);
    expect(isPurposes(['platform_use', 'analytics'])).toBe(true);
    expect(isPurposes([])).toBe(false);
    expect(isPurposes(['a', 'b'])).toBe(false);
    expect(isPurposes(['analytics', 'analytics'])).toBe(false);
  });
});
