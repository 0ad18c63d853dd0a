/**
 * '@learnstream/interop/headless': the Moodle importers and the `learnstream import` command, with their events,
 * without the LRS and the HTTP import jobs: what the CLI's import loads.
 */
export { INTEROP_EVENT_TYPES, type InteropEvent, type ImportedLogEntry, type ImportedLogin, type XapiStatementRecorded } from './interop.events';
export { InteropImportModule } from './interop-import.module';
export { runImportCommand, parseImportArgs, IMPORT_USAGE } from './import.cli';
export { MoodleLogImporter, type MoodleLogImportOptions, type MoodleLogImportSummary, type ImportProgress, type RejectedRow } from './moodle/moodle-log-importer';
export { MoodleGradesImporter, type MoodleGradesImportOptions, type MoodleGradesImportSummary } from './moodle/moodle-grades-importer';
export { loadMapping, parseMapping, type MappingFile } from './moodle/mapping-file';
