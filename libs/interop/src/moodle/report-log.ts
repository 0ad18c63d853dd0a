/**
 * Moodle's Logs report (report_log) as its users download it, read into the
 * rows of the standard log (moodle-log.ts): pure functions, no I/O. The
 * mapping is documented in docs/moodle-import.md.
 *
 * Columns (report/log/classes/table_log.php; English headers, any order):
 *   [Course], Time, User full name, Affected user, Event context, Component,
 *   Event name, Description, Origin, IP address
 *
 *   Time            Moodle's user date, e.g. "6 Dec, 14:03" (strftimerecent:
 *                   no year), "6 December 2024, 2:03:45 PM", "06/12/24, 14:03",
 *                   ISO-8601, or Unix seconds; read in the site's time zone
 *                   (option); a year the export omits comes from the option
 *                   `year` for the first row, then follows the rows (a log
 *                   listed newest first that crosses New Year goes back a year)
 *   Event name      the event's name ("Course viewed") → its class
 *                   (\core\event\course_viewed) for the names below; other
 *                   names are kept as they are (an ImportedLogEntry)
 *   Component       the module of "Course module viewed" ("File" → mod_resource)
 *   Description     Moodle's ids: "The user with id '5' …" (actor), a second
 *                   user id (affected user), "course with id '2'",
 *                   "course module id '7'"
 *   User full name  when the description names no user: a person of the
 *                   mapping's `people` (full name → account), else a
 *                   placeholder keyed by the name; "Real as Learner" (logged in as)
 *                   → the real user by name
 *   Event context   "Course: <name>" → a course of the mapping's `courseNames`;
 *                   else the option's course (the report downloaded for one
 *                   course) for what happened in a course or one of its modules
 *   Origin, IP      kept (the IP sealed, as every IP)
 */
import { createHash } from 'node:crypto';
import type { Crud } from '@learnstream/event-store';
import type { Columns, MoodleLogRow, RowInput, RowResult } from './moodle-log';

export const REPORT_LOG_COLUMNS = ['course', 'time', 'user full name', 'affected user', 'event context', 'component', 'event name', 'description', 'origin', 'ip address'] as const;

/** Is this header the Logs report's (rather than the logstore_standard_log table's)? */
export function isReportLogHeader(columns: Columns): boolean {
  return columns.has('time') && columns.has('event name') && (columns.has('description') || columns.has('user full name'));
}

/** Human event names (Moodle's English strings) → event classes. */
const EVENT_CLASSES: Record<string, string> = {
  'course viewed': '\\core\\event\\course_viewed',
  'user has logged in': '\\core\\event\\user_loggedin',
  'user logged in': '\\core\\event\\user_loggedin',
  'user logged out': '\\core\\event\\user_loggedout',
  'user enrolled in course': '\\core\\event\\user_enrolment_created',
  'user unenrolled from course': '\\core\\event\\user_enrolment_deleted',
  'user enrolment updated': '\\core\\event\\user_enrolment_updated',
  'role assigned': '\\core\\event\\role_assigned',
  'role unassigned': '\\core\\event\\role_unassigned',
  'user profile viewed': '\\core\\event\\user_profile_viewed',
  'dashboard viewed': '\\core\\event\\dashboard_viewed',
  'user list viewed': '\\core\\event\\user_list_viewed',
  'course completed': '\\core\\event\\course_completed',
  'course activity completion updated': '\\core\\event\\course_module_completion_updated',
  'user graded': '\\core\\event\\user_graded',
  'course user report viewed': '\\core\\event\\course_user_report_viewed',
  'user created': '\\core\\event\\user_created',
  'user updated': '\\core\\event\\user_updated',
  'user deleted': '\\core\\event\\user_deleted',
  'course created': '\\core\\event\\course_created',
  'course updated': '\\core\\event\\course_updated',
  'course deleted': '\\core\\event\\course_deleted',
  'course module created': '\\core\\event\\course_module_created',
  'course module updated': '\\core\\event\\course_module_updated',
  'course module deleted': '\\core\\event\\course_module_deleted',
  'grader report viewed': '\\gradereport_grader\\event\\grade_report_viewed',
  'log report viewed': '\\report_log\\event\\report_viewed',
  'quiz attempt started': '\\mod_quiz\\event\\attempt_started',
  'quiz attempt submitted': '\\mod_quiz\\event\\attempt_submitted',
  'quiz attempt viewed': '\\mod_quiz\\event\\attempt_viewed',
  'quiz attempt reviewed': '\\mod_quiz\\event\\attempt_reviewed',
  'quiz attempt summary viewed': '\\mod_quiz\\event\\attempt_summary_viewed',
  'a submission has been submitted.': '\\mod_assign\\event\\assessable_submitted',
  'submission status viewed.': '\\mod_assign\\event\\submission_status_viewed',
  'the status of the submission has been viewed.': '\\mod_assign\\event\\submission_status_viewed',
  'discussion viewed': '\\mod_forum\\event\\discussion_viewed',
  'discussion created': '\\mod_forum\\event\\discussion_created',
  'post created': '\\mod_forum\\event\\post_created',
  'post updated': '\\mod_forum\\event\\post_updated',
  'the submission has been graded.': '\\mod_assign\\event\\submission_graded',
  'submission graded': '\\mod_assign\\event\\submission_graded',
};

