/**
 * Tenant isolation in the data layer (medium test, real PostgreSQL): whatever
 * the SQL says, a read through TenantDb sees only the schools of its scope.
 */
import { randomUUID } from 'node:crypto';
import { NO_SCOPE, TenantDb, type TenantScope } from '@learnstream/access';
import { ProjectionRunner } from '@learnstream/projections';
import { createEventLogFixture, type EventLogFixture } from '../../../../test/support/event-log-fixture';
import { AFFILIATION_EVENT_TYPES, type AffiliationEvent } from '../affiliation.events';
import { decideJoinSchool, initialMembershipState } from '../membership';
import { toNewEvents } from '../new-events';
import { decideParentLink } from '../parent-link';
import { decideSchool, evolveSchool } from '../school';
import { parentLinkId, parentLinkStream, schoolStream, userStream } from '../streams';
import { MembershipsProjection } from './memberships.projection';
import { ParentLinksProjection } from './parent-links.projection';
import { ParentalConsentProjection } from './parental-consent.projection';
import { SchoolsProjection } from './schools.projection';

const at = '2025-04-01T00:00:00.000Z';
const TABLES = ['schools', 'school_classes', 'school_memberships', 'parent_links', 'accounts'] as const;

interface Tenant {
  schoolId: string;
  classId: string;
  admin: string;
  learner: string;
  parent: string;
  linkId: string;
}

