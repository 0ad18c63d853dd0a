/**
 * Client-side activity: the vocabulary (event types and their registry
 * definitions), ingestion over REST with group commit, and its options.
 * Other code imports '@learnstream/activity'.
 */
export * from './headless';
export { parseActivityBody, type ActivityItem, type ItemProblem } from './activity.validation';
export { ACTIVITY_OPTIONS, DEFAULT_ACTIVITY_OPTIONS, activityOptions, type ActivityOptions } from './activity.options';
export { ActivityModule } from './activity.module';
export { ActivityWriter } from './activity-writer';
export { RecordActivityCommand, type RecordActivityResult } from './commands/record-activity.command';
export { coalescingKeys } from './coalescing-keys';
