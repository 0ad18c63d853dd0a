/**
 * Privacy: data-subject rights on an append-only log (DESIGN.md) — requests
 * with a DPO workflow and deadlines, access and portability (JSON, xAPI),
 * rectification, erasure by crypto-shredding with per-projection receipts,
 * restriction, objection to profiling, consents per purpose, legal holds,
 * account cancellation, the retention registry and sweep, and the access
 * audit. Other code imports '@learnstream/privacy'; this library imports no
 * feature library (features import it, for the access audit).
 */
export * from './headless';
export { PERSONAL_DATA_EXPORT_SCHEMA, EXPORT_SCHEMA_ID } from './export/export.schema';
export { SubjectExporter, type ExportedEvent, type PersonalDataExport } from './export/subject-export';
export { toXapi, type XapiStatement } from './export/xapi';
export { PrivacyModule, RetentionScheduler } from './privacy.module';
export { AccessLogProjection } from './projections/access-log.projection';
export { SubjectEventsProjection, involvementOf } from './projections/subject-events.projection';
