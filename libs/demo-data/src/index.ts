/**
 * Demo data: a deterministic (seeded) school term, written either over the
 * real HTTP API (`learnstream seed demo`: small, explorable, passwords work)
 * or straight into the event log through the deciders (benchmarks: a million
 * events). Other code imports '@learnstream/demo-data'.
 */
export { Prng } from './prng';
export { SMALL_TERM, answerOf, planTerm, type CoursePlan, type PersonPlan, type QuizPlan, type SchoolPlan, type TermPlan, type TermSpec } from './term';
export { writeTermEvents, type FastWriteOptions, type FastWriteResult } from './fast-term-writer';
export { DEMO_PASSWORD, seedDemo, type SeedResult, type SeededAccount } from './seed-demo';