describe('tenant isolation (row-level security through TenantDb)', () => {
  let f: EventLogFixture;
  let runner: ProjectionRunner;
  let tenants: TenantDb;
  let a: Tenant;
  let b: Tenant;

  async function append(streamId: string, events: AffiliationEvent[]) {
    return f.log.append(streamId, toNewEvents(null, events));
  }

  async function tenant(code: string): Promise<Tenant> {
    const t: Tenant = { schoolId: randomUUID(), classId: randomUUID(), admin: randomUUID(), learner: randomUUID(), parent: randomUUID(), linkId: '' };
    t.linkId = parentLinkId(t.parent, t.learner);
    const created = decideSchool({ type: 'CreateSchool', schoolId: t.schoolId, name: `School ${code}`, code, country: 'TH', by: null, at }, null);
    const withClass = decideSchool({ type: 'CreateClass', schoolId: t.schoolId, classId: t.classId, name: 'P1', gradeLevel: 'P1', by: null, at }, created.reduce(evolveSchool, null));
    const events = [...created, ...withClass];
    await append(schoolStream(t.schoolId), events);
    const school = events.reduce(evolveSchool, null);
    for (const [userId, role] of [[t.admin, 'school_admin'], [t.learner, 'learner']] as const) {
      await append(userStream(userId), decideJoinSchool({ type: 'JoinSchool', membershipId: randomUUID(), userId, schoolId: t.schoolId, role, classId: role === 'learner' ? t.classId : null, gradeLevel: null, by: null, at }, initialMembershipState(), school));
    }
    await append(parentLinkStream(t.linkId), decideParentLink({ type: 'RequestParentLink', linkId: t.linkId, parentId: t.parent, childId: t.learner, requestedBy: t.admin, confirmed: true, at }, null));
    for (const userId of [t.admin, t.learner, t.parent]) {
      await f.dataSource.query(`INSERT INTO accounts (user_id, username, email, origin, created_at, updated_at) VALUES ($1, $2, $3, 'staff', now(), now())`, [userId, `u-${userId.slice(0, 8)}`, `${userId}@example.com`]);
    }
    return t;
  }

  beforeAll(async () => {
    f = await createEventLogFixture(AFFILIATION_EVENT_TYPES);
    runner = new ProjectionRunner(f.dataSource, f.log, [new SchoolsProjection(), new MembershipsProjection(), new ParentLinksProjection(), new ParentalConsentProjection()], { idleCheckMs: 50 });
    await runner.start();
    tenants = new TenantDb(f.dataSource);
    a = await tenant('AAA');
    b = await tenant('BBB');
    await runner.waitFor((await f.store.headPosition())!);
  });
  afterAll(async () => {
    await runner.stop();
    await f.close();
  });

  const everything = (scope: TenantScope) =>
    tenants.read(scope, async (db) => Object.fromEntries(await Promise.all(TABLES.map(async (table) => [table, await db.query(`SELECT * FROM ${table}`)] as const))));
  const idsOf = (t: Tenant) => [t.schoolId, t.classId, t.admin, t.learner, t.parent, t.linkId];
  /** Every uuid-looking value in the rows. */
  const uuidsIn = (rows: unknown) => new Set(JSON.stringify(rows).match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? []);

  it('a school admin of school A sees school A’s rows in every table, and no row of school B', async () => {
    const seen = await everything({ all: false, schoolIds: [a.schoolId], userIds: [a.admin] });
    expect(seen.schools.map((r: { school_id: string }) => r.school_id)).toEqual([a.schoolId]);
    expect(seen.school_classes.map((r: { class_id: string }) => r.class_id)).toEqual([a.classId]);
    expect(seen.school_memberships.map((r: { user_id: string }) => r.user_id).sort()).toEqual([a.admin, a.learner].sort());
    expect(seen.parent_links.map((r: { link_id: string }) => r.link_id)).toEqual([a.linkId]);
    // The parent is no member of the school: their account is not the school's to see.
    expect(seen.accounts.map((r: { user_id: string }) => r.user_id).sort()).toEqual([a.admin, a.learner].sort());
    const uuids = uuidsIn(seen);
    for (const id of idsOf(b)) expect(uuids.has(id)).toBe(false);
  });

  it('a parent sees themself, their child and the child’s school, nothing of school B', async () => {
    const seen = await everything({ all: false, schoolIds: [a.schoolId], userIds: [a.parent, a.learner] });
    expect(seen.accounts.map((r: { user_id: string }) => r.user_id)).toEqual(expect.arrayContaining([a.parent, a.learner]));
    for (const id of idsOf(b)) expect(uuidsIn(seen).has(id)).toBe(false);
  });

  it('a WHERE clause naming school B does not get round it', async () => {
    const rows = await tenants.read({ all: false, schoolIds: [a.schoolId], userIds: [] }, (db) =>
      db.query(`SELECT s.school_id FROM schools s JOIN school_memberships m USING (school_id) WHERE s.school_id = $1`, [b.schoolId]),
    );
    expect(rows).toEqual([]);
  });

  it('with no scope, every table reads empty', async () => {
    const seen = await everything(NO_SCOPE);
    for (const table of TABLES) expect(seen[table]).toEqual([]);
  });

  it('a platform-wide scope sees both schools; a reader can never write', async () => {
    const seen = await everything({ all: true, schoolIds: [], userIds: [] });
    expect(seen.schools.map((r: { school_id: string }) => r.school_id).sort()).toEqual([a.schoolId, b.schoolId].sort());
    await expect(tenants.read({ all: true, schoolIds: [], userIds: [] }, (db) => db.query(`UPDATE schools SET name = 'x'`))).rejects.toThrow(/permission denied/);
  });

  it('sets the scope and the role inside one transaction, values taken literally, and leaves none of them behind', async () => {
    const settings = `SELECT current_setting('learnstream.scope_all') AS scope_all, current_setting('learnstream.school_ids') AS school_ids,
       current_setting('learnstream.user_ids') AS user_ids, current_user AS role, now() = statement_timestamp() AS own_statement`;
    // A value with a quote and a backslash stays that value (never SQL): no school or user has such an id.
    const [inside] = await tenants.read({ all: false, schoolIds: [a.schoolId, "x'); SELECT 1; --\\"], userIds: [a.learner] }, async (db) => {
      await db.query('SELECT pg_sleep(0.01)');
      return db.query(settings);
    });
    expect(inside).toEqual({ scope_all: 'off', school_ids: `{${a.schoolId},x'); SELECT 1; --\\}`, user_ids: `{${a.learner}}`, role: 'learnstream_reader', own_statement: false });
    // A read that fails (in its work, or a reader's write refused) is rolled back: every connection of the pool reads and writes as before.
    await expect(tenants.read({ all: true, schoolIds: [], userIds: [] }, () => Promise.reject(new Error('work failed')))).rejects.toThrow('work failed');
    await expect(tenants.read({ all: true, schoolIds: [], userIds: [] }, (db) => db.query(`UPDATE schools SET name = 'x'`))).rejects.toThrow(/permission denied/);
    const after = await Promise.all(Array.from({ length: 12 }, () => f.dataSource.query(`SELECT current_user AS role, current_setting('learnstream.scope_all', true) AS scope_all, txid_current_if_assigned() AS tx`)));
    for (const [row] of after) expect(row).toEqual({ role: expect.not.stringMatching(/^learnstream_reader$/), scope_all: expect.not.stringMatching(/^(on|off)$/), tx: null });
    expect((await everything({ all: false, schoolIds: [a.schoolId], userIds: [] })).schools.map((r: { school_id: string }) => r.school_id)).toEqual([a.schoolId]);
  });

  it('a read whose connection dies throws its own error, and that connection is not used again', async () => {
    // The work's connection is ended from outside; its next statement fails, and so does the ROLLBACK after it.
    let own: unknown;
    const lost = tenants.read({ all: true, schoolIds: [], userIds: [] }, async (db) => {
      const [{ pid }] = await db.query('SELECT pg_backend_pid() AS pid');
      await f.dataSource.query('SELECT pg_terminate_backend($1)', [pid]);
      await db.query('SELECT 1').catch((error: unknown) => {
        own = error;
        throw error;
      });
    });
    await expect(lost).rejects.toBeInstanceOf(Error);
    expect(await lost.catch((error: unknown) => error)).toBe(own);
    // Every read after it gets a working connection of the pool.
    const reads = await Promise.all(Array.from({ length: 12 }, () => tenants.read({ all: false, schoolIds: [a.schoolId], userIds: [] }, (db) => db.query('SELECT school_id FROM schools'))));
    for (const rows of reads) expect(rows.map((r: { school_id: string }) => r.school_id)).toEqual([a.schoolId]);
  });
});
