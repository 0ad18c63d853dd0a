export * from './projection';
export * from './projection-runner';
export * from './course-log/course-log.entity';
export * from './course-log/course-log.projection';
export * from './projections.module';
export * from './inline-projections';
export { applySteps, decodeFor, stepsOf, wants, forget } from './apply-events';
