/**
 * The Logs report as Moodle users download it (report_log: Time, User full
 * name, Affected user, Event context, Component, Event name, Description,
 * Origin, IP address), written by the test in every format and line ending:
 * CSV with CR-only, CRLF and LF endings and Moodle's delimiters, .xlsx,
 * OpenDocument (.ods) and JSON; newest first, times without a year crossing New Year, in the site's
 * time zone, a Windows-1252 byte, two identical rows, unreadable times and a
 * person named but not numbered. Every row is imported exactly once (an older
 * export, then a newer one overlapping it, then the same log in the other
 * formats), rejected rows say why, and the course log, the usage statistics
 * and the course's xAPI agree with counts computed here from the rows.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import pg from 'pg';
import request from 'supertest';
import writeXlsxFile from 'write-excel-file/node';
import { EVENT_STORE, type EventStore } from '../../libs/event-store/src';
import { ImportJobs, MoodleLogImporter, type RejectedRow } from '../../libs/interop/src';
import { ProjectionRunner } from '../../libs/projections/src';
import { createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

const HEADER = ['Time', 'User full name', 'Affected user', 'Event context', 'Component', 'Event name', 'Description', 'Origin', 'IP address'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ZONE_HOURS = 7; // Asia/Bangkok, no daylight saving
const MOODLE_COURSE = 2;
const MODULE = 12;

interface Row {
  fields: string[];
  /** When it happened (UTC ms), or null for a row that must be rejected. */
  at: number | null;
  type: 'CourseViewed' | 'ResourceViewed' | 'ImportedLogin' | 'ImportedLogEntry' | null;
  actor: string;
}

/** Newest first: 2 Jan 2025 12:00 Bangkok back by 97 minutes a row, across New Year. */
function makeRows(): Row[] {
  const rows: Row[] = [];
  const newest = Date.UTC(2025, 0, 2, 12 - ZONE_HOURS, 0);
  for (let i = 0; i < 60; i++) {
    const at = newest - i * 97 * 60_000;
    const local = new Date(at + ZONE_HOURS * 3_600_000);
    const time = `${local.getUTCDate()} ${MONTHS[local.getUTCMonth()]}, ${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
    const user = 5 + (i % 12);
    const name = `Learner ${user}`;
    const ip = `192.0.2.${i + 1}`;
    if (i % 3 === 0) rows.push({ at, type: 'CourseViewed', actor: name, fields: [time, name, '-', 'Course: Histoire \u00e9', 'System', 'Course viewed', `The user with id '${user}' viewed the course with id '${MOODLE_COURSE}'.`, 'web', ip] });
    else if (i % 3 === 1) rows.push({ at, type: 'ResourceViewed', actor: name, fields: [time, name, '-', 'File: Reading', 'File', 'Course module viewed', `The user with id '${user}' viewed the 'resource' activity with course module id '${MODULE}'.`, 'web', ip] });
    else rows.push({ at, type: 'ImportedLogin', actor: name, fields: [time, name, '-', 'System', 'System', 'User has logged in', `The user with id '${user}' has logged in.`, 'web', ip] });
  }
  // Two identical rows (same minute, person and event): both happened, both count.
  rows.splice(10, 0, { ...rows[9] }, { ...rows[9] });
  rows.splice(9, 1);
  // A person the export names without an id; rows Moodle's date cannot be read from.
  rows.splice(30, 0, { at: rows[30].at, type: 'ImportedLogEntry', actor: 'Dana Name', fields: [rows[30].fields[0], 'Dana Name', '-', 'System', 'System', 'Dashboard viewed', 'Someone looked at a dashboard.', 'web', '192.0.2.200'] });
  rows.splice(40, 0, { at: null, type: null, actor: '', fields: ['someday', 'Learner 5', '-', 'System', 'System', 'Course viewed', "The user with id '5' viewed the course with id '2'.", 'web', ''] });
  rows.splice(50, 0, { at: null, type: null, actor: '', fields: ['32 Dec, 10:00', 'Learner 6', '-', 'System', 'System', 'Course viewed', "The user with id '6' viewed the course with id '2'.", 'web', ''] });
  return rows;
}

const quote = (f: string, delimiter: string) => (/["\r\n]/.test(f) || f.includes(delimiter) || f.includes(',') ? `"${f.replace(/"/g, '""')}"` : f);
/** A CSV in Windows-1252 when asked (the é of the course name is then one byte). */
function csv(rows: Row[], delimiter: string, eol: string, encoding: 'utf8' | 'latin1' = 'utf8'): Buffer {
  const text = [HEADER, ...rows.map((r) => r.fields)].map((fields) => fields.map((f) => quote(f, delimiter)).join(delimiter)).join(eol) + eol;
  return Buffer.from(text, encoding);
}