/** The Component column's module names → Moodle module (plugin) names. */
const MODULES: Record<string, string> = {
  file: 'resource', page: 'page', url: 'url', folder: 'folder', book: 'book', forum: 'forum', quiz: 'quiz', assignment: 'assign', lesson: 'lesson',
  'scorm package': 'scorm', 'h5p': 'h5pactivity', 'interactive content': 'hvp', glossary: 'glossary', wiki: 'wiki', choice: 'choice', feedback: 'feedback',
  workshop: 'workshop', label: 'label', chat: 'chat', database: 'data', survey: 'survey', lti: 'lti', 'external tool': 'lti',
};

const CRUD_WORDS: [RegExp, Crud][] = [
  [/\b(deleted|removed|unassigned|unenrolled|reset)\b/, 'd'],
  [/\b(created|added|submitted|started|uploaded|assigned|enrolled|sent|posted)\b/, 'c'],
  [/\b(updated|graded|completed|changed|modified|moved|edited|overridden|accepted)\b/, 'u'],
];

/** The class (and CRUD) of an event name and component. */
export function eventClassOf(name: string, component: string | null): { eventname: string; crud: Crud; module: string | null } {
  const key = name.trim().toLowerCase();
  const module = component ? (MODULES[component.trim().toLowerCase()] ?? null) : null;
  if (key === 'course module viewed' && module) return { eventname: `\\mod_${module}\\event\\course_module_viewed`, crud: 'r', module };
  if (key === 'course module instance list viewed' && module) return { eventname: `\\mod_${module}\\event\\course_module_instance_list_viewed`, crud: 'r', module };
  const known = EVENT_CLASSES[key];
  const crud = CRUD_WORDS.find(([re]) => re.test(key))?.[1] ?? 'r';
  if (known) return { eventname: known, crud: key === 'user graded' || key === 'course completed' ? 'u' : crud, module };
  return { eventname: name.trim(), crud, module };
}

/** Ids Moodle writes into the description. */
export function descriptionIds(description: string): { users: number[]; course: number | null; module: number | null } {
  const users = [...description.matchAll(/\buser with id '(\d+)'/gi)].map((m) => Number(m[1]));
  const course = /\bcourse with id '(\d+)'/i.exec(description);
  const module = /\bcourse module id '(\d+)'|\bcourse module with id '(\d+)'/i.exec(description);
  return { users: [...new Set(users)], course: course ? Number(course[1]) : null, module: module ? Number(module[1] ?? module[2]) : null };
}

/**
 * A person the export names but does not number: a stable id from the name,
 * above any real Moodle user id (10^14 + 48 bits of the name's SHA-256), so
 * that it goes through the id map and placeholders like a numbered one.
 */
export function nameUserId(fullName: string): number {
  const digest = createHash('sha256').update(fullName.trim().normalize('NFC').toLowerCase()).digest();
  return 100_000_000_000_000 + digest.readUIntBE(0, 6);
}

/** A course the export names but does not number (mapping `courseNames`): as nameUserId. */
export const nameCourseId = (name: string): number => nameUserId(`course:${name}`);

