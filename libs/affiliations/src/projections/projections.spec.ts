/**
 * Medium tests: the projections on a real PostgreSQL, fed by a real EventLog
 * (events decided by the deciders, sealed, appended, read back decrypted).
 */
import { randomUUID } from 'node:crypto';
import type { Actor } from '@learnstream/access';
import { ProjectionRunner } from '@learnstream/projections';
import { createEventLogFixture, type EventLogFixture } from '../../../../test/support/event-log-fixture';
import { AFFILIATION_EVENT_TYPES, type AffiliationEvent } from '../affiliation.events';
import { decideChangeClass, decideJoinSchool, decideLeaveSchool, evolveMembership, initialMembershipState, type MembershipState } from '../membership';
import { toNewEvents } from '../new-events';
import { decideParentLink, evolveParentLink, type ParentLinkState } from '../parent-link';
import { decideParentalConsent, evolveParentalConsent, initialParentalConsentState } from '../parental-consent';
import { decideSchool, evolveSchool, type SchoolState } from '../school';
import { parentLinkId, parentLinkStream, schoolStream, userStream } from '../streams';
import { MembershipsProjection } from './memberships.projection';
import { ParentLinksProjection } from './parent-links.projection';
import { ParentalConsentProjection } from './parental-consent.projection';
import { SchoolsProjection } from './schools.projection';

const admin: Actor = { userId: randomUUID(), realActorId: null, sessionId: randomUUID(), platformRoles: ['platform_admin'], request: null };
const t = (day: number) => new Date(Date.UTC(2025, 0, day)).toISOString();

