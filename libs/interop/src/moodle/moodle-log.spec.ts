import { randomUUID } from 'node:crypto';
import { ANONYMOUS_SUBJECT } from '@learnstream/event-store';
import { Personal } from '@learnstream/personal-data';
import { columnsOf, importEventId, importStreamId, ipOf, isoTime, MOODLE_LOG_COLUMNS, parseRow, planLogRow, verbOf, type Columns, type IdLookup, type ImportContext } from './moodle-log';

const header = ['id', ...MOODLE_LOG_COLUMNS];
const { columns } = columnsOf(header) as { columns: Columns };
const users: Record<number, string> = { 5: randomUUID(), 6: randomUUID(), 2: randomUUID() };
const courseId = randomUUID();
const schoolId = randomUUID();
const resource = { resourceId: randomUUID(), sectionId: randomUUID(), courseId };
const ids: IdLookup = {
  user: (id) => users[id],
  course: (id) => (id === 3 ? { courseId, schoolId } : undefined),
  module: (id) => (id === 45 ? resource : undefined),
};
const ctx: ImportContext = { site: 'moodle', fileKey: 'f'.repeat(64), schoolId, correlationId: 'moodle-import:test' };

function row(values: Partial<Record<(typeof header)[number], string>>, line = 7) {
  const base: Record<string, string> = {
    id: '100', eventname: '\\core\\event\\course_viewed', component: 'core', action: 'viewed', target: 'course', objecttable: '', objectid: '', crud: 'r', edulevel: '2',
    contextid: '30', contextlevel: '50', contextinstanceid: '3', userid: '5', courseid: '3', relateduserid: '', anonymous: '0', other: 'N;', timecreated: '1700000000',
    origin: 'web', ip: '192.0.2.7', realuserid: '',
  };
  const merged = { ...base, ...values };
  const parsed = parseRow({ fields: header.map((h) => merged[h] ?? ''), raw: null, latin1: 0 }, columns, line);
  if ('skip' in parsed) throw new Error(parsed.skip);
  return parsed.row;
}

