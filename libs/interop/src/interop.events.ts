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
import { arrayOf, bool, eventType, integer, nullable, object, oneOf, optional, present, simple, string, uuid, type DomainEvent, type Shape } from '@learnstream/domain';
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
    /** Sealed, under the statement's subject: the contents of its attachments sent in a multipart request ([{ sha2, contentType, content (base64) }]); absent when none. */
    attachments?: unknown;
  }
>;

export type XapiStatementsRead = DomainEvent<'XapiStatementsRead', { clientId: string; schoolId: string; statements: number; learnerIds: string[] }>;
export type XapiClientCreated = DomainEvent<'XapiClientCreated', { clientId: string; schoolId: string; name: string; by: string }>;
export type XapiClientRevoked = DomainEvent<'XapiClientRevoked', { clientId: string; schoolId: string; by: string }>;
export type CourseXapiExported = DomainEvent<'CourseXapiExported', { courseId: string; userId: string; statements: number }>;

export type InteropEvent = ImportedLogin | ImportedLogEntry | XapiStatementRecorded | XapiStatementsRead | XapiClientCreated | XapiClientRevoked | CourseXapiExported;

/** Timestamps as xAPI statements carry them (any ISO-8601 form, offsets included). */
const timestamp = simple('an ISO-8601 timestamp', (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)));
const define = (type: InteropEvent['type'], shape: Shape): EventTypeDefinition => eventType(type, shape, null, { closed: true });

export const INTEROP_EVENT_TYPES: EventTypeDefinition[] = [
  define('ImportedLogin', { userId: uuid, site: string, moodleUserId: integer }),
  define('ImportedLogEntry', {
    site: string, line: integer, moodleLogId: nullable(integer), eventname: string, component: string, action: string, target: string,
    objecttable: nullable(string), objectid: nullable(integer), crud: oneOf('c', 'r', 'u', 'd'), edulevel: nullable(integer), contextid: nullable(integer),
    contextlevel: nullable(integer), contextinstanceid: nullable(integer), courseid: nullable(integer), moodleUserId: nullable(integer), relateduserid: nullable(integer),
    realuserid: nullable(integer), anonymous: bool, moodleOrigin: nullable(string), other: present, otherFormat: oneOf('empty', 'php', 'json', 'text'),
  }),
  define('XapiStatementRecorded', {
    statementId: uuid, schoolId: uuid, clientId: uuid, verbId: string, objectType: oneOf('Activity', 'Agent', 'Group', 'StatementRef', 'SubStatement'),
    activityId: nullable(string), activityIds: arrayOf(string), statementRefId: nullable(uuid), voiding: bool, agentKey: nullable(string), relatedAgentKeys: arrayOf(string),
    learnerId: nullable(uuid), courseId: nullable(uuid), registration: nullable(uuid), timestamp: timestamp, stored: timestamp, version: string,
    authority: object({}, { open: true }), statement: present, mappedEventId: nullable(uuid), attachments: optional(present),
  }),
  define('XapiStatementsRead', { clientId: uuid, schoolId: uuid, statements: integer, learnerIds: arrayOf(uuid) }),
  define('XapiClientCreated', { clientId: uuid, schoolId: uuid, name: string, by: uuid }),
  define('XapiClientRevoked', { clientId: uuid, schoolId: uuid, by: uuid }),
  define('CourseXapiExported', { courseId: uuid, userId: uuid, statements: integer }),
];
