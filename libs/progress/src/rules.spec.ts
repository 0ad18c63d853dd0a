import { atRiskReasons, gradeDistribution, isoOfText, mean, skillResult, skillVerdicts, SKILL_RULE_TEXT } from './rules';

describe('skill verdicts', () => {
  it('a strength from 80 % over at least 3 questions; to improve under 50 % over at least 3; fewer questions say nothing', () => {
    const skills = [
      skillResult('algebra', 4, 5, 5), // 80 %: strength (bound included)
      skillResult('geometry', 2.4, 3, 3), // 80 %
      skillResult('fractions', 1.49, 3, 3), // 49.67 %: to improve
      skillResult('logic', 1.5, 3, 3), // 50 %: neither (bound excluded)
      skillResult('reading', 2, 2, 2), // 100 % over 2 questions: too few
      skillResult('spelling', 0, 2, 2), // 0 % over 2: too few
      skillResult('history', 7.9, 10, 10), // 79 %: neither
    ];
    expect(skillVerdicts(skills)).toEqual({ strengths: ['algebra', 'geometry'], toImprove: ['fractions'] });
  });

  it('judges the exact ratio, not the rounded percentage', () => {
    // 79.996 % shows as 80 but is not a strength.
    const s = skillResult('x', 79.996, 100, 4);
    expect(s.percentage).toBe(80);
    expect(skillVerdicts([s]).strengths).toEqual([]);
  });

  it('states the rule', () => {
    expect(SKILL_RULE_TEXT).toMatch(/at least 80% .* at least 3 questions/);
    expect(SKILL_RULE_TEXT).toMatch(/under 50%/);
  });
});

describe('at risk', () => {
  const now = new Date('2025-03-20T12:00:00Z');
  const base = { now, inactiveDays: 7, enrolledAt: '2025-03-01T00:00:00Z', grade: null, passPercentage: null };

  it('flags no activity for N days or more, counted from the last action or, never active, from the enrolment', () => {
    expect(atRiskReasons({ ...base, lastActivityAt: '2025-03-13T12:00:00Z' })).toEqual([
      expect.objectContaining({ rule: 'inactive', days: 7, neverActive: false, text: 'no activity in this course for 7 days (rule: 7 days or more)' }),
    ]);
    expect(atRiskReasons({ ...base, lastActivityAt: '2025-03-13T12:00:01Z' })).toEqual([]);
    expect(atRiskReasons({ ...base, lastActivityAt: null })).toEqual([expect.objectContaining({ rule: 'inactive', neverActive: true, days: 19.5 })]);
    expect(atRiskReasons({ ...base, lastActivityAt: null, enrolledAt: '2025-03-19T00:00:00Z' })).toEqual([]);
  });

  it('flags a failing current grade, with the figures', () => {
    const reasons = atRiskReasons({ ...base, lastActivityAt: '2025-03-19T00:00:00Z', grade: { percentage: 33.2, passed: false }, passPercentage: 50 });
    expect(reasons).toEqual([{ rule: 'failing', percentage: 33.2, passPercentage: 50, text: 'current grade 33.2% is below the pass mark of 50%' }]);
    expect(atRiskReasons({ ...base, lastActivityAt: '2025-03-19T00:00:00Z', grade: { percentage: null, passed: null }, passPercentage: 50 })).toEqual([]);
  });

  it('gives both reasons when both hold', () => {
    const reasons = atRiskReasons({ ...base, lastActivityAt: null, grade: { percentage: 10, passed: false }, passPercentage: 50 });
    expect(reasons.map((r) => r.rule)).toEqual(['inactive', 'failing']);
  });
});

describe('isoOfText', () => {
  it("gives toISOString's string for PostgreSQL's UTC timestamps (0 to 6 decimals, truncated) and for ISO strings, as Date does", () => {
    for (const s of [
      '2025-08-24T18:50:09+00:00',
      '2025-08-24T18:50:09.9+00:00',
      '2025-08-24T18:50:09.12+00:00',
      '2025-08-24T18:50:09.123+00:00',
      '2025-08-24T18:50:09.9249+00:00',
      '2025-12-31T23:59:59.999999+00:00',
      '2025-08-24T18:50:09.123Z',
      '0999-01-02T03:04:05.006Z',
    ]) {
      expect(isoOfText(s)).toBe(new Date(s).toISOString());
    }
  });

  it('leaves every other form to Date (null): other offsets, no T, no decimals after the point, letters, other lengths', () => {
    for (const s of ['2025-08-24T18:50:09.123+01:00', '2025-08-24 18:50:09+00', '2025-08-24T18:50:09.+00:00', '2025-08-24T18:50:09.12a+00:00', '2025-08-24T18:5a:09.123Z', '12025-08-24T18:50:09.123Z', '2025-08-24T18:50:09Z', '2025-08-24T18:50:09.1234567+00:00']) {
      expect(isoOfText(s)).toBeNull();
    }
  });
});

describe('grade distribution', () => {
  it('counts in bins of 10 points, 100 in the last', () => {
    const bins = gradeDistribution([0, 9.99999, 10, 55.5, 59.99, 60, 99.9, 100]);
    expect(bins.map((b) => b.count)).toEqual([2, 1, 0, 0, 0, 2, 1, 0, 0, 2]);
    expect(bins[0]).toEqual({ from: 0, to: 10, count: 2 });
    expect(bins[9]).toEqual({ from: 90, to: 100, count: 2 });
  });

  it('means to 2 decimals; none of nothing', () => {
    expect(mean([1, 2, 2])).toBe(1.67);
    expect(mean([])).toBeNull();
  });
});