describe('a Moodle log row', () => {
  it('becomes CourseViewed on the actor\'s activity stream, with the envelope of its log row', () => {
    const planned = planLogRow(row({}), ids, ctx);
    if ('skip' in planned) throw new Error(planned.skip);
    expect(planned.streamId).toBe(`activity-${users[5]}`);
    expect(planned.event).toMatchObject({
      id: importEventId('moodle', 'id:100'),
      type: 'CourseViewed',
      data: { courseId, userId: users[5] },
      envelope: { occurredAt: '2023-11-14T22:13:20.000Z', actorId: users[5], realActorId: null, courseId, schoolId, action: 'viewed', crud: 'r', object: { type: 'course', id: courseId }, ip: '192.0.2.7', origin: 'import' },
    });
  });

  it('becomes ResourceViewed for a mapped resource module, ImportedLogin for a sign-in', () => {
    const view = planLogRow(row({ eventname: '\\mod_resource\\event\\course_module_viewed', contextlevel: '70', contextinstanceid: '45', objecttable: 'resource', objectid: '9' }), ids, ctx);
    expect(view).toMatchObject({ event: { type: 'ResourceViewed', data: { ...resource, userId: users[5] }, envelope: { object: { type: 'resource', id: resource.resourceId } } } });
    const unmapped = planLogRow(row({ eventname: '\\mod_resource\\event\\course_module_viewed', contextlevel: '70', contextinstanceid: '46', objecttable: 'resource', objectid: '9' }), ids, ctx);
    expect(unmapped).toMatchObject({ event: { type: 'ImportedLogEntry', envelope: { object: { type: 'moodle_resource' } } } });
    const login = planLogRow(row({ eventname: '\\core\\event\\user_loggedin', courseid: '0', action: 'loggedin', target: 'user' }), ids, ctx);
    expect(login).toMatchObject({ event: { type: 'ImportedLogin', data: { userId: users[5], moodleUserId: 5 }, envelope: { courseId: null, schoolId, action: 'loggedin' } } });
  });

  it('records no actor for an anonymous row: no user, no real user, no IP; `other` sealed under the anonymous subject', () => {
    const planned = planLogRow(row({ eventname: '\\mod_feedback\\event\\response_submitted', anonymous: '1', realuserid: '6', other: 'a:1:{s:3:"foo";i:1;}', ip: '2001:db8::1' }), ids, ctx);
    if ('skip' in planned) throw new Error(planned.skip);
    expect(planned.streamId).toBe(importStreamId('moodle'));
    expect(planned.event.envelope).toMatchObject({ actorId: null, realActorId: null, ip: null });
    expect(planned.event.data).toMatchObject({ moodleUserId: null, realuserid: null, anonymous: true, otherFormat: 'php' });
    expect(planned.event.data.other).toBeInstanceOf(Personal);
    expect((planned.event.data.other as Personal).subjectId).toBe(ANONYMOUS_SUBJECT);
    expect(planned.notes).toContain('anonymous');
  });

  it('keeps the real user behind a "logged in as", IPv6 addresses, and reads course 0 as no course', () => {
    const planned = planLogRow(row({ eventname: '\\core\\event\\user_profile_viewed', realuserid: '2', ip: '[2001:DB8::7]', courseid: '0', relateduserid: '6' }), ids, ctx);
    if ('skip' in planned) throw new Error(planned.skip);
    expect(planned.event.envelope).toMatchObject({ actorId: users[5], realActorId: users[2], relatedUserId: users[6], courseId: null, schoolId, ip: '2001:db8::7' });
    expect(planned.notes).toEqual(expect.arrayContaining(['real_user', 'ipv6', 'no_course']));
  });

  it('has no actor for userid 0 and -1, and skips rows naming an unmapped user or course', () => {
    expect(planLogRow(row({ userid: '0' }), ids, ctx)).toMatchObject({ event: { type: 'ImportedLogEntry', envelope: { actorId: null } }, notes: expect.arrayContaining(['not_logged_in']) });
    expect(planLogRow(row({ userid: '-1', origin: 'cli' }), ids, ctx)).toMatchObject({ event: { data: { moodleOrigin: 'cli' } }, notes: expect.arrayContaining(['system_user']) });
    expect(planLogRow(row({ userid: '77' }), ids, ctx)).toEqual({ skip: 'unmapped_user' });
    expect(planLogRow(row({ courseid: '99' }), ids, ctx)).toEqual({ skip: 'unmapped_course' });
    expect(planLogRow(row({ courseid: '1' }), ids, ctx)).toMatchObject({ notes: expect.arrayContaining(['site_course']) });
  });

  it('refuses rows it cannot read, with the reason', () => {
    const parse = (v: Record<string, string>) => parseRow({ fields: header.map((h) => v[h] ?? ''), raw: null, latin1: 0 }, columns, 1);
    expect(parse({ eventname: 'x', crud: 'r', userid: '1', timecreated: 'yesterday' })).toEqual({ skip: 'bad_timecreated' });
    expect(parse({ eventname: 'x', crud: 'z', userid: '1', timecreated: '1' })).toEqual({ skip: 'bad_crud' });
    expect(parse({ eventname: '', crud: 'r', userid: '1', timecreated: '1' })).toEqual({ skip: 'no_eventname' });
    expect(parseRow({ fields: ['x'], raw: null, latin1: 0 }, columns, 1)).toEqual({ skip: 'malformed_row' });
    expect(columnsOf(['eventname', 'crud'])).toEqual({ problems: [expect.stringContaining('userid, timecreated')] });
  });

  it('maps verbs and IPs to what the envelope takes', () => {
    expect(verbOf('loggedin')).toBe('loggedin');
    expect(verbOf('Graded-2')).toBe('graded');
    expect(verbOf('42')).toBe('logged');
    expect(ipOf('not an ip')).toEqual({ ip: null, note: 'invalid_ip' });
    expect(ipOf('::ffff:192.0.2.1')).toEqual({ ip: '::ffff:192.0.2.1', note: 'ipv6' });
  });

  it('writes each time as toISOString does, whatever day the one before was on', () => {
    const times = [1, 59, 60, 3599, 3600, 86_399, 86_400, 951_782_400, 1_700_000_000, 253_402_300_799, 1_700_000_001.5];
    for (let i = 0; i < 2_000; i++) times.push(1 + Math.floor(Math.random() * 253_402_300_799), 1_700_000_000 + Math.floor(Math.random() * 200_000));
    for (const t of times) expect(isoTime(t)).toBe(new Date(t * 1000).toISOString());
  });
});
