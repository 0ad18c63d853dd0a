/**
 * GraphQL over HTTP (POST /graphql): the same sign-in, policy and stable
 * error codes as REST. An operation that ran answers 200 with `errors[]`
 * whose extensions carry { code, status, details }; a document that does not
 * fit the schema answers 400.
 */
import request from 'supertest';
import { DeferredWork } from '../../libs/core/src';
import { PASSWORD, registerUser, signInAdmin, uniqueUsername, type Session } from '../support/auth';
import { createTestApp, TEST_ADMIN, type TestApp } from '../support/test-app';
import { parentLinkId } from '../../libs/affiliations/src/streams';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

interface GraphqlError {
  message: string;
  path?: string[];
  extensions: { code: string; status: number; details?: { field: string; message: string }[]; requestId?: string; stacktrace?: unknown };
}

/** Posts one operation; `as` signs it with that session's access token. */
async function gql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}, as?: Session | string) {
  const req = request(t.app.getHttpServer()).post('/graphql');
  if (as) req.set('Authorization', `Bearer ${typeof as === 'string' ? as : as.accessToken}`);
  const res = await req.send({ query, variables });
  return { status: res.status, data: res.body.data as T | null | undefined, errors: (res.body.errors ?? []) as GraphqlError[] };
}

const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { accessToken tokenType expiresIn refreshToken userId sessionId } }`;
const ME = `{ me { account { userId username platformRoles } memberships { schoolId role classId } children impersonatedBy } }`;
const USER = `query ($id: ID!) { user(id: $id) { userId username displayName } }`;
const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { userId minor } }`;
const OPEN_ACCOUNT = `mutation ($input: OpenAccountInput!) { openAccount(input: $input) { userId temporaryPassword } }`;

/** Signs in through the login mutation. */
async function login(username: string, password = PASSWORD): Promise<{ userId: string; accessToken: string }> {
  const res = await gql<{ login: { accessToken: string; refreshToken: string | null; userId: string } }>(LOGIN, { input: { username, password } });
  if (!res.data?.login) throw new Error(`sign-in of ${username} failed: ${JSON.stringify(res.errors)}`);
  return res.data.login;
}

/** Opens an account in a school through the openAccount mutation (as `by`) and signs it in. */
async function openAccount(by: { accessToken: string }, input: Record<string, unknown>) {
  const username = uniqueUsername(String(input.role).replace('_', ''));
  const res = await gql(OPEN_ACCOUNT, { input: { username, password: PASSWORD, displayName: `GQL ${username}`, email: `${username}@example.com`, ...input } }, by.accessToken);
  if (!res.data?.openAccount) throw new Error(`openAccount failed: ${JSON.stringify(res.errors)}`);
  return { username, ...(await login(username)) };
}

