/**
 * One row of Moodle's standard log (logstore_standard_log) and what it
 * becomes in Learnstream: pure functions, no I/O.
 *
 * Rules (the import summary counts each case):
 *   actor          userid → the mapped user; anonymous = 1 → no actor at all
 *                  (actorId null, Moodle's userid and realuserid not kept,
 *                  IP dropped): such rows stay out of every per-user report;
 *                  userid 0 (not logged in) or -1 (system, cli, cron) → no actor
 *   realActorId    realuserid (logged in as) → the mapped user, when there is an actor
 *   relatedUserId  relateduserid → the mapped user
 *   courseId       courseid → the mapped course; 0 or empty → null; 1 (Moodle's
 *                  front page, SITEID) → null unless the mapping names it
 *   occurredAt     timecreated (Unix seconds) as ISO-8601 UTC
 *   ip             IPv4 or IPv6 (brackets and an IPv4-mapped form accepted),
 *                  sealed as every IP; anything else → null
 *   other          see other-field.ts; sealed
 *   text           see text.ts (UTF-8, else Windows-1252)
 *   unmapped       a user or course the mapping does not know (and that
 *                  --create-missing did not create) → the row is skipped
 *
 * Event types: \core\event\course_viewed → CourseViewed; a resource, page
 * or URL module's course_module_viewed → ResourceViewed (when the module is
 * mapped to a resource of that course); \core\event\user_loggedin →
 * ImportedLogin; everything else, and those without an actor → ImportedLogEntry.
 */
import { isIP } from 'node:net';
import { uuidV5 } from '@learnstream/domain';
import { ANONYMOUS_SUBJECT, type Crud, type NewEvent, type ObjectRef } from '@learnstream/event-store';
import { personal } from '@learnstream/personal-data';
import { IMPORT_STREAM_CATEGORY, activityStreamId } from '../interop.events';
import { parseOther, type ParsedOther } from './other-field';

/** Namespace of the ids the import derives (events, placeholders, objects): changing it would re-import everything. */
export const IMPORT_NAMESPACE = '2f0c1f8e-6d1e-4a7c-9a55-53e1c3b1f0a1';

export const MOODLE_LOG_COLUMNS = [
  'eventname', 'component', 'action', 'target', 'objecttable', 'objectid', 'crud', 'edulevel', 'contextid', 'contextlevel',
  'contextinstanceid', 'userid', 'courseid', 'relateduserid', 'anonymous', 'other', 'timecreated', 'origin', 'ip', 'realuserid',
] as const;
export type MoodleLogColumn = (typeof MOODLE_LOG_COLUMNS)[number];

/** Without these a row means nothing. The others default to null (anonymous to 0). */
export const REQUIRED_COLUMNS: readonly MoodleLogColumn[] = ['eventname', 'crud', 'userid', 'timecreated'];

export const CONTEXT_MODULE = 70;
/** Moodle's front page course (SITEID). */
export const SITE_COURSE = 1;

export interface MoodleLogRow {
  line: number;
  /**
   * What the row is, whatever its position in the file: \`id:<Moodle log id>\`,
   * else \`row:<SHA-256 of its content>:<n>\` (the n-th row with that content).
   * The event's id derives from it (importEventId), so a newer export of the
   * same log, in any order, adds only its new rows.
   */
  identity: string;
  id: number | null;
  eventname: string;
  component: string;
  action: string;
  target: string;
  objecttable: string | null;
  objectid: number | null;
  crud: Crud;
  edulevel: number | null;
  contextid: number | null;
  contextlevel: number | null;
  contextinstanceid: number | null;
  userid: number | null;
  courseid: number | null;
  relateduserid: number | null;
  anonymous: boolean;
  other: ParsedOther;
  timecreated: number;
  origin: string | null;
  ip: string | null;
  realuserid: number | null;
  /** Fields read as Windows-1252 (not valid UTF-8). */
  latin1Fields: number;
}

export type Columns = Map<string, number>;