describe('affiliation projections (PostgreSQL)', () => {
  let f: EventLogFixture;
  let runner: ProjectionRunner;
  const names = ['schools', 'school-memberships', 'parent-links', 'parental-consent'];

  beforeAll(async () => {
    f = await createEventLogFixture(AFFILIATION_EVENT_TYPES);
    runner = new ProjectionRunner(f.dataSource, f.log, [new SchoolsProjection(), new MembershipsProjection(), new ParentLinksProjection(), new ParentalConsentProjection()], { idleCheckMs: 50 });
    await runner.start();
  });
  afterAll(async () => {
    await runner.stop();
    await f.close();
  });

  async function append(streamId: string, events: AffiliationEvent[], childSchoolId: string | null = null) {
    const result = await f.log.append(streamId, toNewEvents(admin, events, childSchoolId));
    await runner.waitFor(result.position);
    return result;
  }
  const rows = (sql: string, params: unknown[] = []) => f.dataSource.query(sql, params);

  async function school(name: string, code: string): Promise<SchoolState> {
    const schoolId = randomUUID();
    const events = decideSchool({ type: 'CreateSchool', schoolId, name, code, country: 'TH', by: admin.userId, at: t(1) }, null);
    await append(schoolStream(schoolId), events);
    return events.reduce(evolveSchool, null)!;
  }

  it('schools and classes: created, updated (only what changed), archived; a rebuild gives the same rows', async () => {
    let s = await school('East School', 'EAST');
    const classId = randomUUID();
    const steps = [
      { type: 'UpdateSchool' as const, schoolId: s.schoolId, changes: { name: 'East Side School' }, by: admin.userId, at: t(2) },
      { type: 'CreateClass' as const, schoolId: s.schoolId, classId, name: 'P1/1', gradeLevel: 'P1', by: admin.userId, at: t(3) },
      { type: 'UpdateClass' as const, schoolId: s.schoolId, classId, changes: { gradeLevel: null }, by: admin.userId, at: t(4) },
      { type: 'ArchiveClass' as const, schoolId: s.schoolId, classId, by: admin.userId, at: t(5) },
      { type: 'ArchiveSchool' as const, schoolId: s.schoolId, by: admin.userId, at: t(6) },
    ];
    for (const command of steps) {
      const events = decideSchool(command, s);
      await append(schoolStream(s.schoolId), events);
      s = events.reduce(evolveSchool, s)!;
    }
    expect(await rows('SELECT name, code, country, created_at, archived_at FROM schools WHERE school_id = $1', [s.schoolId])).toEqual([
      { name: 'East Side School', code: 'EAST', country: 'TH', created_at: new Date(t(1)), archived_at: new Date(t(6)) },
    ]);
    expect(await rows('SELECT school_id, name, grade_level, created_at, archived_at FROM school_classes WHERE class_id = $1', [classId])).toEqual([
      { school_id: s.schoolId, name: 'P1/1', grade_level: null, created_at: new Date(t(3)), archived_at: new Date(t(5)) },
    ]);

    const before = await rows('SELECT * FROM schools ORDER BY school_id');
    await runner.rebuild('schools');
    await runner.waitFor((await f.store.headPosition())!);
    expect(await rows('SELECT * FROM schools ORDER BY school_id')).toEqual(before);
  });

  it('memberships: joined, class changed, a learner moving school keeps the history', async () => {
    const north = await school('North School', 'NORTH');
    const south = await school('South School', 'SOUTH');
    const classId = randomUUID();
    const classEvents = decideSchool({ type: 'CreateClass', schoolId: north.schoolId, classId, name: 'M1/1', gradeLevel: 'M1', by: admin.userId, at: t(2) }, north);
    await append(schoolStream(north.schoolId), classEvents);
    const northWithClass = classEvents.reduce(evolveSchool, north)!;

    const learner = randomUUID();
    let state: MembershipState = initialMembershipState();
    const run = async (events: AffiliationEvent[]) => {
      await append(userStream(learner), events);
      state = events.reduce(evolveMembership, state);
    };
    await run(decideJoinSchool({ type: 'JoinSchool', membershipId: randomUUID(), userId: learner, schoolId: north.schoolId, role: 'learner', classId: null, gradeLevel: null, by: admin.userId, at: t(3) }, state, northWithClass));
    await run(decideChangeClass({ type: 'ChangeClass', userId: learner, schoolId: north.schoolId, role: null, classId, by: admin.userId, at: t(4) }, state, northWithClass));
    await run(decideJoinSchool({ type: 'JoinSchool', membershipId: randomUUID(), userId: learner, schoolId: south.schoolId, role: 'learner', classId: null, gradeLevel: 'M1', by: admin.userId, at: t(5) }, state, south));

    expect(await rows('SELECT school_id, role, class_id, grade_level, started_at, ended_at FROM school_memberships WHERE user_id = $1 ORDER BY started_at', [learner])).toEqual([
      { school_id: north.schoolId, role: 'learner', class_id: classId, grade_level: 'M1', started_at: new Date(t(3)), ended_at: new Date(t(5)) },
      { school_id: south.schoolId, role: 'learner', class_id: null, grade_level: 'M1', started_at: new Date(t(5)), ended_at: null },
    ]);

    await run(decideLeaveSchool({ type: 'LeaveSchool', userId: learner, schoolId: south.schoolId, role: 'learner', reason: 'graduated', by: admin.userId, at: t(6) }, state));
    expect(await rows('SELECT count(*)::int AS n FROM school_memberships WHERE user_id = $1 AND ended_at IS NULL', [learner])).toEqual([{ n: 0 }]);
    // The grade level is sealed in the log, clear in the read model.
    const raw = await rows(`SELECT data FROM events WHERE event_type = 'SchoolJoined' AND stream_id = $1`, [userStream(learner)]);
    expect(raw.length).toBeGreaterThan(0);
    expect(JSON.stringify(raw)).not.toContain('"M1"');

    // Many joins in one append (a bulk upload): the rebuild applies them as one run (handleBatch), with the same rows.
    const many: string[] = Array.from({ length: 20 }, () => randomUUID());
    await f.log.appendBatch(
      many.map((userId, i) => ({
        streamId: userStream(userId),
        events: toNewEvents(admin, decideJoinSchool({ type: 'JoinSchool', membershipId: randomUUID(), userId, schoolId: north.schoolId, role: 'learner', classId: i % 2 ? classId : null, gradeLevel: null, by: admin.userId, at: t(7) }, initialMembershipState(), northWithClass)),
        expectedRevision: 'no_stream' as const,
      })),
    );
    await runner.waitFor((await f.store.headPosition())!);
    const before = await rows('SELECT * FROM school_memberships ORDER BY membership_id');
    expect(before.filter((r: { user_id: string }) => many.includes(r.user_id))).toHaveLength(20);
    await runner.rebuild('school-memberships');
    await runner.waitFor((await f.store.headPosition())!);
    expect(await rows('SELECT * FROM school_memberships ORDER BY membership_id')).toEqual(before);
  });

  it('parent links: requested, confirmed, revoked, asked again; consent sets accounts.parental_consent_at only', async () => {
    const parent = randomUUID();
    const child = randomUUID();
    const linkId = parentLinkId(parent, child);
    await rows(`INSERT INTO accounts (user_id, username, origin, created_at, updated_at) VALUES ($1, 'kid', 'staff', now(), now())`, [child]);

    let link: ParentLinkState | null = null;
    const step = async (command: Parameters<typeof decideParentLink>[0]) => {
      const events = decideParentLink(command, link);
      await append(parentLinkStream(linkId), events);
      link = events.reduce(evolveParentLink, link);
    };
    const status = () => rows('SELECT parent_id, child_id, status, requested_by, requested_at, decided_by, decided_at FROM parent_links WHERE link_id = $1', [linkId]);

    await step({ type: 'RequestParentLink', linkId, parentId: parent, childId: child, requestedBy: parent, confirmed: false, at: t(1) });
    expect(await status()).toEqual([{ parent_id: parent, child_id: child, status: 'requested', requested_by: parent, requested_at: new Date(t(1)), decided_by: null, decided_at: null }]);
    await step({ type: 'ConfirmParentLink', linkId, decidedBy: admin.userId, at: t(2) });
    expect(await status()).toEqual([expect.objectContaining({ status: 'confirmed', decided_by: admin.userId, decided_at: new Date(t(2)) })]);

    let consent = initialParentalConsentState();
    const consentStep = async (command: Parameters<typeof decideParentalConsent>[0]) => {
      const events = decideParentalConsent(command, consent);
      await append(userStream(child), events);
      consent = events.reduce(evolveParentalConsent, consent);
    };
    await consentStep({ type: 'GiveParentalConsent', childId: child, parentId: parent, purposes: ['platform_use'], at: t(3) });
    expect(await rows('SELECT parental_consent_at, username FROM accounts WHERE user_id = $1', [child])).toEqual([{ parental_consent_at: new Date(t(3)), username: 'kid' }]);
    await consentStep({ type: 'WithdrawParentalConsent', childId: child, parentId: parent, at: t(4) });
    expect(await rows('SELECT parental_consent_at FROM accounts WHERE user_id = $1', [child])).toEqual([{ parental_consent_at: null }]);
    // A consent for a child with no account row is no error, and creates no row.
    const ghost = randomUUID();
    await append(userStream(ghost), decideParentalConsent({ type: 'GiveParentalConsent', childId: ghost, parentId: parent, purposes: ['platform_use'], at: t(3) }, initialParentalConsentState()));
    expect(await rows('SELECT count(*)::int AS n FROM accounts WHERE user_id = $1', [ghost])).toEqual([{ n: 0 }]);

    await step({ type: 'RevokeParentLink', linkId, revokedBy: parent, at: t(5) });
    expect(await status()).toEqual([expect.objectContaining({ status: 'revoked', decided_by: parent, decided_at: new Date(t(5)) })]);
    await step({ type: 'RequestParentLink', linkId, parentId: parent, childId: child, requestedBy: parent, confirmed: false, at: t(6) });
    expect(await status()).toEqual([expect.objectContaining({ status: 'requested', requested_at: new Date(t(6)), decided_by: null })]);

    const before = await rows('SELECT * FROM parent_links ORDER BY link_id');
    await runner.rebuild('parent-links');
    await runner.rebuild('parental-consent');
    await runner.waitFor((await f.store.headPosition())!, 10_000, names);
    expect(await rows('SELECT * FROM parent_links ORDER BY link_id')).toEqual(before);
  });
});
