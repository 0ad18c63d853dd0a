/** Errors of the personal-data layer, with stable codes; mapped once to HTTP in the api app. */
export class PersonalDataError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The subject was erased: their keys are gone and no new key is ever made for them. */
export class SubjectErasedError extends PersonalDataError {
  constructor(readonly subjectId: string) {
    super('SUBJECT_ERASED', `data subject ${subjectId} has been erased: their keys are destroyed and none can be created`);
  }
}

/** MASTER_KEY is not the key that wrapped the data keys of this database. */
export class MasterKeyMismatchError extends PersonalDataError {
  constructor() {
    super(
      'MASTER_KEY_MISMATCH',
      'MASTER_KEY is not the master key this database was set up with (the key store canary does not decrypt). ' +
        'Start with the original MASTER_KEY: with another key no personal data can be read, and new keys would be unreadable later.',
    );
  }
}

/** A stored data key does not unwrap: its row was altered, or the master key is wrong. */
export class CorruptedKeyError extends PersonalDataError {
  constructor(readonly keyId: string) {
    super('KEY_CORRUPTED', `data key ${keyId} does not unwrap under the master key: the key row was altered, or MASTER_KEY is wrong`);
  }
}

/** A sealed value fails authentication or is malformed: corruption or tampering, never erasure. */
export class TamperedDataError extends PersonalDataError {
  constructor(readonly path: string, reason: string) {
    super('PERSONAL_DATA_TAMPERED', `sealed personal data at ${path} ${reason}: this is corruption or tampering, not erasure`);
  }
}

/** A caller passed something that cannot be sealed (bad subject id, reserved key, undefined value…). */
export class InvalidPersonalDataError extends PersonalDataError {
  constructor(message: string) {
    super('INVALID_PERSONAL_DATA', message);
  }
}
