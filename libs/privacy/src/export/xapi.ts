/**
 * The activity log of an export as xAPI 1.0.3 statements (portability to an
 * LRS): one statement per event, its id the event's id.
 *
 *   actor      the person as an Agent identified by `mbox` (their email) when
 *              they have one, else by an `account` (homePage + user id); other
 *              people by account only (no name, no email)
 *   verb       the envelope's action, as an ADL / TinCan verb IRI when one fits
 *   object     the envelope's object as an Activity (`<homePage>/<type>/<id>`),
 *              a person as an Agent
 *   timestamp  occurredAt
 *   context    platform, the course as the parent activity, the school and
 *              the event type as extensions; the IP (the person's own only)
 *   result     a graded attempt's score and success
 */
import type { ExportedEvent } from './subject-export';

const ADL = 'http://adlnet.gov/expapi/verbs/';
const VERBS: Record<string, string> = {
  viewed: 'http://id.tincanapi.com/verb/viewed',
  started: `${ADL}attempted`,
  answered: `${ADL}answered`,
  submitted: 'http://activitystrea.ms/schema/1.0/submit',
  graded: 'http://id.tincanapi.com/verb/scored',
  reviewed: 'http://id.tincanapi.com/verb/reviewed',
  enrolled: 'http://www.tincanapi.co.uk/verbs/enrolled_onto_learning_plan',
  created: 'http://activitystrea.ms/schema/1.0/create',
  updated: 'http://activitystrea.ms/schema/1.0/update',
  deleted: 'http://activitystrea.ms/schema/1.0/delete',
  completed: `${ADL}completed`,
  loggedin: 'https://w3id.org/xapi/adl/verbs/logged-in',
  loggedout: 'https://w3id.org/xapi/adl/verbs/logged-out',
  requested: 'http://activitystrea.ms/schema/1.0/request',
  exported: 'http://activitystrea.ms/schema/1.0/save',
};

export interface XapiAgent {
  objectType: 'Agent';
  name?: string;
  mbox?: string;
  account?: { homePage: string; name: string };
}

export interface XapiStatement {
  id: string;
  actor: XapiAgent;
  verb: { id: string; display: Record<string, string> };
  object: { objectType: 'Activity'; id: string; definition: { type: string } } | XapiAgent;
  timestamp: string;
  context: {
    platform?: string;
    contextActivities?: { parent: { objectType: 'Activity'; id: string }[] };
    extensions: Record<string, unknown>;
  };
  result?: { score?: { raw: number; min: number; max: number; scaled: number }; success?: boolean; completion?: boolean };
  version: '1.0.3';
}

export interface XapiSubject {
  userId: string;
  email: string | null;
  displayName: string | null;
}

export function toXapi(events: ExportedEvent[], subject: XapiSubject, homePage: string): XapiStatement[] {
  const agent = (userId: string | null): XapiAgent => {
    if (userId === subject.userId) {
      const named = subject.displayName ? { name: subject.displayName } : {};
      return subject.email ? { objectType: 'Agent', ...named, mbox: `mailto:${subject.email}` } : { objectType: 'Agent', ...named, account: { homePage, name: subject.userId } };
    }
    return { objectType: 'Agent', account: { homePage, name: userId ?? 'system' } };
  };
  const activity = (type: string, id: string) => ({ objectType: 'Activity' as const, id: `${homePage}/${type}/${id}`, definition: { type: `${homePage}/xapi/activity-types/${type}` } });
  const ext = (name: string) => `${homePage}/xapi/extensions/${name}`;
  return events.map((e) => {
    const d = e.data as Record<string, unknown>;
    const graded = e.type === 'AttemptGraded' && typeof d.grade === 'number' && typeof d.maxGrade === 'number' && (d.maxGrade as number) > 0;
    const object = e.object ? (e.object.type === 'user' ? agent(e.object.id) : activity(e.object.type, e.object.id)) : activity('event', e.eventId);
    return {
      id: e.eventId,
      actor: agent(e.actorId),
      verb: { id: VERBS[e.action] ?? `${homePage}/xapi/verbs/${e.action}`, display: { 'en-US': e.action } },
      object,
      timestamp: e.occurredAt,
      context: {
        // xAPI: platform (and revision) only when the object is an Activity, not a person.
        ...(object.objectType === 'Activity' && { platform: 'Learnstream' }),
        ...(e.courseId && { contextActivities: { parent: [{ objectType: 'Activity' as const, id: `${homePage}/course/${e.courseId}` }] } }),
        extensions: {
          [ext('event-type')]: e.type,
          [ext('school')]: e.schoolId,
          [ext('involvement')]: e.you,
          ...(e.ip && { [ext('ip')]: e.ip }),
          ...(e.userAgent && { [ext('user-agent')]: e.userAgent }),
        },
      },
      ...(graded && {
        result: {
          score: { raw: d.grade as number, min: 0, max: d.maxGrade as number, scaled: Math.round(((d.grade as number) / (d.maxGrade as number)) * 10_000) / 10_000 },
          ...(typeof d.passed === 'boolean' && { success: d.passed }),
        },
      }),
      version: '1.0.3',
    };
  });
}