/** The header's column positions, or the problems with it. */
export function columnsOf(header: string[]): { columns: Columns } | { problems: string[] } {
  const columns: Columns = new Map();
  header.forEach((name, i) => {
    const key = name.trim().toLowerCase();
    if (key && !columns.has(key)) columns.set(key, i);
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.has(c));
  return missing.length ? { problems: [`the header has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''} (expected the columns of logstore_standard_log)`] } : { columns };
}

export type RowResult = { row: MoodleLogRow } | { skip: SkipReason };

export type SkipReason =
  | 'malformed_row'
  | 'unreadable_record'
  | 'bad_time'
  | 'bad_timecreated'
  | 'bad_crud'
  | 'bad_number'
  | 'no_eventname'
  | 'unmapped_user'
  | 'unmapped_real_user'
  | 'unmapped_related_user'
  | 'unmapped_course';

const NULLS = new Set(['', 'NULL', 'null', '\\N']);
/** What parseOther reads as empty, exactly as written (parseOther itself also trims). */
const EMPTY_OTHER = new Set(['', 'NULL', '\\N', 'N;']);
const NO_OTHER: ParsedOther = Object.freeze({ value: null, format: 'empty' });

/** A record of a log file (log-files.ts): its text fields, their bytes when the format has them. */
export interface RowInput {
  fields: string[];
  raw: Buffer[] | null;
  latin1: number;
}

/** Where each column is in a header's records, found once per header (by its Columns), not per row. */
type Positions = Record<MoodleLogColumn | 'id', number | undefined>;
const positionsByHeader = new WeakMap<Columns, Positions>();

function positionsOf(columns: Columns): Positions {
  let positions = positionsByHeader.get(columns);
  if (!positions) {
    positions = { id: columns.get('id') } as Positions;
    for (const column of MOODLE_LOG_COLUMNS) positions[column] = columns.get(column);
    positionsByHeader.set(columns, positions);
  }
  return positions;
}

/** The field's text, trimmed; null when the column is missing or holds one of the NULL forms. */
function textAt(fields: string[], i: number | undefined): string | null {
  if (i === undefined) return null;
  const text = fields[i].trim();
  return NULLS.has(text) ? null : text;
}

const INTEGER = /^-?\d{1,15}$/;

/** The field's whole number; null as textAt; NaN when it is not a whole number (the row is then a bad_number). */
function intAt(fields: string[], i: number | undefined): number | null {
  const text = textAt(fields, i);
  if (text === null) return null;
  return INTEGER.test(text) ? Number(text) : NaN;
}

/** Reads a record's fields into a row; a row that cannot be read is skipped with its reason. */
/** `withOther: false` leaves `other` unread (empty): for a pass that needs only the ids and times (the importer's pre-pass). */
export function parseRow(record: RowInput, columns: Columns, line: number, { withOther = true } = {}): RowResult {
  const { fields, raw } = record;
  if (fields.length < columns.size) return { skip: 'malformed_row' };
  const at = positionsOf(columns);
  const eventname = textAt(fields, at.eventname);
  if (!eventname) return { skip: 'no_eventname' };
  const crud = textAt(fields, at.crud)?.toLowerCase();
  if (crud !== 'c' && crud !== 'r' && crud !== 'u' && crud !== 'd') return { skip: 'bad_crud' };
  const timecreated = intAt(fields, at.timecreated);
  if (timecreated === null || Number.isNaN(timecreated) || timecreated <= 0 || timecreated > 253402300799) return { skip: 'bad_timecreated' };
  const otherIndex = at.other;
  // PHP's serialize() counts bytes: parsed on the field's own bytes where the file has them.
  // A field that is exactly one of the empty forms needs no bytes (most rows' other is N;).
  const other =
    otherIndex === undefined || !withOther || EMPTY_OTHER.has(fields[otherIndex]) ? NO_OTHER : parseOther(raw?.[otherIndex] ?? Buffer.from(fields[otherIndex], 'utf8'));
  const id = intAt(fields, at.id);
  const component = textAt(fields, at.component);
  const action = textAt(fields, at.action);
  const target = textAt(fields, at.target);
  const objectid = intAt(fields, at.objectid);
  const edulevel = intAt(fields, at.edulevel);
  const contextid = intAt(fields, at.contextid);
  const contextlevel = intAt(fields, at.contextlevel);
  const contextinstanceid = intAt(fields, at.contextinstanceid);
  const userid = intAt(fields, at.userid);
  const courseid = intAt(fields, at.courseid);
  const relateduserid = intAt(fields, at.relateduserid);
  const anonymous = intAt(fields, at.anonymous);
  const realuserid = intAt(fields, at.realuserid);
  // A NaN anywhere makes the sum NaN (eleven numbers of at most 15 digits cannot overflow it).
  const numbers = (id ?? 0) + (objectid ?? 0) + (edulevel ?? 0) + (contextid ?? 0) + (contextlevel ?? 0) + (contextinstanceid ?? 0) + (userid ?? 0) + (courseid ?? 0) + (relateduserid ?? 0) + (anonymous ?? 0) + (realuserid ?? 0);
  if (Number.isNaN(numbers)) return { skip: 'bad_number' };
  const row: MoodleLogRow = {
    line,
    identity: id !== null ? `id:${id}` : '',
    id,
    eventname,
    // Moodle derives these from the class name when a dump leaves them out.
    component: component ?? eventname.split('\\').filter(Boolean)[0] ?? 'core',
    action: action ?? eventname.split('_').pop() ?? '',
    target: target ?? eventname.split('\\').pop()?.split('_').slice(0, -1).join('_') ?? '',
    objecttable: textAt(fields, at.objecttable),
    objectid,
    crud,
    edulevel,
    contextid,
    contextlevel,
    contextinstanceid,
    userid,
    courseid,
    relateduserid,
    anonymous: (anonymous ?? 0) !== 0,
    other,
    timecreated,
    origin: textAt(fields, at.origin),
    ip: textAt(fields, at.ip),
    realuserid,
    latin1Fields: record.latin1,
  };
  return { row };
}

/** What the mapping knows: undefined means "not mapped". */
export interface IdLookup {
  user(moodleUserId: number): string | undefined;
  course(moodleCourseId: number): { courseId: string; schoolId: string | null } | undefined;
  module(moodleCmId: number): { resourceId: string; sectionId: string; courseId: string } | undefined;
}

export interface ImportContext {
  site: string;
  /** SHA-256 (hex) of the file's first MB: the import's correlation. */
  fileKey: string;
  /** Tenant of rows without a course. */
  schoolId: string | null;
  correlationId: string;
}

export type Note = 'anonymous' | 'not_logged_in' | 'system_user' | 'real_user' | 'real_user_without_actor' | 'no_course' | 'site_course' | 'ipv6' | 'invalid_ip' | 'latin1' | 'other_php' | 'other_json' | 'other_text';

export type Planned = { streamId: string; event: NewEvent; notes: Note[] } | { skip: SkipReason };

/** The id of the event a row becomes (from its identity, never its position): the same row in any export gives the same id. */
export const importEventId = (site: string, identity: string): string => uuidV5(`moodle-log:${site}:${identity}`, IMPORT_NAMESPACE);

/** The stream of a site's imported rows that have no actor. */
export const importStreamId = (site: string): string => `${IMPORT_STREAM_CATEGORY}-${uuidV5(`moodle-import:${site}`, IMPORT_NAMESPACE)}`;

const RESOURCE_VIEWS = /^\\mod_(resource|page|url|folder|book)\\event\\course_module_viewed$/;
const VERB = /^[a-z][a-z_]{1,49}$/;

/**
 * What a log repeats row after row, worked out once: Moodle's few actions as verbs, its objects' derived ids (ids,
 * never personal data). At most `max` entries: past that the map starts again.
 */
function memo<T>(max: number, compute: (key: string) => T): (key: string) => T {
  const known = new Map<string, T>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) {
      if (known.size >= max) known.clear();
      value = compute(key);
      known.set(key, value);
    }
    return value;
  };
}

