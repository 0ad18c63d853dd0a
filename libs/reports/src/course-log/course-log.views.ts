/** A course-log row as readers get it (JSON, CSV, live tail), from a course_log row with names joined. */
import type { CsvValue } from '@learnstream/core';

export interface PersonRef {
  userId: string;
  /** Null where the reader may not see the account (another school's), or it is gone. */
  displayName: string | null;
}

export interface CourseLogRow {
  eventId: string;
  occurredAt: string;
  eventType: string;
  action: string;
  crud: string;
  /** What it is about, with its title (null where the reader may not see it, it is gone, or it has none). */
  object: { type: string; id: string | null; title: string | null } | null;
  origin: string;
  schoolId: string | null;
  /** Who did it (null: the system or an anonymous caller). */
  actor: PersonRef | null;
  /** The staff member behind an impersonated session. */
  realActor: PersonRef | null;
  /** The person affected (the learner enrolled, graded, …). */
  relatedUser: PersonRef | null;
}

const personView = (id: string | null, name: string | null): PersonRef | null => (id ? { userId: id, displayName: name } : null);

/** A `course_log` row. */
export interface CourseLogTableRow {
  event_id: string;
  occurred_at: Date;
  event_type: string;
  action: string;
  crud: string;
  object_type: string | null;
  object_id: string | null;
  origin: string;
  school_id: string | null;
  actor_id: string | null;
  real_actor_id: string | null;
  related_user_id: string | null;
}

/** A row as a reader sees it, with the names of the people in it (`names`: those the reader may see; else null) and the title of its object. */
export function toCourseLogRow(r: CourseLogTableRow, names: ReadonlyMap<string, string | null>, objectTitle: string | null): CourseLogRow {
  const person = (id: string | null) => personView(id, id === null ? null : (names.get(id) ?? null));
  return {
    eventId: r.event_id,
    occurredAt: new Date(r.occurred_at).toISOString(),
    eventType: r.event_type,
    action: r.action,
    crud: r.crud,
    object: r.object_type ? { type: r.object_type, id: r.object_id, title: objectTitle } : null,
    origin: r.origin,
    schoolId: r.school_id,
    actor: person(r.actor_id),
    realActor: person(r.real_actor_id),
    relatedUser: person(r.related_user_id),
  };
}

export const COURSE_LOG_CSV_HEADER = [
  'occurredAt', 'eventId', 'eventType', 'action', 'crud', 'objectType', 'objectId', 'objectTitle', 'actorId', 'actorName',
  'realActorId', 'realActorName', 'relatedUserId', 'relatedUserName', 'origin',
];

export function courseLogCsvValues(r: CourseLogRow): CsvValue[] {
  return [
    r.occurredAt, r.eventId, r.eventType, r.action, r.crud, r.object?.type, r.object?.id, r.object?.title, r.actor?.userId, r.actor?.displayName,
    r.realActor?.userId, r.realActor?.displayName, r.relatedUser?.userId, r.relatedUser?.displayName, r.origin,
  ];
}
