/**
 * '@learnstream/projections/headless': the runner, the inline read models and the module, without the operations API
 * (its controller loads Swagger and the HTTP side of @learnstream/core): what the CLI's import loads.
 */
export * from './projection';
export * from './projection-runner';
export * from './projections.module';
export * from './inline-projections';
export { applySteps, decodeFor, inRuns, stepsOf, wants, forget } from './apply-events';
export { envelopeColumns, positionColumns } from './event-columns';
