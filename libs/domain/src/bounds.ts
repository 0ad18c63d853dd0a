/**
 * The bounds of every number a client may send, in one place: request bodies
 * (`@Bounded(...)` in libs/core, for REST and the GraphQL inputs that extend
 * the same DTOs) and the deciders' own checks use these, so an importer or a
 * GraphQL mutation meets the same limits as a REST call. A number outside
 * them is refused with 400 VALIDATION_FAILED (or the decider's own code)
 * before anything is appended; it never reaches the log, where 1e308 as a
 * weight would break every total computed from it.
 */
export interface NumberBound {
  readonly min: number;
  readonly max: number;
  /** Whole numbers only. */
  readonly integer: boolean;
  /** What the number is, for the message: "points", "a weight", ... */
  readonly what: string;
}

export const NUMBER_BOUNDS = {
  /** Grades, maximum and pass grades, a question's points, an override (points on an item). */
  points: { min: 0, max: 100_000, integer: false, what: 'points' },
  /** A gradebook weight (relative: only the ratios matter). */
  weight: { min: 0, max: 10_000, integer: false, what: 'a weight' },
  /** A percentage (pass percentage, letter band, course grade to reach). */
  percentage: { min: 0, max: 100, integer: false, what: 'a percentage' },
  /** A count a person sets: attempts allowed (0 = unlimited), lowest grades dropped. */
  count: { min: 0, max: 1_000, integer: true, what: 'a count' },
  /** A duration in seconds a person sets (a quiz's time limit): up to 7 days. */
  seconds: { min: 1, max: 604_800, integer: true, what: 'seconds' },
  /** A position in a list (a section's index). */
  position: { min: 0, max: 10_000, integer: true, what: 'a position' },
  /** How many rows a page skips. */
  offset: { min: 0, max: 10_000_000, integer: true, what: 'an offset' },
  /** An id number of another system (a Moodle course id). */
  externalId: { min: 1, max: 2_147_483_647, integer: true, what: 'an external id' },
} as const satisfies Record<string, NumberBound>;

export type BoundKind = keyof typeof NUMBER_BOUNDS;

/** The stable message for a number outside its bound: "<field> must be <a number|a whole number> from <min> to <max>". */
export function boundMessage(field: string, bound: Pick<NumberBound, 'min' | 'max' | 'integer'>): string {
  return `${field} must be ${bound.integer ? 'a whole number' : 'a number'} from ${bound.min} to ${bound.max}`;
}

/** Whether v is a finite number within the bound (the bound's min and max inclusive). */
export function withinBound(v: unknown, bound: Pick<NumberBound, 'min' | 'max' | 'integer'>): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= bound.min && v <= bound.max && (!bound.integer || Number.isInteger(v));
}

/** The nil UUID and the max UUID (RFC 9562) are never the id of anything here. */
export const RESERVED_UUIDS: ReadonlySet<string> = new Set(['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff']);