describe('sign-in and the caller', () => {
  it('signs in with the login mutation and reads me with the token', async () => {
    const login = await gql<{ login: { accessToken: string; refreshToken: string | null; userId: string } }>(LOGIN, { input: { username: TEST_ADMIN.username, password: TEST_ADMIN.password } });
    expect(login.errors).toEqual([]);
    expect(login.data!.login).toMatchObject({ tokenType: 'Bearer', refreshToken: expect.any(String), userId: expect.any(String) });

    const me = await gql(ME, {}, login.data!.login.accessToken);
    expect(me.status).toBe(200);
    expect(me.data!.me).toEqual({
      account: { userId: login.data!.login.userId, username: TEST_ADMIN.username, platformRoles: ['platform_admin'] },
      memberships: [],
      children: [],
      impersonatedBy: null,
    });
  });

  it('refuses a wrong password with the REST code and status', async () => {
    const res = await gql(LOGIN, { input: { username: TEST_ADMIN.username, password: 'not-the-password' } });
    expect(res.status).toBe(200);
    expect(res.data!.login).toBeNull();
    expect(res.errors[0].extensions).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401 });
  });

  it('answers an anonymous read of a protected field with UNAUTHENTICATED (HTTP 200, the field null)', async () => {
    const res = await gql(ME);
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ me: null });
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0]).toMatchObject({ path: ['me'], extensions: { code: 'UNAUTHENTICATED', status: 401 } });
    expect(res.errors[0].extensions.requestId).toEqual(expect.any(String));
  });

  it('treats an invalid or ended token as no sign-in', async () => {
    expect((await gql(ME, {}, 'not-a-jwt')).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const user = await registerUser(t);
    const out = await gql(`mutation { logout }`, {}, user);
    expect(out.data).toEqual({ logout: true });
    expect((await gql(ME, {}, user)).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('rotates the refresh token', async () => {
    const user = await registerUser(t);
    const res = await gql<{ refresh: { accessToken: string; refreshToken: string | null; userId: string } }>(`mutation ($input: RefreshInput!) { refresh(input: $input) { accessToken refreshToken } }`, { input: { refreshToken: user.refreshToken } });
    expect(res.errors).toEqual([]);
    expect(res.data!.refresh.refreshToken).not.toBe(user.refreshToken);
    const me = await gql<{ me: { account: { userId: string }; children: string[] } }>(ME, {}, res.data!.refresh.accessToken);
    expect(me.data!.me.account.userId).toBe(user.userId);
  });
});

describe('need to know', () => {
  it('lets a user read themself but not another user: FORBIDDEN, data.user null', async () => {
    const ann = await registerUser(t);
    const bob = await registerUser(t);
    const own = await gql(USER, { id: ann.userId }, ann);
    expect(own.data!.user).toMatchObject({ userId: ann.userId, username: ann.username });

    const other = await gql(USER, { id: bob.userId }, ann);
    expect(other.status).toBe(200);
    expect(other.data).toEqual({ user: null });
    expect(other.errors[0]).toMatchObject({ path: ['user'], extensions: { code: 'FORBIDDEN', status: 403 } });
  });

  it('keeps the other fields of an operation when one is refused', async () => {
    const ann = await registerUser(t);
    const bob = await registerUser(t);
    const res = await gql(`query ($id: ID!) { me { account { userId } } user(id: $id) { userId } }`, { id: bob.userId }, ann);
    expect(res.data).toEqual({ me: { account: { userId: ann.userId } }, user: null });
    expect(res.errors.map((e) => e.extensions.code)).toEqual(['FORBIDDEN']);
  });

  it('lets a platform admin lock and unlock an account, and a user list who impersonated them', async () => {
    const admin = await signInAdmin(t);
    const user = await registerUser(t);
    expect((await gql(`mutation ($id: ID!) { lockUser(userId: $id) }`, { id: user.userId }, admin)).data).toEqual({ lockUser: true });
    expect((await gql(LOGIN, { input: { username: user.username, password: PASSWORD } })).errors[0].extensions.code).toBe('ACCOUNT_LOCKED');
    expect((await gql(`mutation ($id: ID!) { unlockUser(userId: $id) }`, { id: user.userId }, admin)).data).toEqual({ unlockUser: true });

    const acting = await gql<{ impersonate: { accessToken: string; refreshToken: string | null; userId: string } }>(`mutation ($input: ImpersonateInput!) { impersonate(input: $input) { accessToken refreshToken } }`, { input: { userId: user.userId, reason: 'Ticket 4411: cannot see the quiz' } }, admin);
    expect(acting.data!.impersonate.refreshToken).toBeNull();
    const me = await gql(ME, {}, acting.data!.impersonate.accessToken);
    expect(me.data!.me).toMatchObject({ account: { userId: user.userId }, impersonatedBy: admin.userId });

    const fresh = await gql<{ login: { accessToken: string; refreshToken: string | null; userId: string } }>(LOGIN, { input: { username: user.username, password: PASSWORD } });
    const listed = await gql(`query ($id: ID!) { impersonations(userId: $id) { by reason startedAt } }`, { id: user.userId }, fresh.data!.login.accessToken);
    expect(listed.data!.impersonations).toEqual([{ by: admin.userId, reason: 'Ticket 4411: cannot see the quiz', startedAt: expect.any(String) }]);
  });

  it('keeps platform roles to platform admins', async () => {
    const user = await registerUser(t);
    const res = await gql(`mutation ($id: ID!) { grantPlatformRole(userId: $id, role: platform_admin) }`, { id: user.userId }, user);
    expect(res.data).toEqual({ grantPlatformRole: null });
    expect(res.errors[0].extensions.code).toBe('FORBIDDEN');
  });
});

describe('input and stable codes', () => {
  it('validates input types with the REST rules: VALIDATION_FAILED with details', async () => {
    const res = await gql(REGISTER, { input: { username: uniqueUsername('bad'), password: PASSWORD, displayName: 'Bad', email: 'not-an-email' } });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ register: null });
    expect(res.errors[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', status: 400, details: [{ field: 'email', message: expect.any(String) }] });
  });

  it('answers an id that is not a UUID with VALIDATION_FAILED, not a database error', async () => {
    const user = await registerUser(t);
    const res = await gql(USER, { id: 'not-a-uuid' }, user);
    expect(res.errors[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', status: 400, details: [{ field: 'id', message: 'must be a UUID' }] });
  });

  it('answers a document that does not fit the schema with 400 VALIDATION_FAILED', async () => {
    const unknownField = await gql(`{ me { account { password } } }`);
    expect(unknownField.status).toBe(400);
    expect(unknownField.data).toBeUndefined();
    expect(unknownField.errors[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    const wrongType = await gql(REGISTER, { input: { username: 42, password: PASSWORD, displayName: 'X' } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.errors[0].extensions.code).toBe('VALIDATION_FAILED');
  });

  it('refuses a duplicate username with USERNAME_TAKEN (status 409)', async () => {
    const username = uniqueUsername('dup');
    const first = await gql(REGISTER, { input: { username, password: PASSWORD, displayName: 'First' } });
    expect(first.data!.register).toEqual({ userId: expect.any(String), minor: false });
    const second = await gql(REGISTER, { input: { username: username.toUpperCase(), password: PASSWORD, displayName: 'Second' } });
    expect(second.data).toEqual({ register: null });
    expect(second.errors[0].extensions).toMatchObject({ code: 'USERNAME_TAKEN', status: 409 });
  });

  it('reports a business rule with its own code: WEAK_PASSWORD', async () => {
    const res = await gql(REGISTER, { input: { username: uniqueUsername('weak'), password: 'password123', displayName: 'Weak' } });
    expect(res.errors[0].extensions).toMatchObject({ code: 'WEAK_PASSWORD', status: 400 });
  });

  it('never sends a stack trace', async () => {
    const res = await gql(USER, { id: 'not-a-uuid' });
    for (const e of res.errors) expect(e.extensions.stacktrace).toBeUndefined();
    expect(JSON.stringify(res.errors)).not.toMatch(/\.ts:\d+|node_modules/);
  });

  it('updates the caller\'s own profile', async () => {
    const user = await registerUser(t);
    const res = await gql(`mutation ($id: ID!, $input: UpdateProfileInput!) { updateProfile(userId: $id, input: $input) }`, { id: user.userId, input: { displayName: 'Renamed', country: 'TH' } }, user);
    expect(res).toMatchObject({ data: { updateProfile: true }, errors: [] });
    expect((await gql<{ user: { displayName: string } }>(USER, { id: user.userId }, user)).data!.user.displayName).toBe('Renamed');
  });
});

describe('schools, classes, members and parent links', () => {
  const SCHOOL = `query ($id: ID!) { school(id: $id) { schoolId name code country archivedAt } }`;
  let admin: { accessToken: string };
  let schoolA: string;
  let schoolB: string;
  let adminA: { userId: string; accessToken: string };
  let classId: string;
  let learner: { userId: string; username: string; accessToken: string };

  async function createSchool(name: string) {
    const code = uniqueUsername('G').toUpperCase().replace(/[^A-Z0-9-]/g, '').slice(0, 20);
    const res = await gql<{ createSchool: { schoolId: string } }>(`mutation ($input: CreateSchoolInput!) { createSchool(input: $input) { schoolId name code country } }`, { input: { name: `  ${name}  `, code: code.toLowerCase(), country: 'th' } }, admin.accessToken);
    expect(res.errors).toEqual([]);
    // The REST DTO's transforms apply: trimmed name, capital code and country.
    expect(res.data!.createSchool).toMatchObject({ name, code, country: 'TH' });
    return res.data!.createSchool.schoolId;
  }

  beforeAll(async () => {
    admin = await login(TEST_ADMIN.username, TEST_ADMIN.password);
    schoolA = await createSchool('GraphQL School A');
    schoolB = await createSchool('GraphQL School B');
    adminA = await openAccount(admin, { schoolId: schoolA, role: 'school_admin' });
  });

  it('lets a school admin read their school and not another one (FORBIDDEN)', async () => {
    const own = await gql(SCHOOL, { id: schoolA }, adminA.accessToken);
    expect(own.data!.school).toMatchObject({ schoolId: schoolA, name: 'GraphQL School A', archivedAt: null });

    const other = await gql(SCHOOL, { id: schoolB }, adminA.accessToken);
    expect(other.data).toEqual({ school: null });
    expect(other.errors[0]).toMatchObject({ path: ['school'], extensions: { code: 'FORBIDDEN', status: 403 } });

    const listed = await gql(`{ schools { schoolId } }`, {}, adminA.accessToken);
    expect(listed.data!.schools).toEqual([{ schoolId: schoolA }]);
  });

  it('lets the school admin create a class, open a learner account in it, and list the members', async () => {
    const created = await gql<{ createClass: { classId: string } }>(`mutation ($s: ID!, $input: CreateClassInput!) { createClass(schoolId: $s, input: $input) { classId schoolId name gradeLevel } }`, { s: schoolA, input: { name: 'P4/1', gradeLevel: 'P4' } }, adminA.accessToken);
    expect(created.errors).toEqual([]);
    classId = created.data!.createClass.classId;
    expect((await gql(`query ($s: ID!) { classes(schoolId: $s) { classId name } }`, { s: schoolA }, adminA.accessToken)).data!.classes).toEqual([{ classId, name: 'P4/1' }]);

    learner = await openAccount(adminA, { schoolId: schoolA, role: 'learner', classId, consentObtainedFrom: 'parent', dateOfBirth: `${new Date().getUTCFullYear() - 10}-05-01` });
    const members = await gql(`query ($s: ID!, $c: ID) { members(schoolId: $s, role: learner, classId: $c) { userId role classId email } }`, { s: schoolA, c: classId }, adminA.accessToken);
    expect(members.data!.members).toEqual([{ userId: learner.userId, role: 'learner', classId, email: expect.any(String) }]);

    const elsewhere = await gql(`mutation ($s: ID!, $input: CreateClassInput!) { createClass(schoolId: $s, input: $input) { classId } }`, { s: schoolB, input: { name: 'X' } }, adminA.accessToken);
    expect(elsewhere.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('adds and removes a member, keeping the history in affiliations', async () => {
    const teacher = await registerUser(t);
    // An account of no school is not the school's to add: it is asked, and accepts.
    const direct = await gql(`mutation ($s: ID!, $input: AddMemberInput!) { addMember(schoolId: $s, input: $input) { membershipId } }`, { s: schoolA, input: { userId: teacher.userId, role: 'teacher', classId } }, adminA.accessToken);
    expect(direct.errors[0].extensions.code).toBe('TRANSFER_REQUIRED');
    const asked = await gql<{ requestTransfer: { transferId: string } }>(`mutation ($s: ID!, $input: RequestTransferInput!) { requestTransfer(schoolId: $s, input: $input) { transferId status fromSchoolId } }`, { s: schoolA, input: { userId: teacher.userId, role: 'teacher', classId } }, adminA.accessToken);
    expect(asked.data!.requestTransfer).toMatchObject({ status: 'requested', fromSchoolId: null });
    const waiting = await gql(`query { myTransfers { transferId toSchoolId toSchoolName role status } }`, {}, teacher);
    expect(waiting.data!.myTransfers).toEqual([{ transferId: asked.data!.requestTransfer.transferId, toSchoolId: schoolA, toSchoolName: expect.any(String), role: 'teacher', status: 'requested' }]);
    const notTheirs = await gql(`mutation ($id: ID!) { acceptTransfer(transferId: $id) { status } }`, { id: asked.data!.requestTransfer.transferId }, adminA.accessToken);
    expect(notTheirs.errors[0].extensions.code).toBe('FORBIDDEN');
    const accepted = await gql(`mutation ($id: ID!) { acceptTransfer(transferId: $id) { status decidedAs } }`, { id: asked.data!.requestTransfer.transferId }, teacher);
    expect(accepted.data!.acceptTransfer).toEqual({ status: 'accepted', decidedAs: 'self' });
    const schoolSide = await gql(`query ($s: ID!) { schoolTransfers(schoolId: $s) { userId status } }`, { s: schoolA }, adminA.accessToken);
    expect(schoolSide.data!.schoolTransfers).toEqual([{ userId: teacher.userId, status: 'accepted' }]);
    const added = await gql(`mutation ($s: ID!, $input: AddMemberInput!) { addMember(schoolId: $s, input: $input) { membershipId role classId endedAt } }`, { s: schoolA, input: { userId: teacher.userId, role: 'school_admin' } }, adminA.accessToken);
    expect(added.data!.addMember).toMatchObject({ role: 'school_admin', classId: null, endedAt: null });
    await gql(`mutation ($s: ID!, $u: ID!) { removeMember(schoolId: $s, userId: $u, input: { role: school_admin }) { endedAt } }`, { s: schoolA, u: teacher.userId }, adminA.accessToken);

    const invalid = await gql(`mutation ($s: ID!, $u: ID!) { removeMember(schoolId: $s, userId: $u, input: { reason: "" }) { endedAt } }`, { s: schoolA, u: teacher.userId }, adminA.accessToken);
    expect(invalid.errors[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'reason', message: expect.any(String) }] });
    const removed = await gql<{ removeMember: { endedAt: string | null } }>(`mutation ($s: ID!, $u: ID!) { removeMember(schoolId: $s, userId: $u, input: { reason: "left" }) { endedAt } }`, { s: schoolA, u: teacher.userId }, adminA.accessToken);
    expect(removed.data!.removeMember.endedAt).toEqual(expect.any(String));

    const history = await gql(`query ($u: ID!) { affiliations(userId: $u) { schoolId schoolName role endedAt } }`, { u: teacher.userId }, admin.accessToken);
    expect(history.data!.affiliations).toEqual([
      { schoolId: schoolA, schoolName: 'GraphQL School A', role: 'teacher', endedAt: expect.any(String) },
      { schoolId: schoolA, schoolName: 'GraphQL School A', role: 'school_admin', endedAt: expect.any(String) },
    ]);
  });

  it('links a parent on confirmation by the school admin, then takes their consent', async () => {
    const parent = await registerUser(t);
    const requested = await gql(`mutation ($input: RequestParentLinkInput!) { requestParentLink(input: $input) { linkId status childId } }`, { input: { childUsername: learner.username } }, parent);
    expect(requested.data!.requestParentLink).toEqual({ status: 'requested', childId: null, linkId: null });
    const unknown = await gql(`mutation ($input: RequestParentLinkInput!) { requestParentLink(input: $input) { linkId status childId } }`, { input: { childUsername: 'no-such-user-here' } }, parent);
    expect(unknown.data!.requestParentLink).toEqual(requested.data!.requestParentLink);
    await t.app.get(DeferredWork).settled(); // the lookup and the request happen after the answer
    const linkId = parentLinkId(parent.userId, learner.userId);

    const byParent = await gql(`mutation ($l: ID!) { confirmParentLink(linkId: $l) { status } }`, { l: linkId }, parent);
    expect(byParent.errors[0].extensions.code).toMatch(/FORBIDDEN|PARENT_CANNOT_DECIDE/);
    const confirmed = await gql(`mutation ($l: ID!) { confirmParentLink(linkId: $l) { status decidedBy } }`, { l: linkId }, adminA.accessToken);
    expect(confirmed.data!.confirmParentLink).toEqual({ status: 'confirmed', decidedBy: adminA.userId });

    const consent = await gql(`mutation ($c: ID!, $input: ParentalConsentInput!) { giveParentalConsent(childId: $c, input: $input) { parentId purposes } }`, { c: learner.userId, input: { purposes: ['platform_use'] } }, parent);
    expect(consent.data!.giveParentalConsent).toEqual({ parentId: parent.userId, purposes: ['platform_use'] });
    const links = await gql(`query ($u: ID!) { parentLinks(userId: $u) { linkId status } }`, { u: parent.userId }, parent);
    expect(links.data!.parentLinks).toEqual([{ linkId, status: 'confirmed' }]);
    const me = await gql<{ me: { account: { userId: string }; children: string[] } }>(ME, {}, parent);
    expect(me.data!.me.children).toEqual([learner.userId]);
  });

  it('lets the school admin reject a requested link', async () => {
    const stranger = await registerUser(t);
    const requested = await gql<{ requestParentLink: { linkId: string } }>(`mutation ($input: RequestParentLinkInput!) { requestParentLink(input: $input) { linkId } }`, { input: { childId: learner.userId } }, stranger);
    const rejected = await gql(`mutation ($l: ID!) { rejectParentLink(linkId: $l) { status } }`, { l: requested.data!.requestParentLink.linkId }, adminA.accessToken);
    expect(rejected.data!.rejectParentLink).toEqual({ status: 'rejected' });
  });

  it('lets the school admin rename the school, and validates its input', async () => {
    const renamed = await gql(`mutation ($s: ID!) { updateSchool(schoolId: $s, input: { name: "GraphQL School A2" }) { name } }`, { s: schoolA }, adminA.accessToken);
    expect(renamed.data!.updateSchool).toEqual({ name: 'GraphQL School A2' });
    const bad = await gql(`mutation ($s: ID!) { updateSchool(schoolId: $s, input: { code: "no spaces!" }) { name } }`, { s: schoolA }, adminA.accessToken);
    expect(bad.errors[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'code', message: expect.any(String) }] });
  });

  it('opens a staff account with a temporary password that must be changed before sign-in', async () => {
    const username = uniqueUsername('teacher');
    const opened = await gql<{ openAccount: { temporaryPassword: string } }>(OPEN_ACCOUNT, { input: { username, displayName: 'New Teacher', schoolId: schoolA, role: 'teacher' } }, adminA.accessToken);
    const temporary = opened.data!.openAccount.temporaryPassword;
    expect(temporary).toEqual(expect.any(String));
    expect((await gql(LOGIN, { input: { username, password: temporary } })).errors[0].extensions.code).toBe('PASSWORD_CHANGE_REQUIRED');
    const changed = await gql(`mutation ($input: ChangePasswordInput!) { changePassword(input: $input) }`, { input: { username, currentPassword: temporary, newPassword: PASSWORD } });
    expect(changed.data).toEqual({ changePassword: true });
    const teacher = await login(username);

    const reset = await gql<{ resetPassword: { temporaryPassword: string } }>(`mutation ($u: ID!) { resetPassword(userId: $u) { temporaryPassword } }`, { u: teacher.userId }, adminA.accessToken);
    expect(reset.data!.resetPassword.temporaryPassword).toEqual(expect.any(String));
    expect((await gql(ME, {}, teacher.accessToken)).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
