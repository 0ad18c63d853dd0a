/**
 * Reads are actions too (DESIGN.md): viewing grades or completion is an event,
 * on the viewer's activity stream `activity-<userId>` (views never contend
 * with the gradebook's writes), appended once the read was allowed. The data
 * holds ids only; the viewer is the envelope's actor, the learner whose
 * records were read its relatedUserId.
 */
import type { DomainEvent } from '@learnstream/domain';
import type { EventTypeDefinition } from '@learnstream/event-store';
import { fieldProblems, oneOf, uuid, uuidOrNull } from './event-validators';

export { activityStream as viewerStreamId } from '@learnstream/event-store';

/** learnerId null: the whole class's grades (staff). */
export type GradesViewed = DomainEvent<'GradesViewed', { courseId: string; learnerId: string | null; final: boolean }>;
export type CompletionViewed = DomainEvent<'CompletionViewed', { courseId: string; learnerId: string | null }>;

export type GradeViewEvent = GradesViewed | CompletionViewed;

export const GRADE_VIEW_EVENT_TYPES: EventTypeDefinition[] = [
  { type: 'GradesViewed', version: 1, validate: (data) => fieldProblems(data, { courseId: uuid, learnerId: uuidOrNull, final: oneOf(true, false) }) },
  { type: 'CompletionViewed', version: 1, validate: (data) => fieldProblems(data, { courseId: uuid, learnerId: uuidOrNull }) },
];
