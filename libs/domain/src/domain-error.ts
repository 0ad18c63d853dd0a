/**
 * A business rule said no. Every domain error has a stable `code` (what clients
 * switch on) and a kind that maps it once to HTTP and GraphQL:
 *   invalid   → 400 (the input itself is wrong)
 *   not_found → 404
 *   conflict  → 409 (the state does not allow it: already done, concurrent change)
 *   rule      → 422 (a well-formed request a business rule refuses: closed quiz, no attempts left)
 *   forbidden → 403
 */
export type DomainErrorKind = 'invalid' | 'not_found' | 'conflict' | 'rule' | 'forbidden';

export const DOMAIN_ERROR_STATUS: Record<DomainErrorKind, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  rule: 422,
  forbidden: 403,
};

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return DOMAIN_ERROR_STATUS[this.kind];
  }
}

/** A domain event as decide() returns it: type and data; the handler adds the envelope. */
export interface DomainEvent<Type extends string = string, Data extends object = Record<string, unknown>> {
  type: Type;
  data: Data;
}
