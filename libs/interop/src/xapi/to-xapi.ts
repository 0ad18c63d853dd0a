/**
 * Learnstream events as xAPI statements (pure): every event carries the
 * fields of a log row, and those are what a statement needs.
 *
 *   id         the event's id
 *   actor      the actor as an account agent { homePage, name: <userId> }
 *              (pseudonymous: no name, no email); no actor → the account
 *              "anonymous" (an anonymous caller or row) or "system"
 *   verb       the envelope's action, as an ADL / Activity Streams / TinCan
 *              verb when there is one, else <homePage>/xapi/verbs/<action>;
 *              display in en-US
 *   object     the envelope's object as an Activity
 *              <homePage>/courses/<courseId>[/<type>s/<id>], typed; an event
 *              without an object is about its course, else about itself
 *   context    the course as parent activity; platform "Learnstream"; as
 *              extensions the event type, crud, origin, the real actor
 *              (impersonation) and the person affected
 *   timestamp  occurredAt; stored: when the log recorded it; authority: the
 *              platform (account "learnstream"); version 1.0.0
 */
import type { JsonObject } from './statement';

export interface LogEventFacts {
  eventId: string;
  eventType: string;
  occurredAt: string;
  action: string;
  crud: string;
  origin: string;
  courseId: string | null;
  objectType: string | null;
  objectId: string | null;
  actorId: string | null;
  realActorId: string | null;
  relatedUserId: string | null;
  /** When the log recorded it (the statement's `stored`); occurredAt when unknown. */
  recordedAt?: string;
}

const VERBS: Record<string, string> = {
  viewed: 'http://id.tincanapi.com/verb/viewed',
  created: 'http://activitystrea.ms/schema/1.0/create',
  updated: 'http://activitystrea.ms/schema/1.0/update',
  deleted: 'http://activitystrea.ms/schema/1.0/delete',
  submitted: 'http://activitystrea.ms/schema/1.0/submit',
  graded: 'http://id.tincanapi.com/verb/scored',
  enrolled: 'http://adlnet.gov/expapi/verbs/registered',
  unenrolled: 'http://id.tincanapi.com/verb/unregistered',
  completed: 'http://adlnet.gov/expapi/verbs/completed',
  attempted: 'http://adlnet.gov/expapi/verbs/attempted',
  answered: 'http://adlnet.gov/expapi/verbs/answered',
  progressed: 'http://adlnet.gov/expapi/verbs/progressed',
  downloaded: 'http://id.tincanapi.com/verb/downloaded',
  loggedin: 'https://w3id.org/xapi/adl/verbs/logged-in',
  loggedout: 'https://w3id.org/xapi/adl/verbs/logged-out',
  joined: 'http://activitystrea.ms/schema/1.0/join',
  left: 'http://activitystrea.ms/schema/1.0/leave',
  started: 'http://activitystrea.ms/schema/1.0/start',
  experienced: 'http://adlnet.gov/expapi/verbs/experienced',
};

const ACTIVITY_TYPES: Record<string, string> = {
  course: 'http://adlnet.gov/expapi/activities/course',
  resource: 'http://id.tincanapi.com/activitytype/resource',
  section: 'http://id.tincanapi.com/activitytype/section',
  quiz: 'http://adlnet.gov/expapi/activities/assessment',
  assessment: 'http://adlnet.gov/expapi/activities/assessment',
  attempt: 'http://adlnet.gov/expapi/activities/attempt',
  user: 'http://id.tincanapi.com/activitytype/user-profile',
};

export const verbIri = (homePage: string, action: string): string => VERBS[action] ?? `${homePage}/xapi/verbs/${action}`;

export function agentOf(homePage: string, userId: string): JsonObject {
  return { objectType: 'Agent', account: { homePage, name: userId } };
}

export function courseActivity(homePage: string, courseId: string): JsonObject {
  return { objectType: 'Activity', id: `${homePage}/courses/${courseId}`, definition: { type: ACTIVITY_TYPES.course } };
}

/** What an event's activity ids are made of. */
type ObjectFacts = Pick<LogEventFacts, 'eventId' | 'courseId' | 'objectType' | 'objectId'>;

function objectActivity(homePage: string, e: ObjectFacts): JsonObject {
  if (e.objectType && e.objectId) {
    if (e.objectType === 'course') return courseActivity(homePage, e.objectId);
    const base = e.courseId ? `${homePage}/courses/${e.courseId}` : homePage;
    return {
      objectType: 'Activity',
      id: `${base}/${e.objectType}s/${e.objectId}`,
      definition: { type: ACTIVITY_TYPES[e.objectType] ?? `${homePage}/xapi/activity-types/${e.objectType}` },
    };
  }
  if (e.courseId) return courseActivity(homePage, e.courseId);
  return { objectType: 'Activity', id: `${homePage}/events/${e.eventId}`, definition: { type: `${homePage}/xapi/activity-types/event` } };
}

/** The activity ids of an event's statement: its object's, then its course's when that is a parent (the index's activity_ids). */
export function lmsActivityIds(homePage: string, e: ObjectFacts): string[] {
  const object = objectActivity(homePage, e).id as string;
  const course = e.courseId ? `${homePage}/courses/${e.courseId}` : null;
  return course && course !== object ? [object, course] : [object];
}

export function toStatement(homePage: string, e: LogEventFacts): JsonObject {
  const ext = (name: string) => `${homePage}/xapi/extensions/${name}`;
  const extensions: JsonObject = { [ext('event-type')]: e.eventType, [ext('crud')]: e.crud, [ext('origin')]: e.origin };
  if (e.realActorId) extensions[ext('real-actor')] = agentOf(homePage, e.realActorId);
  if (e.relatedUserId) extensions[ext('related-user')] = agentOf(homePage, e.relatedUserId);
  const object = objectActivity(homePage, e);
  const context: JsonObject = { platform: 'Learnstream', extensions };
  if (e.courseId && object.id !== `${homePage}/courses/${e.courseId}`) context.contextActivities = { parent: [courseActivity(homePage, e.courseId)] };
  return {
    id: e.eventId,
    actor: agentOf(homePage, e.actorId ?? (e.origin === 'system' ? 'system' : 'anonymous')),
    verb: { id: verbIri(homePage, e.action), display: { 'en-US': e.action } },
    object,
    context,
    timestamp: e.occurredAt,
    stored: e.recordedAt ?? e.occurredAt,
    authority: agentOf(homePage, 'learnstream'),
    version: '1.0.0',
  };
}