/** An OpenDocument spreadsheet of these rows, as Moodle's "Download table data as OpenDocument" writes one. */
function odsOf(table: string[][]): Uint8Array {
  const escape = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');
  const body = table.map((fields) => `<table:table-row>${fields.map((f) => `<table:table-cell office:value-type="string"><text:p>${escape(f)}</text:p></table:table-cell>`).join('')}</table:table-row>`).join('');
  const xml = `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Logs">${body}</table:table></office:spreadsheet></office:body></office:document-content>`;
  return zipSync({ mimetype: [strToU8('application/vnd.oasis.opendocument.spreadsheet'), { level: 0 }], 'content.xml': strToU8(xml) });
}

let t: TestApp;
let db: pg.Client;
const http = () => request(t.app.getHttpServer());
const tmp = mkdtempSync(join(tmpdir(), 'moodle-report-'));
let admin: Session;
let teacher: Session;
let schoolId: string;
let courseId: string;
let mappingCourses: Record<string, string>;

async function settle(): Promise<void> {
  const head = await t.app.get<EventStore>(EVENT_STORE).headPosition();
  if (head) await t.app.get(ProjectionRunner).waitFor(head, 120_000);
}

function file(name: string, content: string | Buffer): string {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
}

async function importFile(path: string) {
  const rejected: RejectedRow[] = [];
  const summary = await t.app.get(MoodleLogImporter).import({
    file: path,
    schoolId,
    createMissing: true,
    site: 'school-moodle',
    timeZone: 'Asia/Bangkok',
    year: 2025,
    moodleCourse: MOODLE_COURSE,
    mapping: { users: {}, courses: mappingCourses, modules: {}, people: {}, courseNames: {}, learners: {}, gradeItems: {} },
    onRejected: (r) => void rejected.push(r),
  });
  return { summary, rejected };
}

/** The parts of a course's xAPI statement the tests read. */
interface ExportedStatement {
  context?: { extensions: Record<string, unknown> };
  timestamp: string;
  stored: string;
}

const rows = makeRows();
const valid = rows.filter((r) => r.at !== null);
const countBy = <K extends string>(items: Row[], key: (r: Row) => K) => items.reduce<Record<string, number>>((m, r) => ((m[key(r)] = (m[key(r)] ?? 0) + 1), m), {});

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  admin = await signInAdmin(t);
  schoolId = await createSchool(t, admin, 'Moodle School');
  teacher = await openAccount(t, admin, { schoolId, role: 'teacher' });
  courseId = (await http().post('/api/v1/courses').set(teacher.auth).send({ schoolId, title: 'Histoire', code: 'HIS-2', subject: 'History', selfEnrolment: { enabled: false } }).expect(201)).body.courseId;
  mappingCourses = { [MOODLE_COURSE]: courseId };
}, 120_000);

afterAll(async () => {
  await db.end();
  await t.close();
});