export const isNameUserId = (id: number): boolean => id >= 100_000_000_000_000;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

interface LocalTime {
  year: number | null;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Parses Moodle's date formats (see the header); `utc` for ISO with a zone or Unix seconds. */
export function parseMoodleTime(text: string): { local: LocalTime } | { utc: number } | null {
  const t = text.trim().replace(/\s+/g, ' ');
  if (/^\d{9,11}$/.test(t)) return { utc: Number(t) };
  const iso = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
  if (iso) {
    const [, y, mo, d, h, mi, s, zone] = iso;
    if (zone) {
      const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${zone === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
      return Number.isNaN(ms) ? null : { utc: Math.floor(ms / 1000) };
    }
    return { local: { year: +y, month: +mo, day: +d, hour: +h, minute: +mi, second: +(s ?? 0) } };
  }
  const clock = (h: string, mi: string, s: string | undefined, ampm: string | undefined) => {
    let hour = Number(h);
    if (ampm) {
      if (hour < 1 || hour > 12) return null;
      hour = (hour % 12) + (ampm.toLowerCase() === 'pm' ? 12 : 0);
    }
    return { hour, minute: Number(mi), second: Number(s ?? 0) };
  };
  // "Sunday, 6 December 2024, 2:03 PM", "6 Dec, 14:03", "6 Dec 2024, 14:03:05"
  const named = /^(?:[A-Za-z]+, )?(\d{1,2}) ([A-Za-z]+)\.?(?: (\d{4}))?,? (\d{1,2}):(\d{2})(?::(\d{2}))? ?([AaPp][Mm])?$/.exec(t);
  if (named) {
    const [, d, mon, y, h, mi, s, ampm] = named;
    const month = MONTHS.indexOf(mon.slice(0, 3).toLowerCase()) + 1;
    const c = clock(h, mi, s, ampm);
    if (!month || !c) return null;
    return { local: { year: y ? Number(y) : null, month, day: Number(d), ...c } };
  }
  // "06/12/24, 14:03" (day/month/year, Moodle's strftimedatetimeshort)
  const numeric = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4}),? (\d{1,2}):(\d{2})(?::(\d{2}))? ?([AaPp][Mm])?$/.exec(t);
  if (numeric) {
    const [, d, mo, y, h, mi, s, ampm] = numeric;
    const c = clock(h, mi, s, ampm);
    if (!c) return null;
    return { local: { year: y.length === 2 ? 2000 + Number(y) : Number(y), month: Number(mo), day: Number(d), ...c } };
  }
  return null;
}

/** Offset (ms) of `timeZone` from UTC at the instant `utcMs`. */
function zoneOffset(timeZone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(utcMs / 1000) * 1000;
}

/** Unix seconds of a wall-clock time in `timeZone` (the earlier of two in a DST overlap). */
export function zonedToUnix(local: Required<Omit<LocalTime, 'year'>> & { year: number }, timeZone: string): number | null {
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  const check = new Date(asUtc);
  if (check.getUTCMonth() !== local.month - 1 || check.getUTCDate() !== local.day || local.hour > 23 || local.minute > 59 || local.second > 59) return null;
  let guess = asUtc - zoneOffset(timeZone, asUtc);
  guess = asUtc - zoneOffset(timeZone, guess);
  return Math.floor(guess / 1000);
}

export function validTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Gives year-less times a year: the option's for the first, then the one nearest the previous row's time. */
export class YearFollower {
  private previous: number | null = null;

  constructor(
    private readonly firstYear: number,
    private readonly timeZone: string,
  ) {}

  resolve(local: LocalTime): number | null {
    if (local.year !== null) {
      const at = zonedToUnix({ ...local, year: local.year }, this.timeZone);
      if (at !== null) this.previous = at;
      return at;
    }
    const around = this.previous === null ? [this.firstYear] : [0, -1, 1].map((d) => new Date(this.previous! * 1000).getUTCFullYear() + d);
    let best: number | null = null;
    for (const year of around) {
      const at = zonedToUnix({ ...local, year }, this.timeZone);
      if (at !== null && (best === null || Math.abs(at - (this.previous ?? at)) < Math.abs(best - (this.previous ?? best)))) best = at;
    }
    if (best !== null) this.previous = best;
    return best;
  }
}

