/**
 * Affiliations over HTTP, role by role: the platform admin creates schools;
 * a school admin manages classes and members; a teacher lists the directory
 * without contact data; a parent asks for a link, the school admin confirms
 * it, the parent reads that child and no other. Every read endpoint refuses
 * another school's user, an unlinked parent and an anonymous caller, with no
 * data; bad input gets a stable code and appends nothing.
 */
import request from 'supertest';
import { DeferredWork } from '../../libs/core/src';
import { countEvents, createSchool, openAccount, registerUser, signInAdmin, type Session } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const http = () => request(t.app.getHttpServer());
const NO_SUCH_ID = '00000000-0000-4000-8000-00000000abcd';

let admin: Session;
let schoolA: string;
let schoolB: string;
let adminA: Session;
let adminB: Session;
let teacherA: Session;
let classP4: string;
let classP5: string;
let learnerA: Session;
let learnerA2: Session;
let learnerB: Session;
let parent: Session;
let otherParent: Session;

beforeAll(async () => {
  t = await createTestApp();
  admin = await signInAdmin(t);
});
afterAll(() => t.close());

/** The school asks (as `by`), the person accepts: the way an existing account joins a school. */
async function joinByTransfer(by: Session, schoolId: string, person: Session, body: { role: string; classId?: string }) {
  const asked = await http().post(`/api/v1/schools/${schoolId}/transfers`).set(by.auth).send({ userId: person.userId, ...body }).expect(201);
  expect(asked.body).toMatchObject({ userId: person.userId, toSchoolId: schoolId, fromSchoolId: null, status: 'requested' });
  const accepted = await http().post(`/api/v1/transfers/${asked.body.transferId}/accept`).set(person.auth).expect(200);
  expect(accepted.body).toMatchObject({ status: 'accepted', decidedBy: person.userId, decidedAs: 'self' });
  return accepted.body as { transferId: string; fromSchoolId: string | null };
}

/** Runs `fn` and checks that it appended no event. */
async function appendsNothing<T>(fn: () => Promise<T>): Promise<T> {
  const before = await countEvents(t);
  const result = await fn();
  expect(await countEvents(t)).toBe(before);
  return result;
}

describe('schools: the platform admin creates them', () => {
  it('creates a school (code in capitals) and reads it back', async () => {
    const res = await http().post('/api/v1/schools').set(admin.auth).send({ name: 'Anuban School', code: 'anuban-01', country: 'th' }).expect(201);
    expect(res.body).toEqual({ schoolId: expect.any(String), name: 'Anuban School', code: 'ANUBAN-01', country: 'TH', createdAt: expect.any(String), archivedAt: null });
    schoolA = res.body.schoolId;
    schoolB = await createSchool(t, admin, 'Bangkok School');
    const read = await http().get(`/api/v1/schools/${schoolA}`).set(admin.auth).expect(200);
    expect(read.body).toEqual(res.body);
    const list = await http().get('/api/v1/schools').set(admin.auth).expect(200);
    expect(list.body.schools.map((s: { schoolId: string }) => s.schoolId)).toEqual(expect.arrayContaining([schoolA, schoolB]));
  });

  it.each([
    ['missing fields', {}, 400, 'VALIDATION_FAILED'],
    ['a bad code', { name: 'X', code: 'no spaces!', country: 'TH' }, 400, 'VALIDATION_FAILED'],
    ['an unknown country', { name: 'X', code: 'XYZ-9', country: 'XX' }, 400, 'INVALID_COUNTRY'],
    ['an unknown field', { name: 'X', code: 'XYZ-9', country: 'TH', tenant: 'all' }, 400, 'VALIDATION_FAILED'],
    ['a duplicate code, whatever its case', { name: 'Copy', code: 'Anuban-01', country: 'TH' }, 409, 'SCHOOL_CODE_TAKEN'],
  ])('refuses %s with a stable code and appends nothing', async (_, body, status, code) => {
    const res = await appendsNothing(() => http().post('/api/v1/schools').set(admin.auth).send(body).expect(status));
    expect(res.body.error.code).toBe(code);
  });

  it('refuses anyone but a platform admin (403) and anonymous callers (401)', async () => {
    const someone = await registerUser(t);
    const forbidden = await appendsNothing(() => http().post('/api/v1/schools').set(someone.auth).send({ name: 'Mine', code: 'MINE', country: 'TH' }).expect(403));
    expect(forbidden.body.error.code).toBe('FORBIDDEN');
    expect((await http().post('/api/v1/schools').send({ name: 'Mine', code: 'MINE', country: 'TH' }).expect(401)).body.error.code).toBe('UNAUTHENTICATED');
  });

  it('opens each school’s admin', async () => {
    adminA = await openAccount(t, admin, { schoolId: schoolA, role: 'school_admin' });
    adminB = await openAccount(t, admin, { schoolId: schoolB, role: 'school_admin' });
    const mine = await http().get('/api/v1/schools').set(adminA.auth).expect(200);
    expect(mine.body.schools.map((s: { schoolId: string }) => s.schoolId)).toEqual([schoolA]);
  });
});