describe('the Logs report download', () => {
  it('imports an older export (CR-only line endings, tabs, Windows-1252) row by row, and says why it rejects a row', async () => {
    const older = rows.slice(20);
    const { summary, rejected } = await importFile(file('older.tsv', csv(older, '\t', '\r', 'latin1')));
    const olderValid = older.filter((r) => r.at !== null);
    expect(summary).toMatchObject({ status: 'done', format: 'report_log', thisRun: { rows: older.length, appended: olderValid.length } });
    expect(summary.counts.imported).toEqual(countBy(olderValid, (r) => r.type!));
    expect(summary.counts.skipped).toEqual({ bad_time: 2 });
    expect(rejected.map((r) => [r.reason, r.fields[0]])).toEqual([['bad_time', 'someday'], ['bad_time', '32 Dec, 10:00']]);
    expect(rejected.every((r) => r.line > 1)).toBe(true);
  });

  it('imports only the new rows of a newer export that overlaps it (semicolons, CRLF)', async () => {
    const { summary } = await importFile(file('newer.csv', csv(rows, ';', '\r\n')));
    const newRows = rows.slice(0, 20).filter((r) => r.at !== null);
    expect(summary.thisRun).toMatchObject({ rows: rows.length, appended: newRows.length });
    expect(summary.counts.alreadyInLog).toBe(valid.length - newRows.length);
  });

  it('appends nothing for the same log downloaded as .xlsx, OpenDocument, JSON or comma-separated with LF', async () => {
    const xlsx = join(tmp, 'log.xlsx');
    await writeXlsxFile([HEADER, ...rows.map((r) => r.fields)].map((fields) => fields.map((value) => ({ value, type: String })))).toFile(xlsx);
    // Uploaded without its name (as the HTTP import stores it): known by its mimetype.
    const ods = file('log.upload', Buffer.from(odsOf([HEADER, ...rows.map((r) => r.fields)])));
    const json = file('log.json', JSON.stringify(rows.map((r) => Object.fromEntries(HEADER.map((h, i) => [h, r.fields[i]])))));
    const lf = file('log.csv', csv(rows, ',', '\n'));
    for (const path of [xlsx, ods, json, lf]) {
      const { summary, rejected } = await importFile(path);
      expect({ path, rows: summary.thisRun.rows, appended: summary.thisRun.appended, rejected: rejected.length }).toEqual({ path, rows: rows.length, appended: 0, rejected: 2 });
    }
  }, 60_000);

  it('holds each row once, at the time it happened, by the person it names', async () => {
    const { rows: events } = await db.query(
      `SELECT event_type AS type, metadata->>'occurredAt' AS at, metadata->>'actorId' AS actor FROM events WHERE event_type IN ('CourseViewed', 'ResourceViewed', 'ImportedLogin', 'ImportedLogEntry') AND metadata->>'origin' = 'import'`,
    );
    expect(events).toHaveLength(valid.length);
    expect(countBy(events as never, (e) => e.type!)).toEqual(countBy(valid, (r) => r.type!));
    expect(events.map((e) => Date.parse(e.at)).sort()).toEqual(valid.map((r) => r.at!).sort());
    expect(new Set(events.map((e) => e.actor)).size).toBe(new Set(valid.map((r) => r.actor)).size);
  });

  it('shows the course\'s rows in the course log newest first by when they happened, and its date filter uses that time', async () => {
    await settle();
    const inCourse = valid.filter((r) => r.type === 'CourseViewed' || r.type === 'ResourceViewed').sort((a, b) => b.at! - a.at!);
    const seen: { occurredAt: string; eventType: string }[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await http().get(`/api/v1/courses/${courseId}/logs?origin=import&limit=7${cursor ? `&cursor=${cursor}` : ''}`).set(teacher.auth).expect(200);
      // (The placeholder resource the import added to the course is in its log too.)
      seen.push(...res.body.rows.filter((r: { eventType: string }) => r.eventType === 'CourseViewed' || r.eventType === 'ResourceViewed'));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.map((r) => Date.parse(r.occurredAt))).toEqual(inCourse.map((r) => r.at!));
    const day = '2024-12-31';
    const res = await http().get(`/api/v1/courses/${courseId}/logs?origin=import&from=${day}&to=${day}&limit=100`).set(teacher.auth).expect(200);
    expect(res.body.rows.filter((r: { eventType: string }) => r.eventType === 'CourseViewed' || r.eventType === 'ResourceViewed')).toHaveLength(inCourse.filter((r) => new Date(r.at!).toISOString().startsWith(day)).length);
  });

  it('counts the imported activity in the usage statistics on its own day, under the role and school the people had', async () => {
    const res = await http().get('/api/v1/reports/usage?from=2024-12-28&to=2025-01-03&by=role&format=csv').set(admin.auth).expect(200);
    const lines = res.text.trimEnd().split('\r\n').map((l) => l.split(','));
    const byDay = new Map<string, Row[]>();
    for (const r of valid) byDay.set(new Date(r.at!).toISOString().slice(0, 10), [...(byDay.get(new Date(r.at!).toISOString().slice(0, 10)) ?? []), r]);
    expect(byDay.size).toBeGreaterThanOrEqual(4);
    let shown = 0;
    for (const [day, dayRows] of byDay) {
      // Cells of fewer than USAGE_MIN_CELL_SIZE (5) people are suppressed.
      const people = new Set(dayRows.map((r) => r.actor)).size;
      const learner = lines.find((l) => l[0] === day && l[3] === 'active_users' && l[5] === 'learner');
      const expected = people >= 5 ? [String(people), String(dayRows.length), 'false'] : ['', '', 'true'];
      if (people >= 5) shown++;
      expect({ day, cell: learner?.slice(7) }).toEqual({ day, cell: expected });
      expect(lines.find((l) => l[0] === day && l[3] === 'active_users' && l[5] === 'general')).toBeUndefined();
    }
    const school = await http().get('/api/v1/reports/usage?from=2024-12-28&to=2025-01-03&by=school&format=csv').set(admin.auth).expect(200);
    const schoolLines = school.text.trimEnd().split('\r\n').map((l) => l.split(','));
    for (const [day, dayRows] of byDay) {
      const people = new Set(dayRows.map((r) => r.actor)).size;
      expect(schoolLines.find((l) => l[0] === day && l[3] === 'active_users' && l[5] === schoolId)?.slice(7)).toEqual(people >= 5 ? [String(people), String(dayRows.length), 'false'] : ['', '', 'true']);
    }
    expect(shown).toBeGreaterThanOrEqual(3);
  });

  it('gives the course\'s xAPI statements the time the rows happened as timestamp, and when Learnstream recorded them as stored', async () => {
    const res = await http().get(`/api/v1/courses/${courseId}/xapi?limit=500`).set(teacher.auth).expect(200);
    const imported = res.body.statements.filter((s: ExportedStatement) => Object.values(s.context?.extensions ?? {}).includes('import') && ['CourseViewed', 'ResourceViewed'].some((type) => Object.values(s.context!.extensions).includes(type)));
    const inCourse = valid.filter((r) => r.type === 'CourseViewed' || r.type === 'ResourceViewed');
    expect(imported.map((s: ExportedStatement) => Date.parse(s.timestamp)).sort()).toEqual(inCourse.map((r) => r.at!).sort());
    for (const s of imported) expect(Date.now() - Date.parse(s.stored)).toBeLessThan(3_600_000);
  });
});

