/**
 * A gradebook's pass mark and letter scale, and the letter a percentage earns.
 */
import type { LetterGrade } from './gradebook.events';
import { isPercentage } from './event-validators';

export const DEFAULT_PASS_PERCENTAGE = 50;

/** Bands from the top: a percentage earns the first band whose minimum it reaches. */
export const DEFAULT_LETTER_SCALE: readonly LetterGrade[] = Object.freeze([
  { letter: 'A', minPercentage: 80 },
  { letter: 'B', minPercentage: 70 },
  { letter: 'C', minPercentage: 60 },
  { letter: 'D', minPercentage: 50 },
  { letter: 'F', minPercentage: 0 },
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * Problems with a letter scale: bands strictly descending by minPercentage
 * (so no two bands overlap) and the last one starting at 0 (so every
 * percentage has a letter); letters 1 to 20 characters, each used once.
 */
export function letterScaleProblems(scale: unknown): string[] {
  if (!Array.isArray(scale) || scale.length === 0) return ['the letter scale must be a non-empty list of { letter, minPercentage }'];
  const problems: string[] = [];
  const letters = new Set<unknown>();
  scale.forEach((band: unknown, i) => {
    const letter = isObject(band) ? band.letter : undefined;
    const min = isObject(band) ? band.minPercentage : undefined;
    if (typeof letter !== 'string' || !letter.trim() || letter.length > 20) problems.push(`band ${i}: the letter must be 1 to 20 characters`);
    else if (letters.has(letter)) problems.push(`band ${i}: the letter ${letter} is used twice`);
    letters.add(letter);
    if (!isPercentage(min)) problems.push(`band ${i}: minPercentage must be a number from 0 to 100`);
    const previous = i > 0 && isObject(scale[i - 1]) ? (scale[i - 1] as Record<string, unknown>).minPercentage : undefined;
    if (isPercentage(min) && isPercentage(previous) && min >= previous) {
      problems.push(`band ${i}: minPercentage must be below the band before it (strictly descending)`);
    }
  });
  const last = scale[scale.length - 1];
  if (!isObject(last) || last.minPercentage !== 0) problems.push('the last band must start at 0, so that every percentage has a letter');
  return problems;
}

/** The letter of a percentage (0 to 100) on a valid scale. */
export function letterFor(percentage: number, scale: readonly LetterGrade[]): string {
  return (scale.find((band) => percentage >= band.minPercentage) ?? scale[scale.length - 1]).letter;
}