export interface ReportLogOptions {
  timeZone: string;
  years: YearFollower;
  /** Moodle course the report was downloaded for, for rows whose description names none. */
  course: number | null;
  /** A course named in the Event context or Course column → its Moodle id (nameCourseId), when the mapping names it. */
  courseByName: (name: string) => number | null;
}

const DASH = new Set(['', '-']);

/** A row of the Logs report as a standard-log row (identity filled in by the importer). */
export function parseReportRow(record: RowInput, columns: Columns, line: number, options: ReportLogOptions): RowResult {
  const { fields } = record;
  const textOf = (column: string): string | null => {
    const i = columns.get(column);
    if (i === undefined) return null;
    const text = (fields[i] ?? '').trim();
    return DASH.has(text) ? null : text;
  };
  const name = textOf('event name');
  if (!name) return { skip: 'no_eventname' };
  const timeText = textOf('time');
  const parsed = timeText ? parseMoodleTime(timeText) : null;
  if (!parsed) return { skip: 'bad_time' };
  const timecreated = 'utc' in parsed ? parsed.utc : options.years.resolve(parsed.local);
  if (timecreated === null || timecreated <= 0 || timecreated > 253402300799) return { skip: 'bad_time' };

  const component = textOf('component');
  const { eventname, crud, module } = eventClassOf(name, component);
  const description = textOf('description') ?? '';
  const ids = descriptionIds(description);

  // People: the description's ids, else the names.
  const fullName = textOf('user full name');
  const loggedAs = fullName ? /^(.+?) as (.+)$/.exec(fullName) : null;
  const actorName = loggedAs ? loggedAs[2] : fullName;
  const userid = ids.users[0] ?? (actorName ? nameUserId(actorName) : 0);
  const realuserid = loggedAs ? nameUserId(loggedAs[1]) : null;
  const affected = textOf('affected user');
  let relateduserid: number | null = null;
  if (affected) relateduserid = affected === actorName ? userid : (ids.users.find((id) => id !== userid) ?? nameUserId(affected));

  const context = textOf('event context');
  const courseName = context && /^course: /i.test(context) ? context.slice(context.indexOf(':') + 1).trim() : null;
  const courseColumn = textOf('course');
  const moduleView = module !== null && ids.module !== null;
  // The report's course (option) for what happened inside a course: its own context or one of its modules.
  const inCourse = moduleView || courseName !== null || (context !== null && !/^(system|other|user: |category: )/i.test(context));
  const courseid = ids.course ?? (courseName ? options.courseByName(courseName) : null) ?? (courseColumn ? options.courseByName(courseColumn) : null) ?? (inCourse ? options.course : null);
  // A role assignment names the role ("… assigned the role with id '3' to the user with id '5'"): the object, and the person given it.
  const role = /\\core\\event\\role_(un)?assigned$/.test(eventname) ? /\brole with id '(\d+)'/i.exec(description) : null;
  if (role && relateduserid === null && ids.users.length > 1) relateduserid = ids.users[1];
  const classParts = /^\\([^\\]+)\\event\\(.+)$/.exec(eventname);
  const words = classParts ? classParts[2].split('_') : name.toLowerCase().split(/\s+/);

  const row: MoodleLogRow = {
    line,
    identity: '',
    id: null,
    eventname,
    component: classParts ? classParts[1] : (component ?? 'unknown'),
    action: words[words.length - 1] ?? 'logged',
    target: words.slice(0, -1).join('_'),
    objecttable: role ? 'role' : null,
    objectid: role ? Number(role[1]) : null,
    crud,
    edulevel: null,
    contextid: null,
    contextlevel: moduleView ? 70 : courseid ? 50 : null,
    contextinstanceid: moduleView ? ids.module : courseid,
    userid,
    courseid,
    relateduserid,
    anonymous: false,
    other: description ? { value: { description, ...(context && { context }), ...(component && { componentName: component }), eventName: name }, format: 'json' } : { value: null, format: 'empty' },
    timecreated,
    origin: textOf('origin'),
    ip: textOf('ip address'),
    realuserid,
    latin1Fields: record.latin1,
  };
  return { row };
}
