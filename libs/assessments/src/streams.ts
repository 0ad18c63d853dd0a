/**
 * Stream names of the assessments feature. Each is `<category>-<uuid>` so
 * EventStoreDB category streams work; pairs of ids map to one stream through
 * a v5 UUID, so every writer finds the same stream without a lookup.
 */
import { uuidV5 } from '@learnstream/domain';

/**
 * Namespace of the pair streams. Fixed forever: changing it would move every
 * learner's attempts and submissions to new, empty streams.
 */
export const ASSESSMENTS_NAMESPACE = '92a955cb-0bec-482b-acd2-be8cd556d10a';

/** Ids are hashed in lower case: the same pair in another case is the same stream. */
const pair = (a: string, b: string) => uuidV5(`${a.toLowerCase()}:${b.toLowerCase()}`, ASSESSMENTS_NAMESPACE);

export const quizStreamId = (quizId: string) => `quiz-${quizId.toLowerCase()}`;

/** All of one learner's attempts on one quiz: the attempt limit is checked against one stream. */
export const quizAttemptsStreamId = (quizId: string, learnerId: string) => `quiz_attempts-${pair(quizId, learnerId)}`;

export const assignmentStreamId = (assignmentId: string) => `assignment-${assignmentId.toLowerCase()}`;

/** One learner's submissions, grades and reopenings on one assignment. */
export const assignmentSubmissionStreamId = (assignmentId: string, learnerId: string) =>
  `assignment_submission-${pair(assignmentId, learnerId)}`;

export const offlineTestStreamId = (offlineTestId: string) => `offline_test-${offlineTestId.toLowerCase()}`;
