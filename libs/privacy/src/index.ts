/**
 * Privacy: data-subject rights on an append-only log (DESIGN.md) — requests
 * with a DPO workflow and deadlines, access and portability (JSON, xAPI),
 * rectification, erasure by crypto-shredding with per-projection receipts,
 * restriction, objection to profiling, consents per purpose, legal holds,
 * account cancellation, the retention registry and sweep, and the access
 * audit. Other code imports '@learnstream/privacy'; this library imports no
 * feature library (features import it, for the access audit).
 */
export * from './privacy.events';
export { PERSONAL_DATA_EXPORT_SCHEMA, EXPORT_SCHEMA_ID } from './export/export.schema';
export { accessPurposeOf, personalDataAccessEvents, recordPersonalDataAccess, type PersonalDataAccess } from './access-audit';
export { decideRequest, evolveRequest, initialRequest, isOpen, type RequestCommand, type RequestState, type RequestStatus } from './privacy-request';
export { CONSENT_DEFAULTS, consentHolds, decideSubject, evolveSubject, initialSubject, type SubjectCommand, type SubjectState } from './privacy-subject';
export { DEFAULT_PRIVACY_OPTIONS, PRIVACY_OPTIONS, privacyOptions, type PrivacyOptions } from './privacy.options';
export { retentionRegistry, type RetentionEntry } from './retention-registry';
export { ErasureService, LegalHoldError } from './erasure.service';
export { ErasureReplay, type ReplayReport } from './erasure-replay';
export { RetentionSweep, retentionCutoff, type SweepReport } from './retention-sweep';
export { PrivacyRepository, requestEvent, subjectEvent } from './privacy.repository';
export { SubjectExporter, type ExportedEvent, type PersonalDataExport } from './export/subject-export';
export { toXapi, type XapiStatement } from './export/xapi';
export { PrivacyModule, PrivacyRetentionModule, RetentionScheduler } from './privacy.module';
export { AccessLogProjection } from './projections/access-log.projection';
export { PrivacyRequestsProjection } from './projections/privacy-requests.projection';
export { SubjectEventsProjection, involvementOf } from './projections/subject-events.projection';
export { SubjectFlagsProjection } from './projections/subject-flags.projection';
export { MentionsProjection } from './projections/mentions.projection';
export { MASK, MentionFinder, excerptOf, masked, spansOf, withRedactions, type Span } from './mentions';