describe('a school admin manages their school', () => {
  it('renames the school, and may not touch another school', async () => {
    const res = await http().patch(`/api/v1/schools/${schoolA}`).set(adminA.auth).send({ name: 'Anuban Demonstration School' }).expect(200);
    expect(res.body).toMatchObject({ schoolId: schoolA, name: 'Anuban Demonstration School', code: 'ANUBAN-01' });
    await appendsNothing(() => http().patch(`/api/v1/schools/${schoolB}`).set(adminA.auth).send({ name: 'Taken over' }).expect(403));
    const same = await appendsNothing(() => http().patch(`/api/v1/schools/${schoolA}`).set(adminA.auth).send({ code: 'anuban-01' }).expect(200));
    expect(same.body.code).toBe('ANUBAN-01'); // nothing changed: nothing recorded
    const codeOfB = (await http().get(`/api/v1/schools/${schoolB}`).set(admin.auth).expect(200)).body.code;
    const taken = await appendsNothing(() => http().patch(`/api/v1/schools/${schoolA}`).set(adminA.auth).send({ code: codeOfB }).expect(409));
    expect(taken.body.error.code).toBe('SCHOOL_CODE_TAKEN');
  });

  it('creates, lists and renames classes; names are unique in the school', async () => {
    const p4 = await http().post(`/api/v1/schools/${schoolA}/classes`).set(adminA.auth).send({ name: 'P4/1', gradeLevel: 'P4' }).expect(201);
    expect(p4.body).toMatchObject({ schoolId: schoolA, name: 'P4/1', gradeLevel: 'P4', archivedAt: null });
    classP4 = p4.body.classId;
    classP5 = (await http().post(`/api/v1/schools/${schoolA}/classes`).set(adminA.auth).send({ name: 'P5/1', gradeLevel: 'P5' }).expect(201)).body.classId;
    const renamed = await http().patch(`/api/v1/schools/${schoolA}/classes/${classP4}`).set(adminA.auth).send({ name: 'P4/Blue' }).expect(200);
    expect(renamed.body).toMatchObject({ classId: classP4, name: 'P4/Blue', gradeLevel: 'P4' });
    const dup = await appendsNothing(() => http().post(`/api/v1/schools/${schoolA}/classes`).set(adminA.auth).send({ name: 'p5/1' }).expect(409));
    expect(dup.body.error.code).toBe('CLASS_NAME_TAKEN');
    const list = await http().get(`/api/v1/schools/${schoolA}/classes`).set(adminA.auth).expect(200);
    expect(list.body.classes.map((c: { name: string }) => c.name)).toEqual(['P4/Blue', 'P5/1']);
    const missing = await appendsNothing(() => http().patch(`/api/v1/schools/${schoolA}/classes/${NO_SUCH_ID}`).set(adminA.auth).send({ name: 'X' }).expect(404));
    expect(missing.body.error.code).toBe('CLASS_NOT_FOUND');
    await appendsNothing(() => http().post(`/api/v1/schools/${schoolB}/classes`).set(adminA.auth).send({ name: 'Intruder' }).expect(403));
  });

  it('opens a teacher and learners, and affiliates an existing account (grade level from the class)', async () => {
    teacherA = await openAccount(t, adminA, { schoolId: schoolA, role: 'teacher', classId: classP4 });
    learnerA = await openAccount(t, adminA, { schoolId: schoolA, role: 'learner', classId: classP4, dateOfBirth: `${new Date().getUTCFullYear() - 10}-05-01` });
    learnerB = await openAccount(t, adminB, { schoolId: schoolB, role: 'learner' });
    learnerA2 = await registerUser(t);
    // A self-registered account is nobody's: the school asks, the person accepts.
    const direct = await appendsNothing(() => http().post(`/api/v1/schools/${schoolA}/members`).set(adminA.auth).send({ userId: learnerA2.userId, role: 'learner', classId: classP5 }).expect(409));
    expect(direct.body.error.code).toBe('TRANSFER_REQUIRED');
    await joinByTransfer(adminA, schoolA, learnerA2, { role: 'learner', classId: classP5 });
    const joined = await http().get(`/api/v1/users/${learnerA2.userId}/affiliations`).set(adminA.auth).expect(200);
    expect(joined.body.affiliations).toEqual([expect.objectContaining({ userId: learnerA2.userId, schoolId: schoolA, role: 'learner', classId: classP5, gradeLevel: 'P5', endedAt: null })]);
    const again = await appendsNothing(() => http().post(`/api/v1/schools/${schoolA}/members`).set(adminA.auth).send({ userId: learnerA2.userId, role: 'learner' }).expect(409));
    expect(again.body.error.code).toBe('ALREADY_MEMBER');
  });

  it.each([
    ['an unknown user', () => ({ userId: NO_SUCH_ID, role: 'learner' }), 400, 'UNKNOWN_USER'],
    ['an unknown class', () => ({ userId: learnerA2.userId, role: 'teacher', classId: NO_SUCH_ID }), 400, 'UNKNOWN_CLASS'],
    ['a bad role', () => ({ userId: learnerA2.userId, role: 'principal' }), 400, 'VALIDATION_FAILED'],
    ['a missing user', () => ({ role: 'learner' }), 400, 'VALIDATION_FAILED'],
  ])('refuses to add a member with %s, appending nothing', async (_, body, status, code) => {
    const res = await appendsNothing(() => http().post(`/api/v1/schools/${schoolA}/members`).set(adminA.auth).send(body()).expect(status));
    expect(res.body.error.code).toBe(code);
  });

  it('refuses an unknown school with 400 UNKNOWN_SCHOOL, appending nothing', async () => {
    const res = await appendsNothing(() => http().post(`/api/v1/schools/${NO_SUCH_ID}/members`).set(admin.auth).send({ userId: learnerA2.userId, role: 'learner' }).expect(400));
    expect(res.body.error.code).toBe('UNKNOWN_SCHOOL');
    const bad = await appendsNothing(() => http().get('/api/v1/schools/not-a-uuid').set(admin.auth).expect(400));
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('moves a member to another class, and ends a membership keeping its history', async () => {
    const moved = await http().patch(`/api/v1/schools/${schoolA}/members/${learnerA2.userId}`).set(adminA.auth).send({ classId: classP4 }).expect(200);
    expect(moved.body).toMatchObject({ classId: classP4, gradeLevel: 'P4' });
    const notMember = await appendsNothing(() => http().patch(`/api/v1/schools/${schoolA}/members/${learnerB.userId}`).set(adminA.auth).send({ classId: classP4 }).expect(404));
    expect(notMember.body.error.code).toBe('NOT_A_MEMBER');

    const ended = await http().delete(`/api/v1/schools/${schoolA}/members/${learnerA2.userId}?role=learner&reason=left`).set(adminA.auth).expect(200);
    expect(ended.body.endedAt).toEqual(expect.any(String));
    const active = await http().get(`/api/v1/schools/${schoolA}/members?role=learner`).set(adminA.auth).expect(200);
    expect(active.body.members.map((m: { userId: string }) => m.userId)).toEqual([learnerA.userId]);
    const all = await http().get(`/api/v1/schools/${schoolA}/members?role=learner&includeEnded=true`).set(adminA.auth).expect(200);
    expect(all.body.members.find((m: { userId: string }) => m.userId === learnerA2.userId)).toMatchObject({ endedAt: ended.body.endedAt });
    await appendsNothing(() => http().delete(`/api/v1/schools/${schoolA}/members/${learnerA2.userId}`).set(adminA.auth).expect(404));
    // Gone is gone: back in only by a transfer the person accepts.
    const direct = await appendsNothing(() => http().post(`/api/v1/schools/${schoolA}/members`).set(adminA.auth).send({ userId: learnerA2.userId, role: 'learner', classId: classP5 }).expect(409));
    expect(direct.body.error.code).toBe('TRANSFER_REQUIRED');
    await joinByTransfer(adminA, schoolA, learnerA2, { role: 'learner', classId: classP5 });
  });

  it('a learner moving in from another school leaves it: the history keeps both', async () => {
    const mover = await openAccount(t, adminB, { schoolId: schoolB, role: 'learner' });
    const taken = await appendsNothing(() => http().post(`/api/v1/schools/${schoolA}/members`).set(adminA.auth).send({ userId: mover.userId, role: 'learner', classId: classP5 }).expect(409));
    expect(taken.body.error.code).toBe('TRANSFER_REQUIRED');
    const transfer = await joinByTransfer(adminA, schoolA, mover, { role: 'learner', classId: classP5 });
    // The sending school sees it: where the learner went, not who asked nor into which class.
    const outgoing = await http().get(`/api/v1/schools/${schoolB}/transfers`).set(adminB.auth).expect(200);
    expect(outgoing.body.transfers).toEqual([
      expect.objectContaining({ transferId: transfer.transferId, userId: mover.userId, toSchoolId: schoolA, fromSchoolId: schoolB, status: 'accepted', decidedAs: 'self', classId: null, requestedBy: null }),
    ]);
    const history = await http().get(`/api/v1/users/${mover.userId}/affiliations`).set(admin.auth).expect(200);
    expect(history.body.affiliations).toEqual([
      expect.objectContaining({ schoolId: schoolB, role: 'learner', endedAt: expect.any(String), schoolName: 'Bangkok School' }),
      expect.objectContaining({ schoolId: schoolA, role: 'learner', classId: classP5, className: 'P5/1', gradeLevel: 'P5', endedAt: null }),
    ]);
    // School B no longer lists them.
    const b = await http().get(`/api/v1/schools/${schoolB}/members`).set(adminB.auth).expect(200);
    expect(b.body.members.map((m: { userId: string }) => m.userId)).not.toContain(mover.userId);
  });
});

describe('the directory, by need to know', () => {
  it('a teacher gets names and classes, no contact data and no past members', async () => {
    const res = await http().get(`/api/v1/schools/${schoolA}/members?includeEnded=true`).set(teacherA.auth).expect(200);
    expect(res.body.members.length).toBeGreaterThanOrEqual(4);
    for (const m of res.body.members) {
      expect(Object.keys(m).sort()).toEqual(['classId', 'displayName', 'gradeLevel', 'role', 'userId', 'username']);
    }
    expect(JSON.stringify(res.body)).not.toContain('@example.com');
    const inClass = await http().get(`/api/v1/schools/${schoolA}/members?role=learner&classId=${classP4}`).set(teacherA.auth).expect(200);
    expect(inClass.body.members.map((m: { userId: string }) => m.userId)).toEqual([learnerA.userId]);
  });

  it('a school admin also gets the email; a platform admin does not', async () => {
    const res = await http().get(`/api/v1/schools/${schoolA}/members?role=teacher`).set(adminA.auth).expect(200);
    expect(res.body.members).toEqual([expect.objectContaining({ userId: teacherA.userId, email: `${teacherA.username}@example.com`, membershipId: expect.any(String) })]);
    const platform = await http().get(`/api/v1/schools/${schoolA}/members`).set(admin.auth).expect(200);
    expect(JSON.stringify(platform.body)).not.toContain('@example.com');
  });

  it('a learner may not list the directory', async () => {
    await http().get(`/api/v1/schools/${schoolA}/members`).set(learnerA.auth).expect(403);
  });
});

describe('parent links', () => {
  let linkId: string;

  it('a parent asks for a link by the child’s username', async () => {
    parent = await registerUser(t);
    otherParent = await registerUser(t);
    const res = await http().post('/api/v1/parent-links').set(parent.auth).send({ childUsername: learnerA.username.toUpperCase() }).expect(202);
    // No link id, no child id: the answer says nothing about whether the username exists.
    expect(res.body).toMatchObject({ linkId: null, parentId: parent.userId, childId: null, status: 'requested' });
    await t.app.get(DeferredWork).settled(); // the lookup and the request happen after the answer
    const pending = await http().get(`/api/v1/schools/${schoolA}/parent-links?status=requested`).set(adminA.auth).expect(200);
    linkId = pending.body.parentLinks.find((l: { parentId: string }) => l.parentId === parent.userId).linkId;
  });

  it('answers a request by username the same whether or not the user exists, is a platform admin, is already asked for, or is the caller', async () => {
    const answer = async (childUsername: string) => {
      const res = await http().post('/api/v1/parent-links').set(otherParent.auth).send({ childUsername }).expect(202);
      const { requestedAt, ...rest } = res.body;
      expect(requestedAt).toEqual(expect.any(String));
      return rest;
    };
    const expected = { linkId: null, parentId: otherParent.userId, childId: null, status: 'requested', requestedBy: otherParent.userId, decidedBy: null, decidedAt: null };
    const before = await countEvents(t);
    for (const name of ['nobody-by-this-name', 'admin', otherParent.username]) expect(await answer(name)).toEqual(expected);
    await t.app.get(DeferredWork).settled();
    expect(await countEvents(t)).toBe(before); // nothing asked of anyone
    expect(await answer(learnerB.username)).toEqual(expected);
    expect(await answer(learnerB.username)).toEqual(expected); // asked twice: still the same answer
    await t.app.get(DeferredWork).settled();
    // The asker sees no pending link (it would tell them the username exists); the child's school does.
    const mine = await http().get(`/api/v1/users/${otherParent.userId}/parent-links`).set(otherParent.auth).expect(200);
    expect(mine.body.parentLinks).toEqual([]);
    const atB = await http().get(`/api/v1/schools/${schoolB}/parent-links?status=requested`).set(adminB.auth).expect(200);
    expect(atB.body.parentLinks).toEqual([expect.objectContaining({ parentId: otherParent.userId, childId: learnerB.userId })]);
    await http().post(`/api/v1/parent-links/${atB.body.parentLinks[0].linkId}/reject`).set(adminB.auth).expect(200);
  });

  it.each([
    ['a second request while one is pending', () => ({ childId: learnerA.userId }), 409, 'PARENT_LINK_EXISTS'],
    ['a school admin’s link by username', () => ({ childUsername: learnerA.username, parentId: otherParent.userId }), 400, 'VALIDATION_FAILED'],
    ['an unknown child id', () => ({ childId: NO_SUCH_ID }), 400, 'UNKNOWN_USER'],
    ['oneself as child', () => ({ childId: parent.userId }), 400, 'OWN_PARENT'],
    ['both childId and childUsername', () => ({ childId: learnerA.userId, childUsername: learnerA.username }), 400, 'VALIDATION_FAILED'],
    ['no child', () => ({}), 400, 'VALIDATION_FAILED'],
    ['someone else as parent', () => ({ childId: learnerA.userId, parentId: otherParent.userId }), 403, 'FORBIDDEN'],
  ])('refuses %s, appending nothing', async (_, body, status, code) => {
    const res = await appendsNothing(() => http().post('/api/v1/parent-links').set(parent.auth).send(body()).expect(status));
    expect(res.body.error.code).toBe(code);
  });

  it('the parent cannot confirm it, nor a school admin of another school, nor the minor child', async () => {
    for (const who of [parent, adminB, learnerA]) {
      await appendsNothing(() => http().post(`/api/v1/parent-links/${linkId}/confirm`).set(who.auth).expect(403));
    }
    const unknown = await appendsNothing(() => http().post(`/api/v1/parent-links/${NO_SUCH_ID}/confirm`).set(adminA.auth).expect(404));
    expect(unknown.body.error.code).toBe('PARENT_LINK_NOT_FOUND');
  });

  it('before confirmation the parent reads nothing of the child', async () => {
    await http().get(`/api/v1/users/${learnerA.userId}/affiliations`).set(parent.auth).expect(403);
  });

  it('the school admin sees the pending request and confirms it', async () => {
    const pending = await http().get(`/api/v1/schools/${schoolA}/parent-links?status=requested`).set(adminA.auth).expect(200);
    expect(pending.body.parentLinks).toEqual([expect.objectContaining({ linkId, parentId: parent.userId, childId: learnerA.userId, status: 'requested' })]);
    const res = await http().post(`/api/v1/parent-links/${linkId}/confirm`).set(adminA.auth).expect(200);
    expect(res.body).toMatchObject({ linkId, status: 'confirmed', decidedBy: adminA.userId });
    const again = await appendsNothing(() => http().post(`/api/v1/parent-links/${linkId}/reject`).set(adminA.auth).expect(409));
    expect(again.body.error.code).toBe('PARENT_LINK_NOT_PENDING');
  });

  it('the parent reads their child, and not another child', async () => {
    const mine = await http().get(`/api/v1/users/${learnerA.userId}/affiliations`).set(parent.auth).expect(200);
    expect(mine.body.affiliations).toEqual([expect.objectContaining({ schoolId: schoolA, role: 'learner', classId: classP4, schoolName: 'Anuban Demonstration School' })]);
    const links = await http().get(`/api/v1/users/${parent.userId}/parent-links`).set(parent.auth).expect(200);
    expect(links.body.parentLinks).toEqual([expect.objectContaining({ linkId, status: 'confirmed', childId: learnerA.userId })]);
    for (const other of [learnerA2, learnerB]) {
      const res = await http().get(`/api/v1/users/${other.userId}/affiliations`).set(parent.auth).expect(403);
      expect(Object.keys(res.body)).toEqual(['error']);
    }
  });

  it('a confirmed parent gives and withdraws parental consent; an unlinked parent may not', async () => {
    const given = await http().post(`/api/v1/users/${learnerA.userId}/parental-consent`).set(parent.auth).send({ purposes: ['platform_use', 'analytics'] }).expect(201);
    expect(given.body).toMatchObject({ childId: learnerA.userId, parentId: parent.userId, purposes: ['analytics', 'platform_use'] });
    await appendsNothing(() => http().post(`/api/v1/users/${learnerA.userId}/parental-consent`).set(otherParent.auth).send({ purposes: ['platform_use'] }).expect(403));
    const bad = await appendsNothing(() => http().post(`/api/v1/users/${learnerA.userId}/parental-consent`).set(parent.auth).send({ purposes: [] }).expect(400));
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    await http().delete(`/api/v1/users/${learnerA.userId}/parental-consent`).set(parent.auth).expect(204);
    const none = await appendsNothing(() => http().delete(`/api/v1/users/${learnerA.userId}/parental-consent`).set(parent.auth).expect(404));
    expect(none.body.error.code).toBe('NO_PARENTAL_CONSENT');
    // The child's own stream shows both.
    const { rows } = await import('pg').then(async (pg) => {
      const client = new pg.default.Client({ connectionString: t.db.url });
      await client.connect();
      try {
        return await client.query(`SELECT event_type FROM events WHERE stream_id = $1 AND event_type LIKE 'ParentalConsent%' ORDER BY stream_revision`, [`user-${learnerA.userId}`]);
      } finally {
        await client.end();
      }
    });
    expect(rows.map((r: { event_type: string }) => r.event_type)).toEqual(['ParentalConsentGiven', 'ParentalConsentWithdrawn']);
  });

  it('a school admin links a parent directly (confirmed at once); an adult child decides for themself', async () => {
    const direct = await http().post('/api/v1/parent-links').set(adminA.auth).send({ parentId: otherParent.userId, childId: learnerA2.userId }).expect(201);
    expect(direct.body).toMatchObject({ parentId: otherParent.userId, childId: learnerA2.userId, status: 'confirmed', decidedBy: adminA.userId });
    await http().get(`/api/v1/users/${learnerA2.userId}/affiliations`).set(otherParent.auth).expect(200);
    // learnerA2 registered as an adult: they may reject a request about themself.
    const asked = await http().post('/api/v1/parent-links').set(parent.auth).send({ childId: learnerA2.userId }).expect(201);
    const rejected = await http().post(`/api/v1/parent-links/${asked.body.linkId}/reject`).set(learnerA2.auth).expect(200);
    expect(rejected.body.status).toBe('rejected');
    // A school admin of another school may not link parents to this school's learners.
    await appendsNothing(() => http().post('/api/v1/parent-links').set(adminB.auth).send({ parentId: otherParent.userId, childId: learnerA.userId }).expect(403));
  });

  it('the parent revokes the link, and can read the child no more', async () => {
    await http().post(`/api/v1/users/${learnerA.userId}/parental-consent`).set(parent.auth).send({ purposes: ['platform_use'] }).expect(201);
    await appendsNothing(() => http().post(`/api/v1/parent-links/${linkId}/revoke`).set(otherParent.auth).expect(403));
    const res = await http().post(`/api/v1/parent-links/${linkId}/revoke`).set(parent.auth).expect(200);
    expect(res.body.status).toBe('revoked');
    await http().get(`/api/v1/users/${learnerA.userId}/affiliations`).set(parent.auth).expect(403);
    const again = await appendsNothing(() => http().post(`/api/v1/parent-links/${linkId}/revoke`).set(parent.auth).expect(409));
    expect(again.body.error.code).toBe('PARENT_LINK_NOT_ACTIVE');
    // The consent the parent gave ended with the link.
    const links = await http().get(`/api/v1/users/${learnerA.userId}/parent-links`).set(adminA.auth).expect(200);
    expect(links.body.parentLinks).toEqual([expect.objectContaining({ linkId, status: 'revoked', decidedBy: parent.userId })]);
  });
});

describe('every read endpoint refuses strangers, with no data', () => {
  const reads = () => [
    `/api/v1/schools/${schoolA}`,
    `/api/v1/schools/${schoolA}/classes`,
    `/api/v1/schools/${schoolA}/members`,
    `/api/v1/schools/${schoolA}/parent-links`,
    `/api/v1/users/${learnerA.userId}/affiliations`,
    `/api/v1/users/${learnerA.userId}/parent-links`,
  ];

  it('a user of another school gets 403', async () => {
    const teacherB = await openAccount(t, adminB, { schoolId: schoolB, role: 'teacher' });
    for (const who of [adminB, teacherB, learnerB]) {
      for (const path of reads()) {
        const res = await http().get(path).set(who.auth);
        expect([path, res.status]).toEqual([path, 403]);
        expect(Object.keys(res.body)).toEqual(['error']);
        expect(res.body.error.code).toBe('FORBIDDEN');
      }
      const schools = await http().get('/api/v1/schools').set(who.auth).expect(200);
      expect(schools.body.schools.map((s: { schoolId: string }) => s.schoolId)).toEqual([schoolB]);
    }
  });

  it('a parent of another child (in school B) gets 403, and sees only their child’s school', async () => {
    const strangerParent = await registerUser(t);
    await http().post('/api/v1/parent-links').set(adminB.auth).send({ parentId: strangerParent.userId, childId: learnerB.userId }).expect(201);
    await http().get(`/api/v1/users/${learnerB.userId}/affiliations`).set(strangerParent.auth).expect(200);
    const schools = await http().get('/api/v1/schools').set(strangerParent.auth).expect(200);
    expect(schools.body.schools.map((s: { schoolId: string }) => s.schoolId)).toEqual([schoolB]);
    for (const path of reads()) {
      const res = await http().get(path).set(strangerParent.auth);
      expect([path, res.status]).toEqual([path, 403]);
      expect(Object.keys(res.body)).toEqual(['error']);
    }
  });

  it('an anonymous caller gets 401', async () => {
    for (const path of [...reads(), '/api/v1/schools']) {
      const res = await http().get(path);
      expect([path, res.status]).toEqual([path, 401]);
      expect(Object.keys(res.body)).toEqual(['error']);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('archiving', () => {
  it('a platform admin archives a school: it takes no new members; a school admin may not archive', async () => {
    const schoolC = await createSchool(t, admin, 'Closing School');
    await appendsNothing(() => http().post(`/api/v1/schools/${schoolA}/archive`).set(adminA.auth).expect(403));
    const res = await http().post(`/api/v1/schools/${schoolC}/archive`).set(admin.auth).expect(200);
    expect(res.body.archivedAt).toEqual(expect.any(String));
    const closed = await appendsNothing(() => http().post(`/api/v1/schools/${schoolC}/members`).set(admin.auth).send({ userId: learnerA2.userId, role: 'teacher' }).expect(422));
    expect(closed.body.error.code).toBe('SCHOOL_ARCHIVED');
    const listed = await http().get('/api/v1/schools').set(admin.auth).expect(200);
    expect(listed.body.schools.map((s: { schoolId: string }) => s.schoolId)).not.toContain(schoolC);
    const all = await http().get('/api/v1/schools?includeArchived=true').set(admin.auth).expect(200);
    expect(all.body.schools.map((s: { schoolId: string }) => s.schoolId)).toContain(schoolC);
  });
});

it('documents every endpoint with its errors in OpenAPI', async () => {
  const res = await http().get('/docs-json').expect(200);
  const paths = res.body.paths;
  expect(paths['/api/v1/schools'].post.responses['409'].description).toContain('SCHOOL_CODE_TAKEN');
  expect(paths['/api/v1/schools/{id}/members'].post.responses['400'].description).toContain('UNKNOWN_SCHOOL');
  expect(paths['/api/v1/parent-links'].post.responses['409'].description).toContain('PARENT_LINK_EXISTS');
  for (const path of Object.keys(paths).filter((p) => /schools|parent-links|affiliations|parental-consent/.test(p))) {
    for (const operation of Object.values(paths[path]) as { responses: Record<string, unknown> }[]) {
      expect([path, Object.keys(operation.responses)]).toEqual([path, expect.arrayContaining(['401'])]);
    }
  }
});
