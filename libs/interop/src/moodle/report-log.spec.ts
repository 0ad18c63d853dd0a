import { descriptionIds, eventClassOf, nameUserId, parseMoodleTime, parseReportRow, YearFollower, zonedToUnix } from './report-log';

const unix = (iso: string) => Date.parse(iso) / 1000;

describe('the Logs report', () => {
  it('reads Moodle\'s date formats', () => {
    expect(parseMoodleTime('6 Dec, 14:03')).toEqual({ local: { year: null, month: 12, day: 6, hour: 14, minute: 3, second: 0 } });
    expect(parseMoodleTime('Friday, 6 December 2024, 2:03:45 PM')).toEqual({ local: { year: 2024, month: 12, day: 6, hour: 14, minute: 3, second: 45 } });
    expect(parseMoodleTime('06/12/24, 00:03')).toEqual({ local: { year: 2024, month: 12, day: 6, hour: 0, minute: 3, second: 0 } });
    expect(parseMoodleTime('12 Jan 2024, 12:00 AM')).toMatchObject({ local: { hour: 0 } });
    expect(parseMoodleTime('2024-12-06T14:03:00Z')).toEqual({ utc: unix('2024-12-06T14:03:00Z') });
    expect(parseMoodleTime('1733493780')).toEqual({ utc: 1733493780 });
    expect(parseMoodleTime('yesterday')).toBeNull();
  });

  it('reads times in the site\'s time zone, daylight saving included', () => {
    expect(zonedToUnix({ year: 2024, month: 12, day: 6, hour: 14, minute: 3, second: 0 }, 'Asia/Bangkok')).toBe(unix('2024-12-06T07:03:00Z'));
    expect(zonedToUnix({ year: 2024, month: 7, day: 1, hour: 9, minute: 0, second: 0 }, 'Europe/London')).toBe(unix('2024-07-01T08:00:00Z'));
    expect(zonedToUnix({ year: 2024, month: 1, day: 1, hour: 9, minute: 0, second: 0 }, 'Europe/London')).toBe(unix('2024-01-01T09:00:00Z'));
    expect(zonedToUnix({ year: 2024, month: 2, day: 30, hour: 9, minute: 0, second: 0 }, 'UTC')).toBeNull();
  });

  it('gives year-less times the option\'s year, then follows a newest-first log back across New Year', () => {
    const years = new YearFollower(2025, 'UTC');
    const at = (text: string) => {
      const p = parseMoodleTime(text);
      if (!p || !('local' in p)) throw new Error(text);
      return new Date(years.resolve(p.local)! * 1000).toISOString();
    };
    expect(at('2 Jan, 10:00')).toBe('2025-01-02T10:00:00.000Z');
    expect(at('1 Jan, 00:10')).toBe('2025-01-01T00:10:00.000Z');
    expect(at('31 Dec, 23:50')).toBe('2024-12-31T23:50:00.000Z');
    expect(at('30 Dec, 08:00')).toBe('2024-12-30T08:00:00.000Z');
  });

  it('finds the ids Moodle writes in descriptions', () => {
    expect(descriptionIds("The user with id '5' viewed the course with id '2'.")).toEqual({ users: [5], course: 2, module: null });
    expect(descriptionIds("The user with id '5' viewed the 'resource' activity with course module id '12'.")).toEqual({ users: [5], course: null, module: 12 });
    expect(descriptionIds("The user with id '2' enrolled the user with id '7' using the enrolment method 'manual' in the course with id '3'.")).toEqual({ users: [2, 7], course: 3, module: null });
  });

  it('maps event names to classes and CRUD, module views by their component', () => {
    expect(eventClassOf('Course viewed', 'System')).toEqual({ eventname: '\\core\\event\\course_viewed', crud: 'r', module: null });
    expect(eventClassOf('Course module viewed', 'File')).toMatchObject({ eventname: '\\mod_resource\\event\\course_module_viewed', module: 'resource' });
    expect(eventClassOf('User has logged in', 'System').eventname).toBe('\\core\\event\\user_loggedin');
    expect(eventClassOf('Quiz attempt submitted', 'Quiz')).toMatchObject({ eventname: '\\mod_quiz\\event\\attempt_submitted', crud: 'c' });
    expect(eventClassOf('Some plugin thing deleted', 'Other')).toEqual({ eventname: 'Some plugin thing deleted', crud: 'd', module: null });
  });

  it('turns a row into a standard-log row: people from the description or their name, the course from the description, context or option', () => {
    const header = ['time', 'user full name', 'affected user', 'event context', 'component', 'event name', 'description', 'origin', 'ip address'];
    const columns = new Map(header.map((h, i) => [h, i]));
    const options = { timeZone: 'Asia/Bangkok', years: new YearFollower(2024, 'Asia/Bangkok'), course: 9, courseByName: (n: string) => (n === 'History' ? 77 : null) };
    const parse = (fields: string[]) => parseReportRow({ fields, raw: null, latin1: 0 }, columns, 3, options);
    expect(parse(['6 Dec, 14:03', 'Ann Lee', '-', 'Course: History', 'System', 'Course viewed', "The user with id '5' viewed the course with id '2'.", 'web', '192.0.2.1'])).toMatchObject({
      row: { eventname: '\\core\\event\\course_viewed', crud: 'r', userid: 5, courseid: 2, relateduserid: null, timecreated: unix('2024-12-06T07:03:00Z'), origin: 'web', ip: '192.0.2.1', contextlevel: 50 },
    });
    expect(parse(['6 Dec, 14:02', 'Admin User as Ann Lee', 'Bo Chan', 'Course: History', 'System', 'User profile viewed', 'no ids here', 'web', ''])).toMatchObject({
      row: { userid: nameUserId('Ann Lee'), realuserid: nameUserId('Admin User'), relateduserid: nameUserId('Bo Chan'), courseid: 77 },
    });
    expect(parse(['6 Dec, 14:01', 'Ann Lee', '-', 'File: Reading', 'File', 'Course module viewed', "The user with id '5' viewed the 'resource' activity with course module id '12'.", 'web', ''])).toMatchObject({
      row: { eventname: '\\mod_resource\\event\\course_module_viewed', courseid: 9, contextlevel: 70, contextinstanceid: 12 },
    });
    expect(parse(['someday', 'Ann Lee', '-', '', '', 'Course viewed', '', '', ''])).toEqual({ skip: 'bad_time' });
    expect(parse(['6 Dec, 14:01', 'Ann Lee', '-', '', '', '', '', '', ''])).toEqual({ skip: 'no_eventname' });
  });
});
