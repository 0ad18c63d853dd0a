/**
 * '@learnstream/privacy/headless': erasure, its replay at every start and the retention sweep (PrivacyRetentionModule),
 * the events and the inline read models, without HTTP: what the CLI's import loads. The barrel adds the REST API,
 * the export and the reports' read models.
 */
export * from './privacy.events';
export { accessPurposeOf, personalDataAccessEvents, recordPersonalDataAccess, type PersonalDataAccess } from './access-audit';
export { decideRequest, evolveRequest, initialRequest, isOpen, type RequestCommand, type RequestState, type RequestStatus } from './privacy-request';
export { CONSENT_DEFAULTS, consentHolds, decideSubject, evolveSubject, initialSubject, type SubjectCommand, type SubjectState } from './privacy-subject';
export { DEFAULT_PRIVACY_OPTIONS, PRIVACY_OPTIONS, privacyOptions, type PrivacyOptions } from './privacy.options';
export { retentionRegistry, type RetentionEntry } from './retention-registry';
export { ErasureService, LegalHoldError } from './erasure.service';
export { ErasureReplay, type ReplayReport } from './erasure-replay';
export { RetentionSweep, retentionCutoff, type SweepReport } from './retention-sweep';
export { PrivacyRepository, requestEvent, subjectEvent } from './privacy.repository';
export { PrivacyRetentionModule } from './privacy-retention.module';
export { PrivacyRequestsProjection } from './projections/privacy-requests.projection';
export { SubjectFlagsProjection } from './projections/subject-flags.projection';
export { MentionsProjection } from './projections/mentions.projection';
export { MASK, MentionFinder, excerptOf, masked, spansOf, withRedactions, type Span } from './mentions';
