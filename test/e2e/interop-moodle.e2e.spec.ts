/**
 * Moodle imports end to end: the standard log (test/fixtures/moodle/standard_log.csv,
 * every column and the strange values: anonymous rows, "logged in as", missing
 * course, non-UTF-8 bytes, IPv6, PHP-serialized and JSON `other`, users 0 and
 * -1) through the real CLI, into events with the usual envelope and
 * encryption, shown by the course log; a re-import appends nothing; an
 * interrupted import (and one that stopped between its append and its
 * checkpoint) resumes without duplicates; placeholders with --create-missing;
 * and the gradebook export into manual grade items and grades.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { runCli } from '../../apps/cli/src/cli';
import { EVENT_STORE, EventLog, type EventStore } from '../../libs/event-store/src';
import { MoodleLogImporter, learnerStatements, validateStatement } from '../../libs/interop/src';
import { ProjectionRunner } from '../../libs/projections/src';
import { countEvents, createSchool, openAccount, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

const FIXTURES = resolve('test/fixtures/moodle');
const LOG = join(FIXTURES, 'standard_log.csv');

let t: TestApp;
let db: pg.Client;
const http = () => request(t.app.getHttpServer());
const tmp = mkdtempSync(join(tmpdir(), 'moodle-'));
const saved = { ...process.env };

let admin: Session;
let schoolA: string;
let schoolAdmin: Session;
let teacher: Session;
let ann: Session;
let bo: Session;
let zoe: Session;
let courseId: string;
let resourceId: string;

async function settle(): Promise<void> {
  const head = await t.app.get<EventStore>(EVENT_STORE).headPosition();
  if (head) await t.app.get(ProjectionRunner).waitFor(head, 120_000);
}

async function cli(...args: string[]): Promise<{ code: number; output: string[] }> {
  const output: string[] = [];
  Object.assign(process.env, { NODE_ENV: 'test', DATABASE_URL: t.db.url, MASTER_KEY: t.config.masterKey.toString('base64'), OPS_TOKEN: t.config.opsToken, ERASURE_LEDGER_PATH: t.config.erasureLedgerPath });
  try {
    const code = await runCli(args, (s) => output.push(s));
    return { code, output };
  } finally {
    process.env = { ...saved };
  }
}

function file(name: string, content: string | Buffer): string {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
}

async function importEvents(correlation = 'moodle-import:%'): Promise<{ id: string; type: string; stream: string; data: Record<string, unknown>; metadata: Record<string, unknown> }[]> {
  const { rows } = await db.query(
    `SELECT event_id AS id, event_type AS type, stream_id AS stream, data, metadata FROM events WHERE metadata->>'correlationId' LIKE $1 ORDER BY global_position`,
    [correlation],
  );
  return rows;
}

beforeAll(async () => {
  t = await createTestApp();
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  admin = await signInAdmin(t);
  schoolA = await createSchool(t, admin, 'School A');
  schoolAdmin = await openAccount(t, admin, { schoolId: schoolA, role: 'school_admin' });
  teacher = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'teacher' });
  ann = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'learner', email: 'ann@example.com' });
  bo = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'learner', email: 'bo@example.com' });
  zoe = await openAccount(t, schoolAdmin, { schoolId: schoolA, role: 'learner', email: 'zoe@example.com' });
  courseId = (await http().post('/api/v1/courses').set(teacher.auth).send({ schoolId: schoolA, title: 'History', code: 'HIS-1', subject: 'History', selfEnrolment: { enabled: false } }).expect(201)).body.courseId;
  const sectionId = (await http().post(`/api/v1/courses/${courseId}/sections`).set(teacher.auth).send({ title: 'Week 1' }).expect(201)).body.sectionId;
  resourceId = (await http().post(`/api/v1/courses/${courseId}/resources`).set(teacher.auth).send({ sectionId, kind: 'page', title: 'Reading', content: { body: '<p>x</p>' } }).expect(201)).body.resourceId;
  for (const learner of [ann, bo, zoe]) await http().post(`/api/v1/courses/${courseId}/enrolments`).set(teacher.auth).send({ learnerId: learner.userId }).expect(201);
  await settle();
}, 120_000);

afterAll(async () => {
  process.env = saved;
  await db.end();
  await t.close();
});

describe('learnstream import moodle-logs', () => {
  let mapping: string;

  it('refuses bad arguments before starting anything', async () => {
    expect((await cli('import', 'moodle-logs')).code).toBe(64);
    expect((await cli('import', 'moodle-logs', LOG, '--bogus')).code).toBe(64);
    expect((await cli('import', 'moodle-grades', LOG)).code).toBe(64);
  });

  it('imports every row it can, through the mapping file, with the envelope of the Moodle row and a summary of what was skipped and why', async () => {
    mapping = file('mapping.json', JSON.stringify({ users: { 2: teacher.userId, 5: ann.userId, 6: bo.userId }, courses: { 3: courseId }, modules: { 45: resourceId } }));
    const before = await countEvents(t);
    const { code, output } = await cli('import', 'moodle-logs', LOG, '--mapping', mapping, '--school', schoolA, '--json');
    expect(code).toBe(0);
    const summary = JSON.parse(output[0]);
    expect(summary).toMatchObject({
      status: 'done',
      counts: {
        rows: 19,
        imported: { ImportedLogin: 1, CourseViewed: 3, ResourceViewed: 1, ImportedLogEntry: 11 },
        skipped: { unmapped_course: 1, bad_timecreated: 1, unmapped_user: 1 },
        created: { users: 0, courses: 0, resources: 0, staff: 0 },
      },
      thisRun: { rows: 19, appended: 16 },
    });
    expect(summary.counts.notes).toMatchObject({ anonymous: 1, real_user: 1, ipv6: 1, invalid_ip: 1, latin1: 1, not_logged_in: 1, system_user: 1, site_course: 1, other_php: 4, other_json: 2, other_text: 1 });
    expect(await countEvents(t)).toBe(before + 16);

    const events = await importEvents();
    expect(events).toHaveLength(16);
    expect(new Set(events.map((e) => e.metadata.origin))).toEqual(new Set(['import']));
    // Clear fields hold ids only: IPs, usernames in `other` and names are sealed.
    const clear = JSON.stringify(events);
    for (const secret of ['192.0.2.10', '2001:db8::5', 'mallory', 'ann.l', 'Caf', 'line one']) expect(clear).not.toContain(secret);

    const byLine = new Map(events.map((e) => [e.data.line ?? null, e]));
    const view = events.find((e) => e.type === 'CourseViewed' && e.metadata.realActorId);
    expect(view?.metadata).toMatchObject({ actorId: bo.userId, realActorId: teacher.userId, courseId, schoolId: schoolA, action: 'viewed', crud: 'r', occurredAt: '2024-05-01T08:05:00.000Z' });
    expect(events.find((e) => e.type === 'ResourceViewed')).toMatchObject({ stream: `activity-${ann.userId}`, data: { courseId, resourceId, userId: ann.userId } });
    const anonymous = events.find((e) => e.data.anonymous === true)!;
    expect(anonymous.stream).toMatch(/^moodle_import-/);
    expect(anonymous.metadata).toMatchObject({ actorId: null, realActorId: null, courseId, ip: null });
    expect(anonymous.data.moodleUserId).toBeNull();
    expect(byLine.get(11)?.metadata).toMatchObject({ actorId: null, courseId: null, relatedUserId: null }); // userid 0, course 0
    expect(byLine.get(12)?.data).toMatchObject({ moodleUserId: -1, moodleOrigin: 'cli' });
    expect(byLine.get(9)?.metadata).toMatchObject({ courseId: null, relatedUserId: bo.userId }); // empty courseid
    expect(byLine.get(20)?.metadata).toMatchObject({ actorId: teacher.userId, relatedUserId: ann.userId, action: 'graded', crud: 'u', object: { type: 'moodle_grade_grades' } });

    // Decrypted, as the log's readers see them.
    const log = t.app.get(EventLog);
    const annEvents = [];
    for await (const e of log.readStream(`activity-${ann.userId}`)) if (e.envelope.origin === 'import') annEvents.push(e);
    expect(annEvents.find((e) => e.type === 'ImportedLogin')?.envelope.ip).toBe('192.0.2.10');
    expect(annEvents.find((e) => e.type === 'CourseViewed')?.envelope.ip).toBe('2001:db8::5');
    expect(annEvents.find((e) => e.data.line === 10)?.data).toMatchObject({ other: { subject: 'Café!' }, otherFormat: 'php' });
    expect(annEvents.find((e) => e.data.line === 16)?.data).toMatchObject({ other: 'a:2:{broken', otherFormat: 'text' });
    const multiLine = [];
    for await (const e of log.readStream(`activity-${bo.userId}`)) if (e.data.line === 17) multiLine.push(e);
    expect(multiLine[0].data.other).toEqual({ text: 'line one, "two"', n: 2 });

    // A learner's export as xAPI carries the imported rows too.
    const statements = [];
    for await (const s of learnerStatements(log, ann.userId)) statements.push(s);
    expect(statements.length).toBeGreaterThanOrEqual(7);
    for (const s of statements) expect(validateStatement(s)).toEqual([]);
  });

  it('shows the imported rows in the course log, anonymous ones without an actor', async () => {
    await settle();
    const res = await http().get(`/api/v1/courses/${courseId}/logs?origin=import&limit=500`).set(teacher.auth).expect(200);
    expect(res.body.rows).toHaveLength(11);
    const anonymous = res.body.rows.find((r: { eventType: string; actor: unknown; action: string }) => r.eventType === 'ImportedLogEntry' && r.actor === null && r.action === 'submitted');
    expect(anonymous).toMatchObject({ origin: 'import', relatedUser: null, realActor: null });
    expect(res.body.rows.find((r: { realActor: unknown }) => r.realActor)).toMatchObject({ eventType: 'CourseViewed', actor: { userId: bo.userId }, realActor: { userId: teacher.userId } });
    // Filtered by a person, the anonymous row is not theirs.
    const bos = await http().get(`/api/v1/courses/${courseId}/logs?origin=import&user=${bo.userId}&limit=500`).set(teacher.auth).expect(200);
    expect(bos.body.rows.some((r: { action: string }) => r.action === 'submitted')).toBe(false);
    // And as xAPI.
    const xapi = await http().get(`/api/v1/courses/${courseId}/xapi?limit=500`).set(teacher.auth).expect(200);
    expect(xapi.body.statements.filter((s: { context?: { extensions?: Record<string, string> } }) => Object.values(s.context?.extensions ?? {}).includes('import'))).toHaveLength(11);
  });

  it('appends nothing when the same file is imported again', async () => {
    const before = await countEvents(t);
    const { code, output } = await cli('import', 'moodle-logs', LOG, '--mapping', mapping, '--school', schoolA);
    expect(code).toBe(0);
    expect(output[0]).toContain('already imported: nothing appended');
    expect(await countEvents(t)).toBe(before);
    // Even read again from the start (--restart), every event is found already in the log.
    const again = await cli('import', 'moodle-logs', LOG, '--mapping', mapping, '--school', schoolA, '--restart', '--json');
    expect(JSON.parse(again.output[0])).toMatchObject({ status: 'done', thisRun: { appended: 0 }, counts: { alreadyInLog: 16 } });
    expect(await countEvents(t)).toBe(before);
  });

  it('refuses a mapping that contradicts the id map, or names what does not exist, and an importer who may not manage the school', async () => {
    const before = await countEvents(t);
    const contradicting = file('bad.json', JSON.stringify({ users: { 5: bo.userId } }));
    const res = await cli('import', 'moodle-logs', LOG, '--mapping', contradicting, '--school', schoolA);
    expect(res.code).toBe(1);
    expect(res.output[0]).toMatch(/^MAPPING_CONFLICT/);
    const missing = file('missing.json', JSON.stringify({ courses: { 9: '00000000-0000-4000-8000-000000000009' } }));
    expect((await cli('import', 'moodle-logs', LOG, '--mapping', missing, '--school', schoolA)).output[0]).toMatch(/^MAPPING_INVALID/);
    expect((await cli('import', 'moodle-logs', LOG, '--school', schoolA, '--as', teacher.userId)).output[0]).toMatch(/^FORBIDDEN/);
    expect((await cli('import', 'moodle-logs', LOG, '--create-missing')).output[0]).toMatch(/needs --school/);
    expect(await countEvents(t)).toBe(before);
  });
});

describe('an interrupted import', () => {
  /** A log of `n` course views by 30 Moodle users in 3 courses, none of them known yet. */
  function bigLog(n: number): string {
    const lines = ['id,eventname,component,action,target,objecttable,objectid,crud,edulevel,contextid,contextlevel,contextinstanceid,userid,courseid,relateduserid,anonymous,other,timecreated,origin,ip,realuserid'];
    for (let i = 0; i < n; i++) {
      const user = 1000 + (i % 30);
      const course = 500 + (i % 3);
      const cm = 9000 + (i % 3);
      lines.push(
        i % 5 === 0
          ? `${i},\\mod_url\\event\\course_module_viewed,mod_url,viewed,course_module,url,${i},r,2,1,70,${cm},${user},${course},,0,N;,${1714550400 + i},web,10.0.${i % 250}.1,`
          : `${i},\\core\\event\\course_viewed,core,viewed,course,,,r,2,1,50,${course},${user},${course},,0,"a:1:{s:1:""i"";i:${i};}",${1714550400 + i},web,2001:db8::${(i % 999).toString(16)},`,
      );
    }
    return file(`big-${n}.csv`, `${lines.join('\n')}\n`);
  }

  it('stops at a batch boundary, resumes from its checkpoint, and creates placeholders once', async () => {
    const path = bigLog(2500);
    const importer = t.app.get(MoodleLogImporter);
    const before = await countEvents(t);
    const controller = new AbortController();
    const first = await importer.import({ file: path, schoolId: schoolA, createMissing: true, site: 'other-moodle', batchSize: 1000, signal: controller.signal, onProgress: () => controller.abort() });
    expect(first).toMatchObject({ status: 'interrupted', thisRun: { rows: 1000, appended: 1000 } });
    expect(first.counts.created).toEqual({ users: 30, courses: 3, resources: 3, staff: 0 });
    const afterFirst = await countEvents(t);

    // A run that died after its append but before its checkpoint: the checkpoint (data rows done) is one batch behind.
    const { rows } = await db.query(`SELECT file_key, line FROM interop_import_checkpoints WHERE file_key = $1`, [first.fileKey]);
    expect(Number(rows[0].line)).toBe(1000);
    await db.query(`UPDATE interop_import_checkpoints SET byte_offset = 0, line = 0, counts = '{}' WHERE file_key = $1`, [first.fileKey]);

    const second = await importer.import({ file: path, schoolId: schoolA, createMissing: true, site: 'other-moodle', batchSize: 1000 });
    expect(second).toMatchObject({ status: 'done', resumedFrom: { rows: 0 }, thisRun: { rows: 2500, appended: 1500 }, counts: { rows: 2500, alreadyInLog: 1000 } });
    expect(second.counts.imported).toEqual({ CourseViewed: 2000, ResourceViewed: 500 });

    // Every row once: the log holds exactly one event per line of the file.
    const { rows: imported } = await db.query(`SELECT count(*)::int AS n, count(DISTINCT data->>'courseId')::int AS courses FROM events WHERE metadata->>'correlationId' = $1 AND event_type IN ('CourseViewed', 'ResourceViewed')`, [`moodle-import:${first.fileKey.slice(0, 16)}`]);
    expect(imported[0]).toEqual({ n: 2500, courses: 3 });
    const placeholders = await countEvents(t) - afterFirst - 1500;
    expect(placeholders).toBeGreaterThanOrEqual(0);
    expect(afterFirst - before).toBeGreaterThanOrEqual(1000);

    // The placeholders are recorded as imported: learners of the school, courses of the school.
    await settle();
    const { rows: accounts } = await db.query(`SELECT origin, count(*)::int AS n FROM accounts WHERE display_name LIKE 'Moodle user %' GROUP BY origin`);
    expect(accounts).toEqual([{ origin: 'import', n: 30 }]);
    const { rows: courses } = await db.query(`SELECT count(*)::int AS n FROM courses WHERE code LIKE 'MDL-%' AND school_id = $1`, [schoolA]);
    expect(courses[0].n).toBe(3);
    const { rows: created } = await db.query(`SELECT DISTINCT metadata->>'origin' AS origin FROM events WHERE event_type IN ('AccountCreated', 'CourseCreated', 'CourseResourceAdded') AND metadata->>'correlationId' = $1`, [`moodle-import:${first.fileKey.slice(0, 16)}`]);
    expect(created).toEqual([{ origin: 'import' }]);

    // Finished: a third run appends nothing.
    const third = await importer.import({ file: path, schoolId: schoolA, createMissing: true, site: 'other-moodle' });
    expect(third.status).toBe('already_imported');
  }, 120_000);
});

