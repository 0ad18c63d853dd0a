/**
 * '@learnstream/assessments/headless': quizzes, attempts, assignments and offline tests without HTTP (events,
 * deciders, the inline read model): what the CLI's import loads. The barrel adds the module, commands, queries, bodies.
 */
import { ASSIGNMENT_EVENT_TYPES } from './assignment.events';
import { ATTEMPT_EVENT_TYPES } from './attempt.events';
import { OFFLINE_TEST_EVENT_TYPES } from './offline-test.events';
import { QUIZ_EVENT_TYPES } from './quiz.events';

export * from './quiz.events';
export * from './quiz';
export * from './question';
export * from './attempt.events';
export * from './attempt';
export * from './assignment.events';
export * from './assignment';
export * from './assignment-submission';
export * from './offline-test.events';
export * from './offline-test';
export * from './streams';
export { GRADE_DECIMALS, SCORE_DECIMALS } from './grading';

/** Every event type of the feature, for `registry.register(...ASSESSMENT_EVENT_TYPES)`. */
export const ASSESSMENT_EVENT_TYPES = [...QUIZ_EVENT_TYPES, ...ATTEMPT_EVENT_TYPES, ...ASSIGNMENT_EVENT_TYPES, ...OFFLINE_TEST_EVENT_TYPES];
export { AssessmentsProjection } from './projections/assessments.projection';
