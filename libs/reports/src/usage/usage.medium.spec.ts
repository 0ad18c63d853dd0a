/**
 * Medium tests on a real PostgreSQL: the usage-activity projection fed by a
 * real EventLog (rows as expected, impersonated and anonymous events left
 * out; a rebuild from zero, in big batches, gives the rows of the live run,
 * event by event), and the usage reader's dimensions (role and school on the
 * day from the membership history, country from the account) over rows the
 * directory projections would hold; the role and school a person had are
 * kept by the projection itself, and stay under the anonymous id at erasure.
 */
import { randomUUID } from 'node:crypto';
import { TenantDb } from '@learnstream/access';
import type { EnvelopeInput, EventTypeDefinition } from '@learnstream/event-store';
import { personal } from '@learnstream/personal-data';
import { ProjectionRunner } from '@learnstream/projections';
import { createEventLogFixture, type EventLogFixture } from '../../../../test/support/event-log-fixture';
import { UsageActivityProjection } from './usage-activity.projection';
import { PERSON_ROWS } from './usage-cells';
import { UsageReader } from './usage.reader';

const types: EventTypeDefinition[] = ['AccountCreated', 'CourseViewed', 'ResourceViewed', 'SomethingDone', 'SchoolJoined', 'SchoolLeft', 'PlatformRoleGranted', 'PlatformRoleRevoked'].map((type) => ({ type, version: 1 }));
const at = (day: number, hour = 9) => new Date(Date.UTC(2025, 2, day, hour)).toISOString();
const D = (day: number) => at(day).slice(0, 10);

function envelope(actorId: string | null, occurredAt: string, realActorId: string | null = null): EnvelopeInput {
  return {
    actorId, realActorId, courseId: null, schoolId: null, action: 'viewed', crud: 'r', object: null, relatedUserId: null,
    ip: '198.51.100.7', userAgent: null, origin: 'web', correlationId: randomUUID(), causationId: null, occurredAt,
  };
}