describe('the HTTP import for admins', () => {
  const poll = async (jobId: string, who = admin) => {
    await t.app.get(ImportJobs).settled(jobId);
    return (await http().get(`/api/v1/imports/${jobId}`).set(who.auth).expect(200)).body;
  };

  it('uploads a file, runs it as a job with progress, and gives the rejected rows as CSV with their reasons', async () => {
    const schoolAdmin = await openAccount(t, admin, { schoolId, role: 'school_admin' });
    const other = rows.slice(0, 45);
    const body = csv(other, ',', '\n');
    const query = `schoolId=${schoolId}&createMissing=true&site=http-moodle&timezone=Asia/Bangkok&year=2025&moodleCourse=${MOODLE_COURSE}&fileName=logs.csv`;
    await http().post(`/api/v1/imports/moodle-logs?${query}`).set(teacher.auth).set('Content-Type', 'text/csv').send(body).expect(403);
    const started = await http().post(`/api/v1/imports/moodle-logs?${query}`).set(schoolAdmin.auth).set('Content-Type', 'text/csv').send(body).expect(202);
    expect(started.body).toMatchObject({ kind: 'moodle-logs', schoolId, fileName: 'logs.csv', fileSize: body.length });
    const job = await poll(started.body.jobId, schoolAdmin);
    const bad = other.filter((r) => r.at === null);
    expect(job).toMatchObject({ status: 'done', rowsRead: other.length, imported: other.length - bad.length, rejected: bad.length, percent: 100, error: null });
    expect(job.rowsPerSecond).toBeGreaterThan(0);
    await http().get(`/api/v1/imports/${job.jobId}`).set(teacher.auth).expect(403);
    await http().get(`/api/v1/imports/00000000-0000-4000-8000-000000000000`).set(admin.auth).expect(404);

    const rejected = await http().get(`/api/v1/imports/${job.jobId}/rejected`).set(schoolAdmin.auth).expect(200);
    expect(rejected.headers['content-type']).toMatch(/^text\/csv/);
    const lines = rejected.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('line,reason,fields');
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(bad.map(() => 'bad_time'));
    expect(lines.slice(1).map((l) => l.split(',')[2])).toEqual(bad.map((r) => r.fields[0]));
    // The rejected rows are sealed in the database: no name in clear.
    const { rows: stored } = await db.query('SELECT fields::text AS f FROM interop_import_rejections WHERE job_id = $1', [job.jobId]);
    expect(stored.length).toBe(bad.length);
    expect(stored.some((r) => r.f.includes('Learner'))).toBe(false);

    await http().delete(`/api/v1/imports/${job.jobId}`).set(schoolAdmin.auth).expect(204);
    await http().get(`/api/v1/imports/${job.jobId}`).set(schoolAdmin.auth).expect(404);
  });

  it('refuses options the import cannot run with before it takes the file: no job, no upload kept (an unknown time zone was a 202 and a failed job)', async () => {
    const body = csv(rows.slice(0, 3), ',', '\n');
    const uploads = () => (existsSync(t.config.interop.importDir) ? readdirSync(t.config.interop.importDir).length : 0);
    const [jobsBefore, filesBefore] = [(await db.query('SELECT count(*)::int AS n FROM interop_import_jobs')).rows[0].n, uploads()];
    for (const query of [`schoolId=${schoolId}&timezone=Mars/Olympus`, `schoolId=${schoolId}&timezone=%2B07:00`, 'createMissing=true']) {
      const res = await http().post(`/api/v1/imports/moodle-logs?${query}`).set(admin.auth).set('Content-Type', 'text/csv').send(body);
      expect({ query, status: res.status, code: res.body.error?.code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
    }
    expect([(await db.query('SELECT count(*)::int AS n FROM interop_import_jobs')).rows[0].n, uploads()]).toEqual([jobsBefore, filesBefore]);
  });

  it('cancels a running job at a batch boundary and resumes it without importing a row twice', async () => {
    const n = 5_000;
    const lines = ['id,eventname,component,action,target,objecttable,objectid,crud,edulevel,contextid,contextlevel,contextinstanceid,userid,courseid,relateduserid,anonymous,other,timecreated,origin,ip,realuserid'];
    for (let i = 0; i < n; i++) lines.push(`${i + 1},\\core\\event\\course_viewed,core,viewed,course,,,r,2,1,50,${MOODLE_COURSE},${3000 + (i % 10)},${MOODLE_COURSE},,0,N;,${1714550400 + i},web,192.0.2.1,`);
    const started = await http().post(`/api/v1/imports/moodle-logs?schoolId=${schoolId}&createMissing=true&site=big-moodle`).set(admin.auth).set('Content-Type', 'application/octet-stream').send(Buffer.from(lines.join('\n'))).expect(202);
    const cancelled = (await http().post(`/api/v1/imports/${started.body.jobId}/cancel`).set(admin.auth).expect(200)).body;
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.rowsRead).toBeLessThan(n);
    const resumed = await http().post(`/api/v1/imports/${started.body.jobId}/resume`).set(admin.auth).expect(202);
    expect(resumed.body.status).toMatch(/queued|running/);
    const job = await poll(started.body.jobId);
    expect(job).toMatchObject({ status: 'done', rowsRead: n, imported: n, rejected: 0 });
    await http().post(`/api/v1/imports/${started.body.jobId}/resume`).set(admin.auth).expect(409);
    const { rows: events } = await db.query(`SELECT count(*)::int AS n FROM events WHERE event_type = 'CourseViewed' AND metadata->>'origin' = 'import' AND (metadata->>'occurredAt')::timestamptz >= '2024-05-01T08:00:00Z' AND (metadata->>'occurredAt')::timestamptz < '2024-05-02T00:00:00Z'`);
    expect(events[0].n).toBe(n);
  }, 240_000);
});
