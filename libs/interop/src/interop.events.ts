/**
 * The interop feature's events (its public contract).
 *
 * Moodle log import (origin 'import', occurredAt = the row's timecreated):
 *   ImportedLogin         \core\event\user_loggedin of a known user, on their
 *                         activity stream `activity-<userId>`
 *   ImportedLogEntry      any other Moodle log row, with Moodle's own fields;
 *                         on the actor's activity stream, or, for rows without
 *                         an actor (anonymous, not logged in, system), on the
 *                         file's import stream `moodle_import-<id>`. `other`
 *                         is sealed (it may hold names, usernames, free text)
 *                         under the actor, else the related user, else the
 *                         anonymous subject.
 *   (course and resource views become the courses feature's CourseViewed and
 *   ResourceViewed.)
 *
 * xAPI (origin 'ws'):
 *   XapiStatementRecorded  a statement the LRS accepted: its clear index
 *                          fields, and the statement itself sealed under its
 *                          actor (the learner, or a pseudonymous subject
 *                          derived from the agent's identifier). On the
 *                          learner's `activity-<userId>`, or `xapi_agent-<id>`.
 *   XapiStatementsRead     an LRS client read statements (which, about whom)
 *   XapiClientCreated / XapiClientRevoked   LRS credentials, on `xapi_client-<id>`
 *   CourseXapiExported     a course's log read as xAPI, on the reader's activity stream
 */
import type { DomainEvent } from '@learnstream/domain';
import type { EventTypeDefinition } from '@learnstream/event-store';

export const IMPORT_STREAM_CATEGORY = 'moodle_import';
export const XAPI_AGENT_STREAM_CATEGORY = 'xapi_agent';
export { activityStream as activityStreamId } from '@learnstream/event-store';
export const xapiClientStreamId = (clientId: string): string => `xapi_client-${clientId}`;

export type ImportedLogin = DomainEvent<'ImportedLogin', { userId: string; site: string; moodleUserId: number }>;

export type ImportedLogEntry = DomainEvent<
  'ImportedLogEntry',
  {
    site: string;
    line: number;
    moodleLogId: number | null;
    eventname: string;
    component: string;
    action: string;
    target: string;
    objecttable: string | null;
    objectid: number | null;
    crud: string;
    edulevel: number | null;
    contextid: number | null;
    contextlevel: number | null;
    contextinstanceid: number | null;
    courseid: number | null;
    /** Null for an anonymous row: the actor is not recorded at all. */
    moodleUserId: number | null;
    relateduserid: number | null;
    realuserid: number | null;
    anonymous: boolean;
    /** Moodle's origin: web, cli, ws, restore, … */
    moodleOrigin: string | null;
    /** Sealed: the parsed `other` (see other-field.ts), or its text when it could not be parsed. */
    other: unknown;
    otherFormat: 'empty' | 'php' | 'json' | 'text';
  }
>;

export type XapiStatementRecorded = DomainEvent<
  'XapiStatementRecorded',
  {
    statementId: string;
    schoolId: string;
    clientId: string;
    verbId: string;
    objectType: 'Activity' | 'Agent' | 'Group' | 'StatementRef' | 'SubStatement';
    activityId: string | null;
    /** The object and the context's activities: what `related_activities` matches. */
    activityIds: string[];
    statementRefId: string | null;
    voiding: boolean;
    /** The actor's agent id (random, from the index xapi_agents; no hash of their identifier): null for an anonymous group. */
    agentKey: string | null;
    /** Agent ids of the other agents named (object, instructor, team, members): what `related_agents` matches. */
    relatedAgentKeys: string[];
    learnerId: string | null;
    courseId: string | null;
    registration: string | null;
    timestamp: string;
    stored: string;
    version: string;
    authority: Record<string, unknown>;
    /** Sealed: the statement as received, with its id and timestamp. */
    statement: unknown;
    /** The Learnstream event the statement also became (ResourceViewed, CourseViewed), if any. */
    mappedEventId: string | null;
  }
>;

