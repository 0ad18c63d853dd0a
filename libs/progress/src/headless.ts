/**
 * '@learnstream/progress/headless': the events of the learner, class and school reports, without the module and its HTTP side: what the CLI's
 * import registers.
 */
export * from './progress.events';
