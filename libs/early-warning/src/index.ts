/**
 * Early warning: which learners of a course are likely to fail or withdraw,
 * from what the course log says by a date, and why (docs/early-warning.md).
 * Pure: the progress feature reads the snapshot from its read models, the
 * trainer from a dataset's files; both score with the same code.
 */
export * from './features';
export * from './metrics';
export * from './logistic';
export * from './model';
export * from './oulad';
export * from './train';
export { TRAIN_USAGE, trainCommand, parseDays, evaluationLine } from './train-command';
export { TRAINED_MODEL } from './model.weights';
