import { reportJson } from './report-json';

describe('reportJson', () => {
  const report = {
    title: 'Algèbre',
    asOf: null,
    skipped: undefined,
    rules: { distribution: 'bins of 10 points: [0, 10), …, [90, 100].', emoji: 'done 🎉', quote: 'a "b" \\ c\n' },
    suggestions: [{ text: 'contact the 7 learners flagged at risk: A, B, C, D, E, …' }],
    participants: [{ displayName: 'Zoë', events: 3 }],
  };

  it('is the same JSON value as JSON.stringify gives, keys in the same order, undefined left out', () => {
    const text = reportJson(report, ['rules', 'suggestions']);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(report)));
    expect(Object.keys(JSON.parse(text))).toEqual(['title', 'asOf', 'rules', 'suggestions', 'participants']);
  });

  it('writes the escaped parts in ASCII (\\uXXXX, a pair beyond U+FFFF) and leaves the others as JSON.stringify writes them', () => {
    const text = reportJson(report, ['rules', 'suggestions']);
    const { rules, suggestions, participants } = text.match(/"rules":(?<rules>.*),"suggestions":(?<suggestions>.*),"participants":(?<participants>.*)}$/)!.groups!;
    expect(rules).not.toMatch(/[\u0080-\uffff]/);
    expect(suggestions).not.toMatch(/[\u0080-\uffff]/);
    expect(rules).toContain('\\u2026');
    expect(rules).toContain('\\ud83c\\udf89');
    expect(participants).toBe(JSON.stringify(report.participants));
    expect(text).toContain('"title":"Algèbre"');
  });
});
