/**
 * Interoperability: Moodle imports (standard log, gradebook export) and xAPI
 * (an LRS at /xapi; a course's log and a learner's activity as statements).
 * Other code imports '@learnstream/interop'.
 */
export * from './headless';
export { DEFAULT_INTEROP_OPTIONS, INTEROP_OPTIONS, interopOptions, type InteropOptions } from './interop.options';
export { InteropModule } from './interop.module';
export { ImportJobs, type ImportJobView } from './moodle/import-jobs';
export { XapiStatementsProjection } from './xapi/xapi-statements.projection';
export { learnerStatements, eventToStatement, XapiExport } from './xapi/learner-statements';
export { toStatement, type LogEventFacts } from './xapi/to-xapi';
export { validateStatement, type JsonObject as XapiStatement } from './xapi/statement';
export { OuladImporter, ouladAssessmentId, ouladCourseId, ouladStudentId, type OuladImportOptions, type OuladImportSummary } from './oulad/oulad-importer';
