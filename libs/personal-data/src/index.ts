/**
 * Per-data-subject encryption of personal data in events (DESIGN.md, "Privacy
 * on an append-only log"): a PostgreSQL key store whose keys are wrapped by the
 * master key, and a cipher that seals `personal()` markers and opens them again.
 * Nest-free: the api wires KeyStore and PersonalDataCipher as providers.
 */
export { PersonalDataCipher, SealedRequests, type Opened, type RequestValue, type Sealed, type SealedValue } from './cipher';
export {
  CorruptedKeyError,
  InvalidPersonalDataError,
  MasterKeyMismatchError,
  PersonalDataError,
  SubjectErasedError,
  TamperedDataError,
} from './errors';
export { ErasureLedgerFile, type ErasureRecord } from './erasure-ledger';
export { KEYS_DESTROYED_CHANNEL, KeyStore, type DataKey, type ErasureLink, type KeyRequest, type KeyStoreOptions, type ReappliedErasures } from './key-store';
export { Personal, personal, sealed } from './personal';
export { DATA_SCOPE, periodOf, requestScope, type KeyScope } from './scope';
