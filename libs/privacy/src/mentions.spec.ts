import { excerptOf, masked, spansOf, withRedactions } from './mentions';

describe('mentions: finding and masking names in free text', () => {
  it('finds every name case-insensitively, the longest first, never overlapping, and a Latin name only as a whole word', () => {
    const text = 'Anna Lee met ANNA at Annapolis; anna-lee said hi. Lee.';
    const spans = spansOf(text, ['Anna', 'Anna Lee', 'Lee', 'Al']);
    expect(spans.map((s) => text.slice(s.start, s.start + s.length))).toEqual(['Anna Lee', 'ANNA', 'anna', 'lee', 'Lee']);
  });

  it('finds a Thai name inside running text (no spaces between Thai words)', () => {
    const text = 'วันนี้นกยูงช่วยฉันทำการบ้าน';
    expect(spansOf(text, ['นกยูง'])).toEqual([{ start: text.indexOf('นกยูง'), length: 'นกยูง'.length }]);
  });

  it('masks a span with as many marks as it has characters, and shows the DPO 40 characters either side with every span masked', () => {
    expect(masked('I am Nok.', { start: 5, length: 3 })).toBe('I am ███.');
    expect(masked('short', { start: 3, length: 9 })).toBe('short');
    const text = `${'x'.repeat(50)} Nok and Nok ${'y'.repeat(50)}`;
    const [a, b] = spansOf(text, ['Nok']);
    expect(excerptOf(text, a, [b])).toBe(`…${'x'.repeat(39)} ███ and ███ ${'y'.repeat(31)}…`);
  });

  it('applies the owner’s redactions to the events that wrote the field, and to nothing else', () => {
    const owner = '6f1c2c8e-3b7a-4d2e-9a0b-1c2d3e4f5a6b';
    const assignmentId = '0b9d8c7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e';
    const redaction = { type: 'PersonalDataRedacted', data: { ownerId: owner, record: 'assignment_submission', recordId: assignmentId, field: 'text', start: 4, length: 3 } };
    const events: { type: string; data: Record<string, unknown> }[] = [
      { type: 'AssignmentSubmitted', data: { assignmentId, learnerId: owner, text: 'Hi, Nok!' } },
      { type: 'AssignmentSubmitted', data: { assignmentId: owner, learnerId: owner, text: 'Hi, Nok!' } },
      { type: 'SubmissionGraded', data: { assignmentId, learnerId: owner, feedback: 'Hi, Nok!' } },
      redaction,
    ];
    expect(withRedactions(owner, events).map((e) => e.data.text ?? e.data.feedback)).toEqual(['Hi, ███!', 'Hi, Nok!', 'Hi, Nok!', undefined]);
  });
});