describe('teachers in the log', () => {
  const HEADER = 'id,eventname,component,action,target,objecttable,objectid,crud,edulevel,contextid,contextlevel,contextinstanceid,userid,courseid,relateduserid,anonymous,other,timecreated,origin,ip,realuserid';
  const T0 = 1714550400;

  it('makes placeholders the log shows teaching (role 3 or 4 given in the course, teaching-level events) teachers of the school and staff of that course; the others stay learners', async () => {
    const rows = [
      // User 2 gives user 70 Moodle's editingteacher role (3) and user 71 its non-editing teacher role (4) in course 800.
      `1,\\core\\event\\role_assigned,core,assigned,role,role,3,c,0,1,50,800,2,800,70,0,N;,${T0},web,10.0.0.1,`,
      `2,\\core\\event\\role_assigned,core,assigned,role,role,4,c,0,1,50,800,2,800,71,0,N;,${T0 + 10},web,10.0.0.1,`,
      // User 72 grades in course 801 (teaching level) and edits a module there (an editing teacher's act); user 73 only grades in 801.
      `3,\\mod_assign\\event\\submission_graded,mod_assign,graded,submission,assign_grades,9,u,1,1,70,9100,72,801,74,0,N;,${T0 + 20},web,10.0.0.1,`,
      `4,\\core\\event\\course_module_updated,core,updated,course_module,course_modules,9100,u,1,1,70,9100,72,801,,0,N;,${T0 + 30},web,10.0.0.1,`,
      `5,\\core\\event\\user_graded,core,graded,user,grade_grades,5,u,1,1,50,801,73,801,74,0,N;,${T0 + 40},web,10.0.0.1,`,
      // Learners: 74 views course 801, 75 is given the student role (5) in 800.
      `6,\\core\\event\\course_viewed,core,viewed,course,,,r,2,1,50,801,74,801,,0,N;,${T0 + 50},web,10.0.0.1,`,
      `7,\\core\\event\\role_assigned,core,assigned,role,role,5,c,0,1,50,800,2,800,75,0,N;,${T0 + 60},web,10.0.0.1,`,
    ];
    const path = file('teachers.csv', `${[HEADER, ...rows].join('\n')}\n`);
    const summary = await t.app.get(MoodleLogImporter).import({ file: path, schoolId: schoolA, createMissing: true, site: 'teachers-moodle' });
    expect(summary.counts.created).toMatchObject({ users: 7, courses: 2, staff: 4 });
    await settle();
    const id = async (moodleId: number) => (await db.query(`SELECT learnstream_id FROM interop_id_map WHERE site = 'teachers-moodle' AND kind = $1 AND external_id = $2`, [moodleId >= 800 ? 'course' : 'user', String(moodleId)])).rows[0].learnstream_id as string;
    const role = async (moodleUser: number) => (await db.query(`SELECT role FROM school_memberships WHERE user_id = $1 AND school_id = $2`, [await id(moodleUser), schoolA])).rows.map((r) => r.role);
    const staff = async (moodleCourse: number) =>
      Object.fromEntries((await db.query(`SELECT user_id, role, assigned_at FROM course_staff WHERE course_id = $1`, [await id(moodleCourse)])).rows.map((r) => [r.user_id, [r.role, new Date(r.assigned_at).toISOString()]]));
    const at = (s: number) => new Date((T0 + s) * 1000).toISOString();
    expect(await staff(800)).toEqual({ [await id(70)]: ['teacher', at(0)], [await id(71)]: ['non_editing_teacher', at(10)] });
    expect(await staff(801)).toEqual({ [await id(72)]: ['teacher', at(20)], [await id(73)]: ['non_editing_teacher', at(40)] });
    for (const teacherId of [70, 71, 72, 73]) expect(await role(teacherId)).toEqual(['teacher']);
    for (const learnerId of [2, 74, 75]) expect(await role(learnerId)).toEqual(['learner']);
    // Again: nothing new.
    const again = await t.app.get(MoodleLogImporter).import({ file: path, schoolId: schoolA, createMissing: true, site: 'teachers-moodle', restart: true });
    expect(again.thisRun.appended).toBe(0);
    expect(again.counts.created.staff).toBe(0);
  }, 60_000);

  it('reads the role from the Logs report\'s description ("assigned the role with id \'3\' to the user with id \'81\'")', async () => {
    const report = [
      'Time,User full name,Affected user,Event context,Component,Event name,Description,Origin,IP address',
      `"2 May 2024, 10:00",Admin User,Tea Cher,Course: Chemistry,System,Role assigned,"The user with id '2' assigned the role with id '3' to the user with id '81'.",web,10.0.0.1`,
      `"2 May 2024, 10:05",Lea Rner,-,Course: Chemistry,System,Course viewed,"The user with id '82' viewed the course with id '900'.",web,10.0.0.2`,
    ].join('\r\n');
    const summary = await t.app.get(MoodleLogImporter).import({ file: file('report-teachers.csv', report), schoolId: schoolA, createMissing: true, site: 'report-teachers', moodleCourse: 900 });
    expect(summary.counts.created).toMatchObject({ staff: 1 });
    await settle();
    const { rows } = await db.query(
      `SELECT m.external_id, s.role AS course_role, sm.role AS school_role FROM interop_id_map m
       LEFT JOIN course_staff s ON s.user_id = m.learnstream_id LEFT JOIN school_memberships sm ON sm.user_id = m.learnstream_id
       WHERE m.site = 'report-teachers' AND m.kind = 'user' ORDER BY m.external_id`,
    );
    expect(rows).toEqual([
      { external_id: '2', course_role: null, school_role: 'learner' },
      { external_id: '81', course_role: 'teacher', school_role: 'teacher' },
      { external_id: '82', course_role: null, school_role: 'learner' },
    ]);
  }, 60_000);
});

