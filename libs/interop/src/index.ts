/**
 * Interoperability: Moodle imports (standard log, gradebook export) and xAPI
 * (an LRS at /xapi; a course's log and a learner's activity as statements).
 * Other code imports '@learnstream/interop'.
 */
export { INTEROP_EVENT_TYPES, type InteropEvent, type ImportedLogEntry, type ImportedLogin, type XapiStatementRecorded } from './interop.events';
export { DEFAULT_INTEROP_OPTIONS, INTEROP_OPTIONS, interopOptions, type InteropOptions } from './interop.options';
export { InteropImportModule, InteropModule } from './interop.module';
export { runImportCommand, parseImportArgs, IMPORT_USAGE } from './import.cli';
export { MoodleLogImporter, type MoodleLogImportOptions, type MoodleLogImportSummary, type ImportProgress, type RejectedRow } from './moodle/moodle-log-importer';
export { ImportJobs, type ImportJobView } from './moodle/import-jobs';
export { MoodleGradesImporter, type MoodleGradesImportOptions, type MoodleGradesImportSummary } from './moodle/moodle-grades-importer';
export { loadMapping, parseMapping, type MappingFile } from './moodle/mapping-file';
export { XapiStatementsProjection } from './xapi/xapi-statements.projection';
export { learnerStatements, eventToStatement, XapiExport } from './xapi/learner-statements';
export { toStatement, type LogEventFacts } from './xapi/to-xapi';
export { validateStatement, type JsonObject as XapiStatement } from './xapi/statement';
export { OuladImporter, ouladAssessmentId, ouladCourseId, ouladStudentId, type OuladImportOptions, type OuladImportSummary } from './oulad/oulad-importer';
