/**
 * The one mapping of an event to a read-model row that the projections
 * keeping events one row each share (the course log, a learner's timeline):
 * the envelope's clear fields (ids, verbs and times only: no personal data)
 * and the log position, as columns for insertRows (@learnstream/database).
 */
import type { Columns } from '@learnstream/database';
import type { StoredEvent } from '@learnstream/event-store';

/** event_id, occurred_at, event_type, action, crud, course_id, school_id, object_type, object_id, actor_id, real_actor_id, related_user_id. */
export function envelopeColumns<R>(eventOf: (row: R) => StoredEvent): Columns<R> {
  return {
    event_id: ['uuid', (r) => eventOf(r).id],
    occurred_at: ['timestamptz', (r) => eventOf(r).envelope.occurredAt],
    event_type: ['text', (r) => eventOf(r).type],
    action: ['text', (r) => eventOf(r).envelope.action],
    crud: ['char', (r) => eventOf(r).envelope.crud],
    course_id: ['uuid', (r) => eventOf(r).envelope.courseId],
    school_id: ['uuid', (r) => eventOf(r).envelope.schoolId],
    object_type: ['text', (r) => eventOf(r).envelope.object?.type ?? null],
    object_id: ['uuid', (r) => eventOf(r).envelope.object?.id ?? null],
    actor_id: ['uuid', (r) => eventOf(r).envelope.actorId],
    real_actor_id: ['uuid', (r) => eventOf(r).envelope.realActorId],
    related_user_id: ['uuid', (r) => eventOf(r).envelope.relatedUserId],
  };
}

/** position_commit, position_prepare (bigint): the event's place in the log, for paging in log order. */
export function positionColumns<R>(eventOf: (row: R) => StoredEvent): Columns<R> {
  return {
    position_commit: ['bigint', (r) => eventOf(r).position.commit.toString()],
    position_prepare: ['bigint', (r) => eventOf(r).position.prepare.toString()],
  };
}
