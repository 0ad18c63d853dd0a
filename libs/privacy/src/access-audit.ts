/**
 * The access audit (DESIGN.md, need to know): every read of someone else's
 * personal data is recorded as `PersonalDataAccessed` on the reader's
 * activity stream, naming the people read (ids), what was read and why. A
 * subject lists who accessed their data (GET /api/v1/privacy/access-log); the
 * DPO sees readers who read unusually many people (breach review).
 *
 * Features call `recordPersonalDataAccess` after the permission check and the
 * read, as they record their other read events: a refused read records
 * nothing. The reader reading themself is left out; a read under
 * impersonation is recorded as `support`. The events name the course in their
 * data, not in their envelope: they stay out of the course's log (whose own
 * reads are CourseLogViewed there).
 */
import { envelopeFor, type EventActor, type PersonFacts } from '@learnstream/access';
import type { EventLog, NewEvent } from '@learnstream/event-store';
import { personal } from '@learnstream/personal-data';
import { isUuid } from '@learnstream/domain';
import { activityStream, type AccessedData, type AccessPurpose } from './privacy.events';

/** People per event: a directory of thousands is recorded as several events. */
const PER_EVENT = 500;

export interface PersonalDataAccess {
  /** The people whose data was read (duplicates, nulls and the reader are dropped). */
  subjectIds: Iterable<string | null | undefined>;
  what: AccessedData;
  purpose: AccessPurpose;
  courseId?: string | null;
  schoolId?: string | null;
  /** The reason a platform admin stated for reading personal data (kept sealed under the reader's key). */
  statedPurpose?: string;
}

/**
 * Why a reader reads, from who they are: the DPO for privacy work, a parent
 * for their child, a platform or school admin for administration, a teacher
 * for teaching. (Under impersonation the events say `support` whatever this says.)
 */
export function accessPurposeOf(reader: PersonFacts, subjectIds: Iterable<string> = []): AccessPurpose {
  if (reader.platformRoles.includes('dpo')) return 'privacy';
  const subjects = [...subjectIds];
  if (subjects.length > 0 && subjects.every((id) => reader.children.includes(id))) return 'parental';
  if (reader.platformRoles.includes('platform_admin') || reader.memberships.some((m) => m.role === 'school_admin')) return 'administration';
  return 'teaching';
}

/** The PersonalDataAccessed events of one read (none when the reader read only themself). */
export function personalDataAccessEvents(actor: EventActor, access: PersonalDataAccess): NewEvent[] {
  const readers = new Set([actor.userId, actor.realActorId].filter((id): id is string => Boolean(id)).map((id) => id.toLowerCase()));
  const subjects = [...new Set([...access.subjectIds].filter((id): id is string => typeof id === 'string' && isUuid(id)).map((id) => id.toLowerCase()))].filter(
    (id) => !readers.has(id),
  );
  const purpose: AccessPurpose = actor.realActorId ? 'support' : access.purpose;
  const events: NewEvent[] = [];
  for (let i = 0; i < subjects.length; i += PER_EVENT) {
    const subjectIds = subjects.slice(i, i + PER_EVENT);
    const one = subjectIds.length === 1 ? subjectIds[0] : null;
    events.push({
      type: 'PersonalDataAccessed',
      data: {
        readerId: actor.userId, subjectIds, what: access.what, purpose, courseId: access.courseId ?? null,
        ...(access.statedPurpose ? { statedPurpose: personal(actor.userId, access.statedPurpose) } : {}),
      },
      envelope: envelopeFor(actor, {
        action: 'accessed',
        crud: 'r',
        object: one ? { type: 'user', id: one } : null,
        relatedUserId: one,
        // The course is in the data only: an access record is the reader's activity, not a row of the course's log.
        schoolId: access.schoolId ?? null,
      }),
    });
  }
  return events;
}

/** Records a read of other people's personal data (see the top of this file). */
export async function recordPersonalDataAccess(log: EventLog, actor: EventActor, access: PersonalDataAccess): Promise<void> {
  const events = personalDataAccessEvents(actor, access);
  if (events.length) await log.append(activityStream(actor.userId), events, { expectedRevision: 'any' });
}
