import { DomainError } from '@learnstream/domain';

/** The DomainError a decision throws, to assert on its kind and details. */
export function failureOf(run: () => unknown): DomainError {
  try {
    run();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError, the decision succeeded');
}