/** Moodle's action as a Learnstream verb (lower-case letters and _). */
export const verbOf = memo(1_000, (action: string): string => {
  const verb = action.toLowerCase().replace(/[^a-z_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 50);
  return VERB.test(verb) ? verb : 'logged';
});

const objectTypeOf = memo(1_000, (table: string) => `moodle_${table.toLowerCase().replace(/[^a-z_]+/g, '_')}`.slice(0, 50));
const objectIdOf = memo(50_000, (name: string) => uuidV5(name, IMPORT_NAMESPACE));

/** An object Moodle names by table and id, as an envelope object with a derived UUID. */
export function objectOf(site: string, table: string | null, id: number | null): ObjectRef | null {
  if (!table || id === null) return null;
  return { type: objectTypeOf(table), id: objectIdOf(`${site}:${table}:${id}`) };
}

/** The date part (`YYYY-MM-DDT`) of the last day isoTime formatted: a log's rows come day by day. */
const lastDay = { day: NaN, date: '' };
const twoDigits = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * Unix seconds (a whole number, years 1970 to 9999) as ISO-8601 UTC, exactly as `Date.prototype.toISOString` writes
 * it: the date part from it once per day, the time of day by arithmetic (toISOString was a fifth of a row's mapping).
 */
export function isoTime(seconds: number): string {
  if (!Number.isInteger(seconds)) return new Date(seconds * 1000).toISOString();
  const day = Math.floor(seconds / 86_400);
  if (day !== lastDay.day) {
    lastDay.date = new Date(day * 86_400_000).toISOString().slice(0, 11);
    lastDay.day = day;
  }
  const inDay = seconds - day * 86_400;
  return `${lastDay.date}${twoDigits(Math.floor(inDay / 3600))}:${twoDigits(Math.floor(inDay / 60) % 60)}:${twoDigits(inDay % 60)}.000Z`;
}

/** An IP as the envelope takes it, or null; brackets and a zone index are dropped. */
export function ipOf(raw: string | null): { ip: string | null; note?: Note } {
  if (!raw) return { ip: null };
  const ip = raw.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const kind = isIP(ip);
  if (kind === 4) return { ip };
  if (kind === 6) return { ip: ip.toLowerCase(), note: 'ipv6' };
  return { ip: null, note: 'invalid_ip' };
}

export function planLogRow(row: MoodleLogRow, ids: IdLookup, ctx: ImportContext): Planned {
  const notes: Note[] = [];
  const user = (id: number | null, reason: SkipReason): string | null | SkipReason => {
    if (id === null || id <= 0) return null;
    return ids.user(id) ?? reason;
  };

  let actorId: string | null = null;
  let realActorId: string | null = null;
  if (row.anonymous) notes.push('anonymous');
  else if (row.userid === null || row.userid === 0) notes.push('not_logged_in');
  else if (row.userid < 0) notes.push('system_user');
  else {
    const actor = user(row.userid, 'unmapped_user');
    if (actor === 'unmapped_user') return { skip: actor };
    actorId = actor as string;
  }
  if (!row.anonymous && row.realuserid !== null && row.realuserid > 0) {
    if (!actorId) notes.push('real_user_without_actor');
    else {
      const real = user(row.realuserid, 'unmapped_real_user');
      if (real === 'unmapped_real_user') return { skip: real };
      realActorId = real as string;
      notes.push('real_user');
    }
  }
  const related = user(row.relateduserid, 'unmapped_related_user');
  if (related === 'unmapped_related_user') return { skip: related };
  const relatedUserId = related as string | null;

  let course: { courseId: string; schoolId: string | null } | null = null;
  if (row.courseid === null || row.courseid === 0) notes.push('no_course');
  else {
    const mapped = ids.course(row.courseid);
    if (mapped) course = mapped;
    else if (row.courseid === SITE_COURSE) notes.push('site_course');
    else return { skip: 'unmapped_course' };
  }

  const { ip, note: ipNote } = row.anonymous ? { ip: null } : ipOf(row.ip);
  if (ipNote) notes.push(ipNote);
  if (row.latin1Fields > 0) notes.push('latin1');
  if (row.other.format !== 'empty') notes.push(`other_${row.other.format}` as Note);

  const courseId = course?.courseId ?? null;
  const id = importEventId(ctx.site, row.identity);
  /** The event's envelope: its log row's fields, then what the event type says it did to what. */
  const envelope = (action: string, crud: Crud, object: ObjectRef | null): NewEvent['envelope'] => ({
    occurredAt: isoTime(row.timecreated),
    actorId,
    realActorId,
    courseId,
    schoolId: course ? course.schoolId : ctx.schoolId,
    relatedUserId,
    ip,
    userAgent: null,
    origin: 'import',
    correlationId: ctx.correlationId,
    causationId: null,
    action,
    crud,
    object,
  });

  if (actorId && courseId && row.eventname === '\\core\\event\\course_viewed') {
    return {
      streamId: activityStreamId(actorId),
      notes,
      event: { id, type: 'CourseViewed', data: { courseId, userId: actorId }, envelope: envelope('viewed', 'r', { type: 'course', id: courseId }) },
    };
  }
  if (actorId && courseId && RESOURCE_VIEWS.test(row.eventname) && row.contextlevel === CONTEXT_MODULE && row.contextinstanceid !== null) {
    const module = ids.module(row.contextinstanceid);
    if (module && module.courseId === courseId) {
      return {
        streamId: activityStreamId(actorId),
        notes,
        event: {
          id,
          type: 'ResourceViewed',
          data: { courseId, sectionId: module.sectionId, resourceId: module.resourceId, userId: actorId },
          envelope: envelope('viewed', 'r', { type: 'resource', id: module.resourceId }),
        },
      };
    }
  }
  if (actorId && row.eventname === '\\core\\event\\user_loggedin') {
    return {
      streamId: activityStreamId(actorId),
      notes,
      event: {
        id,
        type: 'ImportedLogin',
        data: { userId: actorId, site: ctx.site, moodleUserId: row.userid! },
        envelope: envelope('loggedin', 'r', { type: 'user', id: actorId }),
      },
    };
  }
  const subject = actorId ?? relatedUserId ?? ANONYMOUS_SUBJECT;
  return {
    streamId: actorId ? activityStreamId(actorId) : importStreamId(ctx.site),
    notes,
    event: {
      id,
      type: 'ImportedLogEntry',
      data: {
        site: ctx.site,
        line: row.line,
        moodleLogId: row.id,
        eventname: row.eventname,
        component: row.component,
        action: row.action,
        target: row.target,
        objecttable: row.objecttable,
        objectid: row.objectid,
        crud: row.crud,
        edulevel: row.edulevel,
        contextid: row.contextid,
        contextlevel: row.contextlevel,
        contextinstanceid: row.contextinstanceid,
        courseid: row.courseid,
        moodleUserId: row.anonymous ? null : row.userid,
        relateduserid: row.relateduserid,
        realuserid: row.anonymous ? null : row.realuserid,
        anonymous: row.anonymous,
        moodleOrigin: row.origin,
        other: row.other.value === null ? null : personal(subject, row.other.value),
        otherFormat: row.other.format,
      },
      envelope: envelope(verbOf(row.action), row.crud, objectOf(ctx.site, row.objecttable, row.objectid)),
    },
  };
}

/** The Moodle ids a row refers to, so that a batch can resolve them in one go. */
export function referencedIds(row: MoodleLogRow): { users: number[]; courses: number[]; modules: number[] } {
  const users = [row.anonymous ? null : row.userid, row.anonymous ? null : row.realuserid, row.relateduserid].filter((id): id is number => id !== null && id > 0);
  const courses = row.courseid !== null && row.courseid > 0 ? [row.courseid] : [];
  const modules = RESOURCE_VIEWS.test(row.eventname) && row.contextlevel === CONTEXT_MODULE && row.contextinstanceid !== null && row.courseid ? [row.contextinstanceid] : [];
  return { users, courses, modules };
}

/** A resource view's module and the Moodle module name (resource, page, url, …) it belongs to. */
export function moduleNameOf(eventname: string): string | null {
  return RESOURCE_VIEWS.exec(eventname)?.[1] ?? null;
}