export type XapiStatementsRead = DomainEvent<'XapiStatementsRead', { clientId: string; schoolId: string; statements: number; learnerIds: string[] }>;
export type XapiClientCreated = DomainEvent<'XapiClientCreated', { clientId: string; schoolId: string; name: string; by: string }>;
export type XapiClientRevoked = DomainEvent<'XapiClientRevoked', { clientId: string; schoolId: string; by: string }>;
export type CourseXapiExported = DomainEvent<'CourseXapiExported', { courseId: string; userId: string; statements: number }>;

export type InteropEvent = ImportedLogin | ImportedLogEntry | XapiStatementRecorded | XapiStatementsRead | XapiClientCreated | XapiClientRevoked | CourseXapiExported;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Check = [what: string, ok: (v: unknown) => boolean];
const uuid: Check = ['a UUID', (v) => typeof v === 'string' && UUID.test(v)];
const uuidOrNull: Check = ['a UUID or null', (v) => v === null || uuid[1](v)];
const text: Check = ['a string', (v) => typeof v === 'string'];
const textOrNull: Check = ['a string or null', (v) => v === null || typeof v === 'string'];
const int: Check = ['a whole number', (v) => Number.isSafeInteger(v)];
const intOrNull: Check = ['a whole number or null', (v) => v === null || Number.isSafeInteger(v)];
const bool: Check = ['a boolean', (v) => typeof v === 'boolean'];
const any: Check = ['present', (v) => v !== undefined];
const texts: Check = ['a list of strings', (v) => Array.isArray(v) && v.every((x) => typeof x === 'string')];
const uuids: Check = ['a list of UUIDs', (v) => Array.isArray(v) && v.every((x) => uuid[1](x))];
const object: Check = ['an object', (v) => typeof v === 'object' && v !== null && !Array.isArray(v)];
const oneOf = (...values: string[]): Check => [`one of ${values.join(', ')}`, (v) => values.includes(v as string)];
const instant: Check = ['an ISO-8601 timestamp', (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v))];

function define(type: InteropEvent['type'], shape: Record<string, Check>): EventTypeDefinition {
  return {
    type,
    version: 1,
    validate: (data) => [
      ...Object.entries(shape).flatMap(([field, [what, ok]]) => (ok(data[field]) ? [] : [`${field} must be ${what}`])),
      ...Object.keys(data).filter((k) => !(k in shape)).map((k) => `${k} is not a field of ${type}`),
    ],
  };
}

export const INTEROP_EVENT_TYPES: EventTypeDefinition[] = [
  define('ImportedLogin', { userId: uuid, site: text, moodleUserId: int }),
  define('ImportedLogEntry', {
    site: text, line: int, moodleLogId: intOrNull, eventname: text, component: text, action: text, target: text,
    objecttable: textOrNull, objectid: intOrNull, crud: oneOf('c', 'r', 'u', 'd'), edulevel: intOrNull, contextid: intOrNull,
    contextlevel: intOrNull, contextinstanceid: intOrNull, courseid: intOrNull, moodleUserId: intOrNull, relateduserid: intOrNull,
    realuserid: intOrNull, anonymous: bool, moodleOrigin: textOrNull, other: any, otherFormat: oneOf('empty', 'php', 'json', 'text'),
  }),
  define('XapiStatementRecorded', {
    statementId: uuid, schoolId: uuid, clientId: uuid, verbId: text, objectType: oneOf('Activity', 'Agent', 'Group', 'StatementRef', 'SubStatement'),
    activityId: textOrNull, activityIds: texts, statementRefId: uuidOrNull, voiding: bool, agentKey: textOrNull, relatedAgentKeys: texts,
    learnerId: uuidOrNull, courseId: uuidOrNull, registration: uuidOrNull, timestamp: instant, stored: instant, version: text,
    authority: object, statement: any, mappedEventId: uuidOrNull,
  }),
  define('XapiStatementsRead', { clientId: uuid, schoolId: uuid, statements: int, learnerIds: uuids }),
  define('XapiClientCreated', { clientId: uuid, schoolId: uuid, name: text, by: uuid }),
  define('XapiClientRevoked', { clientId: uuid, schoolId: uuid, by: uuid }),
  define('CourseXapiExported', { courseId: uuid, userId: uuid, statements: int }),
];