describe('learnstream import moodle-grades', () => {
  it('creates manual grade items and records grades through the gradebook; a second import changes nothing', async () => {
    const mapping = file('grades-mapping.json', JSON.stringify({ learners: { 'ann@example.com': ann.userId }, gradeItems: { 'Quiz: Week 1': { maxGrade: 10 } } }));
    const before = await countEvents(t);
    const { code, output } = await cli('import', 'moodle-grades', join(FIXTURES, 'grades.csv'), '--course', courseId, '--mapping', mapping, '--json');
    expect(code).toBe(0);
    const summary = JSON.parse(output[0]);
    expect(summary).toMatchObject({
      rows: 4,
      items: [
        { name: 'Quiz: Week 1', maxGrade: 10, created: true },
        { name: 'Assignment: Essay', maxGrade: 100, created: true },
      ],
      // Ann by the mapping, Bo and Zoë by their email among the enrolled learners; Zoë's 12/10 is refused.
      grades: { recorded: 4, unchanged: 0 },
      skipped: { total_column: 1, letter_column: 1, learner_not_found: 1, no_grade: 1, grade_out_of_range: 1 },
    });
    const events = (await db.query(`SELECT event_type, data, metadata FROM events WHERE stream_id = $1 ORDER BY stream_revision`, [`gradebook-${courseId}`])).rows;
    expect(events.map((e) => e.event_type)).toEqual(['GradebookSetUp', 'GradeItemAdded', 'GradeItemAdded', 'GradeRecorded', 'GradeRecorded', 'GradeRecorded', 'GradeRecorded']);
    expect(new Set(events.map((e) => e.metadata.origin))).toEqual(new Set(['import']));
    expect(JSON.stringify(events)).not.toMatch(/Lee|Chan|Müller|S001/);
    await settle();
    const grades = await http().get(`/api/v1/courses/${courseId}/grades`).set(teacher.auth).expect(200);
    expect(JSON.stringify(grades.body)).toContain('Quiz: Week 1');
    const after = await countEvents(t);
    expect(after).toBeGreaterThan(before);

    const again = await cli('import', 'moodle-grades', join(FIXTURES, 'grades.csv'), '--course', courseId, '--mapping', mapping, '--json');
    expect(JSON.parse(again.output[0])).toMatchObject({ grades: { recorded: 0, unchanged: 4 }, items: [{ created: false }, { created: false }] });
    expect(await countEvents(t)).toBe(after);
  });

  it('refuses an importer who may not edit the course', async () => {
    const res = await cli('import', 'moodle-grades', join(FIXTURES, 'grades.csv'), '--course', courseId, '--as', ann.userId);
    expect(res.code).toBe(1);
    expect(res.output[0]).toMatch(/^FORBIDDEN/);
  });
});
