export * from './projection';
export * from './projection-runner';
export * from './projections.module';
export * from './inline-projections';
export { applySteps, decodeFor, inRuns, stepsOf, wants, forget } from './apply-events';
export { envelopeColumns, positionColumns } from './event-columns';
