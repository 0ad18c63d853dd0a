/**
 * Quiz questions: their shapes, their validation, and how one answer is
 * scored. Pure, so a regrade from the log gives the same scores.
 *
 * Every question has points and 1 to 10 skill tags (lower-case slugs): the
 * scores of an attempt are reported per skill, which is how a learner profile
 * shows strengths and weaknesses from events alone.
 */
import { DomainError, NUMBER_BOUNDS, withinBound } from '@learnstream/domain';
import {
  arrayOf,
  bool,
  finiteNumber,
  isPlainObject,
  nonNegativeNumber,
  object,
  oneOf,
  positiveNumber,
  simple,
  slug,
  text,
  uuid,
  type Check,
} from './data-checks';
import { roundTo, SCORE_DECIMALS } from './grading';

export const QUESTION_KINDS = ['multiple_choice_single', 'multiple_choice_multi', 'true_false', 'short_answer', 'numeric'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

interface QuestionBase {
  questionId: string;
  text: string;
  points: number;
  /** Skill/topic tags, lower-case slugs, 1 to 10. */
  skills: string[];
}

export interface Choice {
  /** Opaque token chosen by the author (`a`, `b`, …): the answer names it. */
  id: string;
  text: string;
}

/** Answer: the id of one choice. */
export interface MultipleChoiceSingleQuestion extends QuestionBase {
  kind: 'multiple_choice_single';
  choices: Choice[];
  correct: string;
}

/**
 * Answer: the ids of the chosen choices. Partial credit:
 *   score = max(0, (right picks − wrong picks) / number of correct choices) × points
 * so guessing every choice earns nothing, and a wrong pick cancels a right one.
 */
export interface MultipleChoiceMultiQuestion extends QuestionBase {
  kind: 'multiple_choice_multi';
  choices: Choice[];
  correct: string[];
}

/** Answer: true or false. */
export interface TrueFalseQuestion extends QuestionBase {
  kind: 'true_false';
  correct: boolean;
}

/** Answer: a string, compared after trimming and collapsing runs of spaces. */
export interface ShortAnswerQuestion extends QuestionBase {
  kind: 'short_answer';
  accepted: string[];
  caseSensitive: boolean;
}

/** Answer: a number, right when within ± tolerance of `answer` (bounds included). */
export interface NumericQuestion extends QuestionBase {
  kind: 'numeric';
  answer: number;
  tolerance: number;
}

export type Question = MultipleChoiceSingleQuestion | MultipleChoiceMultiQuestion | TrueFalseQuestion | ShortAnswerQuestion | NumericQuestion;

const CHOICE_ID = /^[A-Za-z0-9_-]{1,50}$/;
const choiceId = simple('a choice id of 1 to 50 characters (A-Z, a-z, 0-9, _, -)', (v) => typeof v === 'string' && CHOICE_ID.test(v));
const choices = arrayOf(object({ id: choiceId, text: text(1000) }), 2, 20);

const base = {
  questionId: uuid,
  kind: oneOf(...QUESTION_KINDS),
  text: text(10_000),
  points: (v: unknown, path: string) => {
    const problems = positiveNumber(v, path);
    return problems.length || withinBound(v, NUMBER_BOUNDS.points) ? problems : [`${path} must be at most ${NUMBER_BOUNDS.points.max}`];
  },
  skills: arrayOf(slug, 1, 10, { unique: true }),
};

const SHAPES: Record<QuestionKind, Check> = {
  multiple_choice_single: object({ ...base, choices, correct: choiceId }),
  multiple_choice_multi: object({ ...base, choices, correct: arrayOf(choiceId, 1, 20, { unique: true }) }),
  true_false: object({ ...base, correct: bool }),
  short_answer: object({ ...base, accepted: arrayOf(text(500), 1, 50), caseSensitive: bool }),
  numeric: object({ ...base, answer: finiteNumber, tolerance: nonNegativeNumber }),
};

/** The shape of a question, then the rules between its fields (the right choices exist). */
export const questionCheck: Check = (v, path) => {
  if (!isPlainObject(v)) return [`${path} must be an object`];
  if (typeof v.kind !== 'string' || !Object.hasOwn(SHAPES, v.kind)) return [`${path}.kind must be one of ${QUESTION_KINDS.join(', ')}`];
  const problems = SHAPES[v.kind as QuestionKind](v, path);
  if (problems.length) return problems;
  const q = v as unknown as Question;
  if (q.kind === 'multiple_choice_single' || q.kind === 'multiple_choice_multi') {
    const ids = q.choices.map((c) => c.id);
    if (new Set(ids).size !== ids.length) problems.push(`${path}.choices must have distinct ids`);
    const correct = q.kind === 'multiple_choice_single' ? [q.correct] : q.correct;
    const unknown = correct.filter((id) => !ids.includes(id));
    if (unknown.length) problems.push(`${path}.correct names choices that do not exist: ${unknown.join(', ')}`);
  }
  return problems;
};

export const questionProblems = (question: unknown): string[] => questionCheck(question, 'question');

export interface AnswerGrade {
  score: number;
  correct: boolean | 'partial';
}

const NO_ANSWER: AnswerGrade = { score: 0, correct: false };

function invalidAnswer(question: Question, expected: string): DomainError {
  const problem = `question ${question.questionId}: the answer must be ${expected}`;
  return new DomainError('invalid', 'QUESTION_ANSWER_INVALID', problem, [problem]);
}

function credit(fraction: number, points: number): AnswerGrade {
  return { score: roundTo(fraction * points, SCORE_DECIMALS), correct: fraction >= 1 ? true : fraction <= 0 ? false : 'partial' };
}

/**
 * Trims, collapses runs of white space to one space and composes Unicode
 * (NFC: a Thai or accented answer typed on another keyboard compares equal).
 */
export function normaliseShortAnswer(value: string, caseSensitive: boolean): string {
  const n = value.normalize('NFC').trim().replace(/\s+/g, ' ');
  return caseSensitive ? n : n.toLowerCase();
}

/**
 * Absorbs binary rounding at the tolerance bounds (3.14 ± 0.01 must accept
 * 3.13, though 3.14 − 3.13 is 0.010000000000000231 in floating point).
 */
const slack = (...values: number[]) => 1e-12 * Math.max(1, ...values.map(Math.abs));

/**
 * Scores one answer. No answer (undefined or null, an empty selection, a
 * blank text) scores 0. An answer of the wrong shape for the kind, or naming
 * a choice the question does not have, is refused with QUESTION_ANSWER_INVALID.
 */
export function gradeAnswer(question: Question, answer: unknown): AnswerGrade {
  if (answer === undefined || answer === null) return NO_ANSWER;
  switch (question.kind) {
    case 'multiple_choice_single': {
      if (typeof answer !== 'string' || !question.choices.some((c) => c.id === answer)) throw invalidAnswer(question, 'the id of one of its choices');
      return credit(answer === question.correct ? 1 : 0, question.points);
    }
    case 'multiple_choice_multi': {
      const ids = question.choices.map((c) => c.id);
      if (!Array.isArray(answer) || answer.some((id) => typeof id !== 'string' || !ids.includes(id))) {
        throw invalidAnswer(question, 'a list of ids of its choices');
      }
      const picked = new Set(answer as string[]);
      const right = [...picked].filter((id) => question.correct.includes(id)).length;
      const wrong = picked.size - right;
      return credit(Math.max(0, (right - wrong) / question.correct.length), question.points);
    }
    case 'true_false': {
      if (typeof answer !== 'boolean') throw invalidAnswer(question, 'true or false');
      return credit(answer === question.correct ? 1 : 0, question.points);
    }
    case 'short_answer': {
      if (typeof answer !== 'string') throw invalidAnswer(question, 'a text');
      const given = normaliseShortAnswer(answer, question.caseSensitive);
      if (given === '') return NO_ANSWER;
      const accepted = question.accepted.some((a) => normaliseShortAnswer(a, question.caseSensitive) === given);
      return credit(accepted ? 1 : 0, question.points);
    }
    case 'numeric': {
      if (typeof answer !== 'number' || !Number.isFinite(answer)) throw invalidAnswer(question, 'a finite number');
      const within = Math.abs(answer - question.answer) <= question.tolerance + slack(answer, question.answer);
      return credit(within ? 1 : 0, question.points);
    }
  }
}
