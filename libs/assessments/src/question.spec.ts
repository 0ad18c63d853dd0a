import { DomainError } from '@learnstream/domain';
import { gradeAnswer, normaliseShortAnswer, questionProblems, type Question } from './question';
import { ALL_QUESTIONS, multi, numeric, shortAnswer, single, trueFalse } from './testing/sample-questions';

function answerError(question: Question, answer: unknown): DomainError {
  try {
    gradeAnswer(question, answer);
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected the answer to be refused');
}

describe('gradeAnswer', () => {
  it.each(ALL_QUESTIONS.map((q) => [q.kind, q]))('scores no answer as 0 (%s)', (_kind, question) => {
    expect(gradeAnswer(question, undefined)).toEqual({ score: 0, correct: false });
    expect(gradeAnswer(question, null)).toEqual({ score: 0, correct: false });
  });

  describe('multiple_choice_single', () => {
    it('gives the points for the right choice and none for another', () => {
      expect(gradeAnswer(single, 'b')).toEqual({ score: 1, correct: true });
      expect(gradeAnswer(single, 'a')).toEqual({ score: 0, correct: false });
    });

    it('refuses a choice the question does not have, or a list', () => {
      for (const answer of ['z', ['b'], 2]) {
        const error = answerError(single, answer);
        expect(error).toBeInstanceOf(DomainError);
        expect(error.code).toBe('QUESTION_ANSWER_INVALID');
        expect(error.kind).toBe('invalid');
      }
    });
  });

  describe('multiple_choice_multi: max(0, (right − wrong) / correct) × points', () => {
    it.each([
      [['a', 'c'], 2, true],
      [['c', 'a'], 2, true],
      [['a'], 1, 'partial'],
      [['a', 'c', 'b'], 1, 'partial'],
      [['a', 'b'], 0, false],
      [['a', 'b', 'c', 'd'], 0, false],
      [['b', 'd'], 0, false],
      [['a', 'a'], 1, 'partial'],
      [[], 0, false],
    ])('%j scores %s', (answer, score, correct) => {
      expect(gradeAnswer(multi, answer)).toEqual({ score, correct });
    });

    it('rounds a third of a point to 7 decimals', () => {
      const three = { ...multi, points: 1, correct: ['a', 'b', 'c'] };
      expect(gradeAnswer(three, ['a'])).toEqual({ score: 0.3333333, correct: 'partial' });
    });

    it('refuses a single id or an unknown choice', () => {
      expect(answerError(multi, 'a').code).toBe('QUESTION_ANSWER_INVALID');
      expect(answerError(multi, ['a', 'z']).code).toBe('QUESTION_ANSWER_INVALID');
      expect(answerError(multi, [1]).code).toBe('QUESTION_ANSWER_INVALID');
    });
  });

  describe('true_false', () => {
    it('compares with the right value', () => {
      expect(gradeAnswer(trueFalse, true)).toEqual({ score: 1, correct: true });
      expect(gradeAnswer(trueFalse, false)).toEqual({ score: 0, correct: false });
      expect(gradeAnswer({ ...trueFalse, correct: false }, false)).toEqual({ score: 1, correct: true });
    });

    it('refuses anything but a boolean', () => {
      expect(answerError(trueFalse, 'true').code).toBe('QUESTION_ANSWER_INVALID');
      expect(answerError(trueFalse, 1).code).toBe('QUESTION_ANSWER_INVALID');
    });
  });

  describe('short_answer', () => {
    it('trims, collapses spaces and ignores case unless case-sensitive', () => {
      expect(gradeAnswer(shortAnswer, '  bangkok ')).toEqual({ score: 1, correct: true });
      expect(gradeAnswer(shortAnswer, 'KRUNG \t  thep')).toEqual({ score: 1, correct: true });
      expect(gradeAnswer(shortAnswer, 'Bangkok City')).toEqual({ score: 0, correct: false });
      expect(gradeAnswer(shortAnswer, 'Krungthep')).toEqual({ score: 0, correct: false });
    });

    it('compares case when the question is case-sensitive', () => {
      const exact = { ...shortAnswer, caseSensitive: true };
      expect(gradeAnswer(exact, 'Bangkok')).toEqual({ score: 1, correct: true });
      expect(gradeAnswer(exact, ' Bangkok  ')).toEqual({ score: 1, correct: true });
      expect(gradeAnswer(exact, 'bangkok')).toEqual({ score: 0, correct: false });
    });

    it('normalises accepted answers the same way as given ones', () => {
      expect(gradeAnswer({ ...shortAnswer, accepted: ['  Krung   Thep '] }, 'krung thep')).toEqual({ score: 1, correct: true });
    });

    it('compares composed and decomposed Unicode as equal', () => {
      const cafe = { ...shortAnswer, accepted: ['caf\u00e9'] };
      expect(gradeAnswer(cafe, 'cafe\u0301')).toEqual({ score: 1, correct: true });
    });

    it('scores a blank answer as no answer', () => {
      expect(gradeAnswer(shortAnswer, '   ')).toEqual({ score: 0, correct: false });
    });

    it('refuses a non-text answer', () => {
      expect(answerError(shortAnswer, 42).code).toBe('QUESTION_ANSWER_INVALID');
    });

    it('normaliseShortAnswer', () => {
      expect(normaliseShortAnswer('  A \n  b  ', false)).toBe('a b');
      expect(normaliseShortAnswer('  A \n  b  ', true)).toBe('A b');
    });
  });

  describe('numeric', () => {
    it('accepts the answer and both bounds of the tolerance', () => {
      for (const answer of [3.14, 3.13, 3.15, 3.135]) expect(gradeAnswer(numeric, answer)).toEqual({ score: 2, correct: true });
    });

    it('refuses just outside the tolerance', () => {
      for (const answer of [3.1299, 3.1501, -3.14]) expect(gradeAnswer(numeric, answer)).toEqual({ score: 0, correct: false });
    });

    it('with no tolerance, wants the exact value (modulo binary rounding)', () => {
      const exact = { ...numeric, answer: 0.3, tolerance: 0 };
      expect(gradeAnswer(exact, 0.1 + 0.2)).toEqual({ score: 2, correct: true });
      expect(gradeAnswer(exact, 0.3001)).toEqual({ score: 0, correct: false });
    });

    it('works for negative answers', () => {
      const negative = { ...numeric, answer: -5, tolerance: 0.5 };
      expect(gradeAnswer(negative, -5.5).correct).toBe(true);
      expect(gradeAnswer(negative, -5.6).correct).toBe(false);
    });

    it('refuses a numeric string or a non-finite number', () => {
      for (const answer of ['3.14', Number.NaN, Number.POSITIVE_INFINITY]) expect(answerError(numeric, answer).code).toBe('QUESTION_ANSWER_INVALID');
    });
  });
});

describe('questionProblems', () => {
  it.each(ALL_QUESTIONS.map((q) => [q.kind, q]))('accepts a valid %s question', (_kind, question) => {
    expect(questionProblems(question)).toEqual([]);
  });

  it.each([
    ['no skill', { ...single, skills: [] }, 'question.skills must be a list of 1 to 10 items'],
    ['eleven skills', { ...single, skills: Array.from({ length: 11 }, (_, i) => `s${i}`) }, 'question.skills must be a list of 1 to 10 items'],
    ['an upper-case skill', { ...single, skills: ['Fractions'] }, 'question.skills[0] must be a lower-case slug of at most 50 characters (a-z, 0-9, hyphens)'],
    ['a skill with spaces', { ...single, skills: ['word problems'] }, 'question.skills[0] must be a lower-case slug of at most 50 characters (a-z, 0-9, hyphens)'],
    ['a repeated skill', { ...single, skills: ['a', 'a'] }, 'question.skills must not repeat an item'],
    ['no points', { ...single, points: 0 }, 'question.points must be a number > 0'],
    ['a blank text', { ...single, text: '  ' }, 'question.text must be a non-blank text of at most 10000 characters'],
    ['a question id that is not a UUID', { ...single, questionId: 'q1' }, 'question.questionId must be a UUID'],
    ['one choice', { ...single, choices: [{ id: 'b', text: '1/2' }] }, 'question.choices must be a list of 2 to 20 items'],
    ['a right choice that does not exist', { ...single, correct: 'z' }, 'question.correct names choices that do not exist: z'],
    ['repeated choice ids', { ...single, choices: [{ id: 'b', text: 'x' }, { id: 'b', text: 'y' }] }, 'question.choices must have distinct ids'],
    ['no right choice', { ...multi, correct: [] }, 'question.correct must be a list of 1 to 20 items'],
    ['a right choice repeated', { ...multi, correct: ['a', 'a'] }, 'question.correct must not repeat an item'],
    ['a multi right choice that does not exist', { ...multi, correct: ['a', 'e'] }, 'question.correct names choices that do not exist: e'],
    ['a true/false answer as text', { ...trueFalse, correct: 'true' }, 'question.correct must be a boolean'],
    ['no accepted answer', { ...shortAnswer, accepted: [] }, 'question.accepted must be a list of 1 to 50 items'],
    ['no case sensitivity', { ...shortAnswer, caseSensitive: undefined }, 'question.caseSensitive must be a boolean'],
    ['a negative tolerance', { ...numeric, tolerance: -0.1 }, 'question.tolerance must be a number ≥ 0'],
    ['a non-finite answer', { ...numeric, answer: Number.NaN }, 'question.answer must be a finite number'],
    ['an unknown kind', { ...single, kind: 'essay' }, 'question.kind must be one of multiple_choice_single, multiple_choice_multi, true_false, short_answer, numeric'],
    ['a field of another kind', { ...trueFalse, tolerance: 1 }, 'question has unexpected fields: tolerance'],
  ])('refuses %s', (_case, question, problem) => {
    expect(questionProblems(question)).toContain(problem);
  });
});
