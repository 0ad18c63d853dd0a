/**
 * The marker writers put around personal data, anywhere inside an event's
 * `data`: `{ email: personal(userId, 'ann@example.com') }`. PersonalDataCipher.seal
 * replaces each marker by a blob encrypted under that subject's key.
 */
import { simple } from '@learnstream/domain';
import { InvalidPersonalDataError } from './errors';
import { subjectIdOf } from './scope';

export class Personal<T = unknown> {
  constructor(
    readonly subjectId: string,
    readonly value: T,
  ) {}

  /**
   * A marker never reaches JSON unsealed: an event serialised without seal()
   * fails here instead of writing plaintext to the log, and so does a marker
   * nested in another marker's value (one subject's data in another's ciphertext).
   */
  toJSON(): never {
    throw new InvalidPersonalDataError(
      `personal data of subject ${this.subjectId} was serialised unsealed: pass the document through PersonalDataCipher.seal (markers cannot be nested)`,
    );
  }
}

/** Marks `value` (any JSON value) as personal data of the subject. */
export function personal<T>(subjectId: string, value: T): Personal<T> {
  if (value === undefined) throw new InvalidPersonalDataError('personal(): the value is undefined (use null for "no value")');
  return new Personal(subjectIdOf(subjectId), value);
}

/** The event-data check of a personal field: wrapped with `personal()` by the writer, never clear. */
export const sealed = simple('personal data wrapped with personal(subjectId, value), never clear', (v) => v instanceof Personal);
