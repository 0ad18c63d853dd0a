/** One question of each kind, shared by the specs: 7 points in all. */
import type {
  MultipleChoiceMultiQuestion,
  MultipleChoiceSingleQuestion,
  NumericQuestion,
  Question,
  ShortAnswerQuestion,
  TrueFalseQuestion,
} from '../question';

export const single: MultipleChoiceSingleQuestion = {
  questionId: '00000000-0000-4000-8000-00000000a001',
  kind: 'multiple_choice_single',
  text: 'Which fraction equals 0.5?',
  points: 1,
  skills: ['fractions'],
  choices: [
    { id: 'a', text: '1/3' },
    { id: 'b', text: '1/2' },
    { id: 'c', text: '2/3' },
  ],
  correct: 'b',
};

export const multi: MultipleChoiceMultiQuestion = {
  questionId: '00000000-0000-4000-8000-00000000a002',
  kind: 'multiple_choice_multi',
  text: 'Which numbers are prime?',
  points: 2,
  skills: ['primes', 'number-sense'],
  choices: [
    { id: 'a', text: '2' },
    { id: 'b', text: '4' },
    { id: 'c', text: '7' },
    { id: 'd', text: '9' },
  ],
  correct: ['a', 'c'],
};

export const trueFalse: TrueFalseQuestion = {
  questionId: '00000000-0000-4000-8000-00000000a003',
  kind: 'true_false',
  text: 'Every square is a rectangle.',
  points: 1,
  skills: ['logic'],
  correct: true,
};

export const shortAnswer: ShortAnswerQuestion = {
  questionId: '00000000-0000-4000-8000-00000000a004',
  kind: 'short_answer',
  text: 'The capital of Thailand?',
  points: 1,
  skills: ['geography'],
  accepted: ['Bangkok', 'Krung Thep'],
  caseSensitive: false,
};

export const numeric: NumericQuestion = {
  questionId: '00000000-0000-4000-8000-00000000a005',
  kind: 'numeric',
  text: 'Pi to two decimals?',
  points: 2,
  skills: ['geometry'],
  answer: 3.14,
  tolerance: 0.01,
};

export const ALL_QUESTIONS: Question[] = [single, multi, trueFalse, shortAnswer, numeric];
