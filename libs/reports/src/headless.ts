/**
 * '@learnstream/reports/headless': the events of the course log and usage statistics, without the module and its HTTP side: what the CLI's
 * import registers.
 */
export * from './reports.events';
