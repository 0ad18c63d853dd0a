/**
 * '@learnstream/activity/headless': the events of client-side activity, without the module and its HTTP side: what the CLI's
 * import registers.
 */
export * from './activity.events';