describe('usage statistics (PostgreSQL)', () => {
  let f: EventLogFixture;
  const admin = randomUUID();
  const [u1, u2, u3, u4] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const [s1, s2] = [randomUUID(), randomUUID()];

  beforeAll(async () => {
    f = await createEventLogFixture(types);
  });
  afterAll(async () => {
    await f.close();
  });

  const snapshot = async () => ({
    actors: await f.dataSource.query('SELECT to_char(day, \'YYYY-MM-DD\') AS day, user_id, events, course_views, resource_views FROM usage_daily_actors ORDER BY day, user_id'),
    registrations: await f.dataSource.query('SELECT user_id, to_char(day, \'YYYY-MM-DD\') AS day FROM usage_registrations ORDER BY user_id'),
    people: await f.dataSource.query(
      `SELECT measure, granularity, to_char(period, 'YYYY-MM-DD') AS period, dimension, key, user_id, events FROM ${PERSON_ROWS} AS p WHERE measure IS NOT NULL ORDER BY 1, 2, 3, 4, 5, 6`,
    ),
    cells: await countedCells(),
  });
  /** usage_cells, each of which must be the sum of its person rows (usage_person_cells, and the daily tables' for the day totals). */
  async function countedCells() {
    const counted = await f.dataSource.query(
      'SELECT measure, granularity, to_char(period, \'YYYY-MM-DD\') AS period, dimension, key, people, events::int AS events FROM usage_cells WHERE people <> 0 OR events <> 0 ORDER BY 1, 2, 3, 4, 5',
    );
    const summed = await f.dataSource.query(
      `SELECT measure, granularity, to_char(period, 'YYYY-MM-DD') AS period, dimension, key, count(*)::int AS people, sum(events)::int AS events
       FROM ${PERSON_ROWS} AS p WHERE measure IS NOT NULL GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
    );
    expect(counted).toEqual(summed);
    return counted as { measure: string; granularity: string; period: string; dimension: string; key: string; people: number; events: number }[];
  }

  async function append(stream: string, type: string, data: Record<string, unknown>, env: EnvelopeInput) {
    return f.log.append(`${stream}-${randomUUID()}`, [{ type, data, envelope: env }]);
  }

  it('counts events, views and registrations per person and UTC day; a rebuild from zero gives the same rows', async () => {
    // Live, one event per transaction.
    const live = new ProjectionRunner(f.dataSource, f.log, [new UsageActivityProjection()], { batchSize: 1, idleCheckMs: 50 });
    await live.start();
    for (const user of [u1, u2, u3, u4]) await append('user', 'AccountCreated', { userId: user, profile: personal(user, { country: 'TH' }) }, envelope(admin, at(1)));
    await append('activity', 'CourseViewed', { courseId: randomUUID() }, envelope(u1, at(1, 8)));
    await append('activity', 'CourseViewed', { courseId: randomUUID() }, envelope(u1, at(1, 23)));
    await append('activity', 'ResourceViewed', { resourceId: randomUUID() }, envelope(u1, at(2, 0)));
    await append('activity', 'SomethingDone', {}, envelope(u2, at(1)));
    await append('activity', 'SomethingDone', {}, envelope(u2, at(2)));
    await append('activity', 'SomethingDone', {}, envelope(u3, at(2), admin)); // impersonated: nobody's activity
    const last = await append('activity', 'SomethingDone', {}, envelope(null, at(2))); // anonymous: nobody's
    await live.waitFor(last.position);
    await live.stop();

    const rows = await snapshot();
    const row = (day: string, user_id: string, events: number, course_views = 0, resource_views = 0) => ({ day, user_id, events, course_views, resource_views });
    const expected = [row(D(1), admin, 4), row(D(1), u1, 2, 2), row(D(1), u2, 1), row(D(2), u1, 1, 0, 1), row(D(2), u2, 1)];
    const order = (a: { day: string; user_id: string }, b: { day: string; user_id: string }) => a.day.localeCompare(b.day) || a.user_id.localeCompare(b.user_id);
    expect(rows.actors).toEqual(expected.sort(order));
    expect(rows.registrations).toEqual([u1, u2, u3, u4].sort().map((user_id) => ({ user_id, day: D(1) })));
    // The same counts per ISO week (days 1 and 2 of March 2025: Saturday and Sunday of the week of 24 February) and month:
    // the admin 4 events, u1 3 (2 course views, 1 resource view), u2 2; four registrations on day 1. Nobody is a member of a
    // school yet: all under 'none' and 'general'.
    const of = (granularity: string, period: string, dimension: string) =>
      rows.cells.filter((c) => c.granularity === granularity && c.period === period && c.dimension === dimension).map((c) => `${c.measure} ${c.key} ${c.people}/${c.events}`);
    for (const [granularity, period] of [['week', '2025-02-24'], ['month', '2025-03-01']]) {
      expect(of(granularity, period, 'total')).toEqual(['active  3/9', 'course_views  1/2', 'registrations  4/0', 'resource_views  1/1']);
      expect(of(granularity, period, 'school')).toEqual(['active none 3/9', 'registrations none 4/0']);
      expect(of(granularity, period, 'role')).toEqual(['active general 3/9', 'registrations general 4/0']);
    }
    expect(of('day', D(1), 'total')).toEqual(['active  3/7', 'course_views  1/2', 'registrations  4/0']);
    expect(of('day', D(2), 'total')).toEqual(['active  2/2', 'resource_views  1/1']);

    // Another process (the CLI) rebuilds; a projector with big batches replays the log into the emptied tables.
    const rebuilt = new ProjectionRunner(f.dataSource, f.log, [new UsageActivityProjection()], { batchSize: 500, idleCheckMs: 50 });
    await rebuilt.rebuild('usage-activity');
    expect((await snapshot()).actors).toEqual([]);
    await rebuilt.start();
    await rebuilt.waitFor(last.position);
    await rebuilt.stop();
    expect(await snapshot()).toEqual(rows);
  });

  it('reads people and events by school, role and country on each day, from the membership history and the accounts', async () => {
    const q = (sql: string, params: unknown[]) => f.dataSource.query(sql, params);
    for (const [id, name] of [[s1, 'North'], [s2, 'South']]) {
      await q(`INSERT INTO schools (school_id, name, code, country, created_at) VALUES ($1, $2, $3, 'TH', now())`, [id, name, name.toUpperCase()]);
    }
    // Country from the accounts (the identity feature's read model); platform roles and memberships from the events, after
    // the activity they place (back-dated): the projection moves the activity already counted to its school and role.
    const account = (id: string, country: string | null, roles: string[] = []) =>
      q(`INSERT INTO accounts (user_id, username, country, platform_roles, origin, created_at, updated_at) VALUES ($1, $2, $3, $4, 'staff', now(), now())`, [id, `u${id.slice(0, 8)}`, country, roles]);
    await account(admin, null, ['platform_admin']);
    await account(u1, 'TH');
    await account(u2, 'LA');
    const runner = new ProjectionRunner(f.dataSource, f.log, [new UsageActivityProjection()], { batchSize: 2, idleCheckMs: 50 });
    await runner.start();
    const joined = async (user: string, school: string, role: string, from: string, to: string | null) => {
      const membershipId = randomUUID();
      const join = await append('user', 'SchoolJoined', { membershipId, userId: user, schoolId: school, role, classId: null, gradeLevel: null, by: null, at: from }, envelope(null, at(10)));
      if (!to) return join;
      return append('user', 'SchoolLeft', { membershipId, userId: user, schoolId: school, reason: null, by: null, at: to }, envelope(null, at(10)));
    };
    await append('user', 'PlatformRoleGranted', { userId: admin, role: 'platform_admin', at: at(10) }, envelope(null, at(10)));
    await joined(u1, s1, 'learner', at(1, 0), null);
    await joined(u2, s1, 'teacher', at(1, 0), at(1, 18)); // left S1 on day 1
    const last = await joined(u2, s2, 'teacher', at(2, 7), null); // joined S2 on day 2
    await runner.waitFor(last.position);
    await runner.stop();
    await countedCells(); // each cell the sum of its person rows

    const reader = new UsageReader(new TenantDb(f.dataSource));
    const all = { all: true, schoolIds: [], userIds: [] };
    const bySchool = await reader.read(all, { from: D(1), to: D(2), granularity: 'day', by: 'school' });
    const cells = (rows: { period: string; key: string; people: number; events: number }[]) => rows.map((r) => `${r.period} ${r.key} ${r.people}/${r.events}`).sort();
    expect(cells(bySchool.activeUsers.cells)).toEqual([`${D(1)} ${s1} 2/3`, `${D(1)} none 1/4`, `${D(2)} ${s1} 1/1`, `${D(2)} ${s2} 1/1`].sort());
    expect(bySchool.activeUsers.totals.map((t) => `${t.period} ${t.people}/${t.events}`).sort()).toEqual([`${D(1)} 3/7`, `${D(2)} 2/2`]);
    expect(bySchool.schoolNames).toEqual(new Map([[s1, 'North'], [s2, 'South']]));
    expect(cells(bySchool.registrations.cells)).toEqual([`${D(1)} ${s1} 2/0`, `${D(1)} none 2/0`].sort());

    const byRole = await reader.read(all, { from: D(1), to: D(2), granularity: 'month', by: 'role' });
    // Over the month: u1 learner (3 events), u2 teacher on both days (2), the admin (4); u3 and u4 only registered.
    expect(cells(byRole.activeUsers.cells)).toEqual(['2025-03-01 learner 1/3', '2025-03-01 platform_admin 1/4', '2025-03-01 teacher 1/2']);
    expect(byRole.activeUsers.totals).toEqual([{ period: '2025-03-01', people: 3, events: 9 }]);
    expect(cells(byRole.registrations.cells)).toEqual(['2025-03-01 general 2/0', '2025-03-01 learner 1/0', '2025-03-01 teacher 1/0']);
    expect(byRole.content).toEqual([{ period: '2025-03-01', courseViews: 2, courseViewers: 1, resourceViews: 1, resourceViewers: 1 }]);

    // Whole periods are read from the cells: a person counts in each school and role they had on a day of the period (u2 left
    // S1 on day 1 and joined S2 on day 2; u1 joined on Saturday 1 March, inside the week).
    const month = await reader.read(all, { from: '2025-03-01', to: '2025-03-31', granularity: 'month', by: 'school' });
    expect(cells(month.activeUsers.cells)).toEqual([`2025-03-01 ${s1} 2/4`, `2025-03-01 ${s2} 1/1`, '2025-03-01 none 1/4'].sort());
    expect(month.activeUsers.totals).toEqual([{ period: '2025-03-01', people: 3, events: 9 }]);
    expect(month.content).toEqual(byRole.content);
    const week = await reader.read(all, { from: '2025-02-24', to: '2025-03-02', granularity: 'week', by: 'role' });
    expect(cells(week.activeUsers.cells)).toEqual(['2025-02-24 learner 1/3', '2025-02-24 platform_admin 1/4', '2025-02-24 teacher 1/2']);
    expect(week.activeUsers.totals).toEqual([{ period: '2025-02-24', people: 3, events: 9 }]);
    // A range that cuts its periods: the days inside it only.
    const cut = await reader.read(all, { from: '2025-03-02', to: '2025-03-20', granularity: 'month', by: 'school' });
    expect(cut.activeUsers.totals).toEqual([{ period: '2025-03-01', people: 2, events: 2 }]);
    expect(cut.content).toEqual([{ period: '2025-03-01', courseViews: 0, courseViewers: 0, resourceViews: 1, resourceViewers: 1 }]);
    // A range that cuts a period where nothing was counted outside it: the whole period's figures.
    const untilToday = await reader.read(all, { from: '2025-03-01', to: '2025-03-20', granularity: 'month', by: 'school' });
    expect(cells(untilToday.activeUsers.cells)).toEqual(cells(month.activeUsers.cells));
    expect(untilToday.activeUsers.totals).toEqual(month.activeUsers.totals);

    const byCountry = await reader.read(all, { from: D(2), to: D(2), granularity: 'week', by: 'country' });
    expect(cells(byCountry.activeUsers.cells)).toEqual(['2025-02-24 LA 1/1', '2025-02-24 TH 1/1']);

    // People left out of statistics (analytics consent withdrawn: the privacy feature's flag) are out of every figure.
    await q(`INSERT INTO subject_flags (user_id, analytics_excluded, updated_at) VALUES ($1, true, now())`, [u1]);
    const withoutU1 = await reader.read(all, { from: '2025-03-01', to: '2025-03-31', granularity: 'month', by: 'school' });
    expect(cells(withoutU1.activeUsers.cells)).toEqual([`2025-03-01 ${s1} 1/1`, `2025-03-01 ${s2} 1/1`, '2025-03-01 none 1/4'].sort());
    expect(withoutU1.activeUsers.totals).toEqual([{ period: '2025-03-01', people: 2, events: 6 }]);
    expect(cells(withoutU1.registrations.cells)).toEqual([`2025-03-01 ${s1} 1/0`, '2025-03-01 none 2/0'].sort());
    expect(withoutU1.content).toEqual([]);
    const daysWithoutU1 = await reader.read(all, { from: D(1), to: D(2), granularity: 'day', by: 'role' });
    expect(cells(daysWithoutU1.activeUsers.cells)).toEqual([`${D(1)} platform_admin 1/4`, `${D(1)} teacher 1/1`, `${D(2)} teacher 1/1`]);
    await q('DELETE FROM subject_flags WHERE user_id = $1', [u1]);

    // Two memberships that give the same role on a day (u4, registered on day 1, a learner of both schools): once in it.
    const again = new ProjectionRunner(f.dataSource, f.log, [new UsageActivityProjection()], { batchSize: 2, idleCheckMs: 50 });
    await again.start();
    await joined(u4, s1, 'learner', at(1, 0), null);
    const twice = await joined(u4, s2, 'learner', at(1, 0), null);
    await again.waitFor(twice.position);
    await again.stop();
    await countedCells();
    const rolesOnDay1 = await reader.read(all, { from: D(1), to: D(1), granularity: 'day', by: 'role' });
    expect(cells(rolesOnDay1.registrations.cells)).toEqual([`${D(1)} general 1/0`, `${D(1)} learner 2/0`, `${D(1)} teacher 1/0`]);

    // Row-level security: the usage tables are for readers of every school only.
    const teacherScope = { all: false, schoolIds: [s1], userIds: [u2] };
    const hidden = await reader.read(teacherScope, { from: D(1), to: D(2), granularity: 'day', by: 'school' });
    expect(hidden.activeUsers.totals).toEqual([]);
    expect(hidden.registrations.totals).toEqual([]);
  });

  it('counts a batch\'s facts once per cell: a person of two schools with one role, acting on several days of a week in two batches', async () => {
    const person = randomUUID();
    const april = (day: number, hour = 9) => new Date(Date.UTC(2025, 3, day, hour)).toISOString();
    const membership = (schoolId: string) => ({ membershipId: randomUUID(), userId: person, schoolId, role: 'learner', classId: null, gradeLevel: null, by: null, at: april(1) });
    await append('user', 'AccountCreated', { userId: person, platformRoles: [] }, envelope(null, april(7, 8)));
    await append('user', 'SchoolJoined', membership(s1), envelope(null, april(7, 8)));
    await append('user', 'SchoolJoined', membership(s2), envelope(null, april(7, 8)));
    await append('activity', 'SomethingDone', {}, envelope(person, april(7)));
    await append('activity', 'SomethingDone', {}, envelope(person, april(7, 10)));
    await append('activity', 'SomethingDone', {}, envelope(person, april(8)));
    const first = await append('activity', 'CourseViewed', { courseId: randomUUID() }, envelope(person, april(8, 10)));
    const runner = new ProjectionRunner(f.dataSource, f.log, [new UsageActivityProjection()], { batchSize: 500, idleCheckMs: 50 });
    await runner.start();
    await runner.waitFor(first.position); // one batch: the memberships, the registration and four events on two days
    const last = await append('activity', 'SomethingDone', {}, envelope(person, april(9)));
    await runner.waitFor(last.position);
    await runner.stop();
    const cells = await countedCells();
    const of = (granularity: string, period: string) =>
      cells.filter((c) => c.granularity === granularity && c.period === period).map((c) => `${c.measure} ${c.dimension} ${c.key} ${c.people}/${c.events}`).sort();
    // Once in each of the two schools, once in the role both give (not twice), the events of both batches summed.
    const week = [
      'active role learner 1/5', `active school ${s1} 1/5`, `active school ${s2} 1/5`, 'active total  1/5', 'course_views total  1/1',
      'registrations role learner 1/0', `registrations school ${s1} 1/0`, `registrations school ${s2} 1/0`, 'registrations total  1/0',
    ].sort();
    expect(of('week', '2025-04-07')).toEqual(week);
    expect(of('month', '2025-04-01')).toEqual(week);
    expect(of('day', '2025-04-08')).toEqual(['active role learner 1/2', `active school ${s1} 1/2`, `active school ${s2} 1/2`, 'active total  1/2', 'course_views total  1/1'].sort());
    expect(of('day', '2025-04-09')).toEqual(['active role learner 1/1', `active school ${s1} 1/1`, `active school ${s2} 1/1`, 'active total  1/1'].sort());
  });

  it('keeps each person\'s memberships and platform roles from the events, under the anonymous id once they are erased', async () => {
    const [person, staff, anonymous, membership] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const school = randomUUID();
    const runner = new ProjectionRunner(f.dataSource, f.log, [new UsageActivityProjection()], { batchSize: 3, idleCheckMs: 50 });
    await runner.start();
    await append('user', 'AccountCreated', { userId: person, platformRoles: [] }, envelope(null, at(5)));
    await append('user', 'AccountCreated', { userId: staff, platformRoles: ['dpo'] }, envelope(null, at(5)));
    await append('user', 'SchoolJoined', { membershipId: membership, userId: person, schoolId: school, role: 'learner', classId: null, gradeLevel: null, by: null, at: at(5) }, envelope(null, at(5)));
    await append('user', 'PlatformRoleGranted', { userId: staff, role: 'platform_admin', at: at(6) }, envelope(null, at(6)));
    await append('user', 'PlatformRoleRevoked', { userId: staff, role: 'dpo', at: at(6) }, envelope(null, at(6)));
    const last = await append('user', 'SchoolLeft', { membershipId: membership, userId: person, schoolId: school, reason: null, by: null, at: at(7) }, envelope(null, at(7)));
    await runner.waitFor(last.position);
    await runner.stop();
    const dimensions = async (ids: string[]) => ({
      memberships: await f.dataSource.query(`SELECT user_id, school_id, role, started_at, ended_at FROM usage_memberships WHERE user_id = ANY ($1)`, [ids]),
      people: await f.dataSource.query(`SELECT user_id, platform_roles FROM usage_people WHERE user_id = ANY ($1) ORDER BY user_id`, [ids]),
    });
    expect(await dimensions([person, staff])).toEqual({
      memberships: [{ user_id: person, school_id: school, role: 'learner', started_at: new Date(at(5)), ended_at: new Date(at(7)) }],
      people: [{ user_id: person, platform_roles: [] }, { user_id: staff, platform_roles: ['platform_admin'] }].sort((a, b) => a.user_id.localeCompare(b.user_id)),
    });
    await f.dataSource.transaction((tx) => new UsageActivityProjection().forgetSubject({ userId: person, anonymousId: anonymous, requestId: randomUUID(), eventId: randomUUID(), at: at(8) }, tx));
    expect(await dimensions([person])).toEqual({ memberships: [], people: [] });
    expect(await dimensions([anonymous])).toEqual({
      memberships: [{ user_id: anonymous, school_id: school, role: 'learner', started_at: new Date(at(5)), ended_at: new Date(at(7)) }],
      people: [{ user_id: anonymous, platform_roles: [] }],
    });
  });
});
