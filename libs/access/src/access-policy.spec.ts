/**
 * The access policy against real PostgreSQL: given the read models it reads
 * (accounts, memberships, parent links, courses, their staff and enrolments),
 * when a caller asks for a permission or a standing, then the answer follows
 * the ranked authority and the tenant rules at the top of access-policy.ts.
 */
import { randomUUID } from 'node:crypto';
import { TestClock } from '@learnstream/domain';
import { createMigratedDatabase, type TestDatabase } from '../../../test/support/test-database';
import type { DataSource } from 'typeorm';
import { AccessPolicy, rankOf, type Permission } from './access-policy';
import type { Actor, PlatformRole, SchoolRole } from './actor';

let db: TestDatabase & { dataSource: DataSource };
let policy: AccessPolicy;
const clock = new TestClock('2026-06-01T00:00:00.000Z');
const AGE_OF_MAJORITY = 18;

beforeAll(async () => {
  db = await createMigratedDatabase();
  policy = new AccessPolicy(db.dataSource, AGE_OF_MAJORITY, clock);
}, 120_000);

afterAll(() => db.drop());

// ---- given: rows of the read models, as the projections write them ----

const at = '2026-01-01T00:00:00.000Z';

async function account(roles: PlatformRole[] = [], dateOfBirth: string | null = null): Promise<string> {
  const userId = randomUUID();
  await db.dataSource.query(
    `INSERT INTO accounts (user_id, username, platform_roles, date_of_birth, origin, created_at, updated_at) VALUES ($1, $2, $3, $4, 'staff', $5, $5)`,
    [userId, `u-${userId.slice(0, 8)}`, roles, dateOfBirth, at],
  );
  return userId;
}

async function member(userId: string, schoolId: string, role: SchoolRole, classId: string | null = null, ended = false): Promise<void> {
  await db.dataSource.query(
    `INSERT INTO school_memberships (membership_id, school_id, user_id, role, class_id, started_at, ended_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [randomUUID(), schoolId, userId, role, classId, at, ended ? at : null],
  );
}

async function parentOf(parentId: string, childId: string, status: 'confirmed' | 'requested' = 'confirmed'): Promise<void> {
  await db.dataSource.query(
    `INSERT INTO parent_links (link_id, parent_id, child_id, status, requested_by, requested_at, decided_by, decided_at) VALUES ($1, $2, $3, $4, $2, $5, $3, $5)`,
    [randomUUID(), parentId, childId, status, at],
  );
}

async function course(schoolId: string | null, staff: [string, 'teacher' | 'non_editing_teacher'][] = [], learners: [string, 'active' | 'unenrolled'][] = []): Promise<string> {
  const courseId = randomUUID();
  await db.dataSource.query(`INSERT INTO courses (course_id, school_id, code, title, subject, created_at, updated_at) VALUES ($1, $2, 'C-1', 'Course', 'maths', $3, $3)`, [courseId, schoolId, at]);
  for (const [userId, role] of staff) {
    await db.dataSource.query(`INSERT INTO course_staff (course_id, user_id, school_id, role, assigned_at) VALUES ($1, $2, $3, $4, $5)`, [courseId, userId, schoolId, role, at]);
  }
  for (const [learnerId, status] of learners) {
    await db.dataSource.query(`INSERT INTO course_enrolments (course_id, learner_id, school_id, status, method, enrolled_at) VALUES ($1, $2, $3, $4, 'manual', $5)`, [
      courseId,
      learnerId,
      schoolId,
      status,
      at,
    ]);
  }
  return courseId;
}

/** A fresh actor object each time: the policy caches facts per actor (one request). */
const as = (userId: string, realActorId: string | null = null): Actor => ({ userId, realActorId, sessionId: randomUUID(), platformRoles: [], request: null });
const can = (userId: string, permission: Permission) => policy.can(as(userId), permission);

/** A school with an admin, a teacher of class A and a learner in class A. */
async function school() {
  const schoolId = randomUUID();
  const classA = randomUUID();
  const [admin, teacher, learner] = [await account(), await account(), await account()];
  await member(admin, schoolId, 'school_admin');
  await member(teacher, schoolId, 'teacher', classA);
  await member(learner, schoolId, 'learner', classA);
  return { schoolId, classA, admin, teacher, learner };
}

describe('ranked authority', () => {
  it('ranks platform admins 3, DPOs 2 and everyone else 1', () => {
    expect([rankOf({ platformRoles: ['platform_admin'] }), rankOf({ platformRoles: ['dpo'] }), rankOf({ platformRoles: [] })]).toEqual([3, 2, 1]);
  });

  it('gives a platform admin standing over a DPO and a learner, and a DPO none over a platform admin', async () => {
    const [admin, dpo] = [await account(['platform_admin']), await account(['dpo'])];
    const { learner } = await school();
    expect(await policy.standingOver(as(admin), dpo)).toBe('platform_admin');
    expect(await policy.standingOver(as(admin), learner)).toBe('platform_admin');
    expect(await policy.standingOver(as(dpo), learner)).toBe('dpo');
    expect(await policy.standingOver(as(dpo), admin)).toBeNull();
  });

  it('gives no standing over oneself, over an unknown account, or under impersonation', async () => {
    const admin = await account(['platform_admin']);
    const { learner } = await school();
    expect(await policy.standingOver(as(admin), admin)).toBeNull();
    expect(await policy.standingOver(as(admin), randomUUID())).toBeNull();
    expect(await policy.standingOver(as(learner, admin), randomUUID())).toBeNull();
  });

  it('never lets a school admin manage a platform account, even one that is a member of their school', async () => {
    const s = await school();
    const dpo = await account(['dpo']);
    await member(dpo, s.schoolId, 'teacher');
    expect(await policy.standingOver(as(s.admin), dpo)).toBeNull();
    expect(await can(s.admin, { action: 'user.manage', userId: dpo })).toBe(false);
    expect(await can(s.admin, { action: 'user.read', userId: dpo })).toBe(false);
  });

  it('lets only a platform admin impersonate, and never a platform account', async () => {
    const [admin, dpo] = [await account(['platform_admin']), await account(['dpo'])];
    const s = await school();
    expect(await can(admin, { action: 'user.impersonate', userId: s.learner })).toBe(true);
    expect(await can(admin, { action: 'user.impersonate', userId: dpo })).toBe(false);
    expect(await can(s.admin, { action: 'user.impersonate', userId: s.learner })).toBe(false);
    expect(await policy.can(as(s.learner, admin), { action: 'user.impersonate', userId: s.teacher })).toBe(false);
  });
});

describe('tenants', () => {
  it('gives a school admin standing over an account wholly in their school, and none over one also in another school', async () => {
    const s = await school();
    const both = await account();
    await member(both, s.schoolId, 'learner');
    await member(both, randomUUID(), 'learner');
    expect(await policy.standingOver(as(s.admin), s.learner)).toBe('school_admin');
    expect(await policy.standingOver(as(s.admin), both)).toBeNull();
    expect(await can(s.admin, { action: 'user.manage', userId: s.learner })).toBe(true);
    expect(await can(s.admin, { action: 'user.manage', userId: both })).toBe(false);
  });

  it('counts only active memberships: an ended one in another school does not take the account out of the admin’s reach', async () => {
    const s = await school();
    const moved = await account();
    await member(moved, randomUUID(), 'learner', null, true);
    await member(moved, s.schoolId, 'learner');
    expect(await policy.standingOver(as(s.admin), moved)).toBe('school_admin');
  });

  it('manages a school only as its admin or a platform admin', async () => {
    const [s, other] = [await school(), await school()];
    const admin = await account(['platform_admin']);
    expect(await can(s.admin, { action: 'school.manage', schoolId: s.schoolId })).toBe(true);
    expect(await can(s.admin, { action: 'school.manage', schoolId: other.schoolId })).toBe(false);
    expect(await can(s.teacher, { action: 'school.manage', schoolId: s.schoolId })).toBe(false);
    expect(await can(admin, { action: 'school.manage', schoolId: other.schoolId })).toBe(true);
  });

  it('scopes a parent’s reads to their own account, their children and their children’s schools', async () => {
    const s = await school();
    const parent = await account();
    await parentOf(parent, s.learner);
    const scope = await policy.scopeOf(as(parent));
    expect(scope).toEqual({ all: false, schoolIds: [s.schoolId], userIds: [parent, s.learner] });
    const dpo = await account(['dpo']);
    expect((await policy.scopeOf(as(dpo))).all).toBe(true);
  });

  it('lets a teacher read the learners of their class, not another class’s', async () => {
    const s = await school();
    const elsewhere = await account();
    await member(elsewhere, s.schoolId, 'learner', randomUUID());
    expect(await can(s.teacher, { action: 'user.read', userId: s.learner })).toBe(true);
    expect(await can(s.teacher, { action: 'user.read', userId: elsewhere })).toBe(false);
  });
});

describe('roles', () => {
  it('opens school admin and teacher accounts as a school admin; learner accounts as a teacher too', async () => {
    const s = await school();
    const open = (userId: string, role: SchoolRole) => can(userId, { action: 'account.open', schoolId: s.schoolId, role });
    expect([await open(s.admin, 'school_admin'), await open(s.admin, 'teacher'), await open(s.admin, 'learner')]).toEqual([true, true, true]);
    expect([await open(s.teacher, 'school_admin'), await open(s.teacher, 'teacher'), await open(s.teacher, 'learner')]).toEqual([false, false, true]);
    expect([await open(s.learner, 'school_admin'), await open(s.learner, 'teacher'), await open(s.learner, 'learner')]).toEqual([false, false, false]);
  });

  it('lets a course’s teacher edit it, a non-editing teacher only teach it, and an enrolled learner only participate', async () => {
    const s = await school();
    const assistant = await account();
    await member(assistant, s.schoolId, 'teacher');
    const courseId = await course(s.schoolId, [[s.teacher, 'teacher'], [assistant, 'non_editing_teacher']], [[s.learner, 'active']]);
    const actions = ['course.edit', 'course.teach', 'course.participate'] as const;
    const answers = async (userId: string) => Promise.all(actions.map((action) => can(userId, { action, courseId })));
    expect(await answers(s.teacher)).toEqual([true, true, false]);
    expect(await answers(assistant)).toEqual([false, true, false]);
    expect(await answers(s.learner)).toEqual([false, false, true]);
    expect(await answers(s.admin)).toEqual([true, true, false]);
  });

  it('counts course staff only while they are staff of the course’s school: a teacher who left it, or a learner there, neither teaches nor edits', async () => {
    const s = await school();
    const [left, demoted, anyone] = [await account(), await account(), await account()];
    await member(left, s.schoolId, 'teacher', null, true);
    await member(demoted, s.schoolId, 'learner');
    const courseId = await course(s.schoolId, [[s.teacher, 'teacher'], [left, 'teacher'], [demoted, 'teacher']], [[s.learner, 'active']]);
    for (const userId of [left, demoted]) {
      expect(await Promise.all((['course.edit', 'course.teach', 'course.enrol'] as const).map((action) => can(userId, { action, courseId })))).toEqual([false, false, false]);
      expect(await can(userId, { action: 'course.learner', courseId, learnerId: s.learner })).toBe(false);
      expect(await can(userId, { action: 'user.read', userId: s.learner })).toBe(false);
    }
    expect((await policy.course(courseId)).staff).toEqual([{ userId: s.teacher, role: 'teacher' }]);
    // A platform-wide course belongs to no school: its staff are whoever was assigned.
    const platformCourse = await course(null, [[anyone, 'teacher']]);
    expect(await can(anyone, { action: 'course.edit', courseId: platformCourse })).toBe(true);
  });

  it('counts an active enrolment only while the learner is a learner of the course’s school: one who left it no longer participates', async () => {
    const s = await school();
    const left = await account();
    await member(left, s.schoolId, 'learner', null, true);
    const courseId = await course(s.schoolId, [[s.teacher, 'teacher']], [[s.learner, 'active'], [left, 'active']]);
    expect([await can(s.learner, { action: 'course.participate', courseId }), await can(left, { action: 'course.participate', courseId })]).toEqual([true, false]);
    // What staff do about the learner's work in the course (a grade) still sees the enrolment.
    expect([await policy.isEnrolled(courseId, left), await policy.isEnrolled(courseId, left, { evenIfLeftSchool: true })]).toEqual([false, true]);
    expect(await policy.enrolledAmong([{ courseId, learnerId: s.learner }, { courseId, learnerId: left }])).toEqual(new Set([`${courseId}|${s.learner}`]));
    // A platform-wide course belongs to no school: any enrolled account takes part.
    const platformCourse = await course(null, [], [[left, 'active']]);
    expect(await can(left, { action: 'course.participate', courseId: platformCourse })).toBe(true);
  });

  /** Runs `check` with every statement that reaches the database recorded in `sent` (each runs as it is). */
  async function recordingStatements(check: (sent: string[]) => Promise<void>): Promise<void> {
    const sent: string[] = [];
    const original = db.dataSource.query.bind(db.dataSource) as (sql: string, params?: unknown[]) => Promise<unknown>;
    db.dataSource.query = ((sql: string, params?: unknown[]) => {
      sent.push(sql);
      return original(sql, params);
    }) as DataSource['query'];
    try {
      await check(sent);
    } finally {
      db.dataSource.query = original as DataSource['query'];
    }
  }

  it('decides course.participate on the enrolment alone, in one statement', async () => {
    const s = await school();
    const courseId = await course(s.schoolId, [[s.teacher, 'teacher']], [[s.learner, 'active']]);
    await recordingStatements(async (sent) => {
      expect(await can(s.learner, { action: 'course.participate', courseId })).toBe(true);
      expect(await can(s.teacher, { action: 'course.participate', courseId })).toBe(false);
      expect(sent).toHaveLength(2);
      expect(sent.every((sql) => sql.includes('FROM course_enrolments'))).toBe(true);
    });
  });

  it('decides course.teach on the caller’s facts and the course’s read in one statement, and keeps the caller’s for the request', async () => {
    const s = await school();
    const assistant = await account();
    await member(assistant, s.schoolId, 'teacher');
    const archived = await course(s.schoolId, [[s.teacher, 'teacher'], [assistant, 'non_editing_teacher']]);
    await db.dataSource.query('UPDATE courses SET archived_at = $2 WHERE course_id = $1', [archived, at]);
    await recordingStatements(async (sent) => {
      const teacher = as(s.teacher);
      expect(await policy.can(teacher, { action: 'course.teach', courseId: archived })).toBe(true);
      expect(sent).toHaveLength(1);
      expect(await policy.can(teacher, { action: 'course.edit', courseId: archived })).toBe(true);
      expect(await policy.factsOf(teacher)).toMatchObject({ exists: true, memberships: [{ schoolId: s.schoolId, role: 'teacher', classId: s.classA }] });
      // The second decision read the course alone; the caller's facts were kept.
      expect(sent).toHaveLength(2);
      expect(sent[1]).not.toContain('accounts');
      expect([await can(assistant, { action: 'course.teach', courseId: archived }), await can(assistant, { action: 'course.edit', courseId: archived })]).toEqual([true, false]);
      expect(await can(s.learner, { action: 'course.teach', courseId: archived })).toBe(false);
      expect(await can(s.admin, { action: 'course.edit', courseId: archived })).toBe(true);
      expect(await can(s.admin, { action: 'course.teach', courseId: randomUUID() })).toBe(false);
    });
    expect(await policy.course(archived)).toEqual({
      courseId: archived,
      exists: true,
      schoolId: s.schoolId,
      archived: true,
      createdAt: new Date(at),
      staff: expect.arrayContaining([{ userId: s.teacher, role: 'teacher' }, { userId: assistant, role: 'non_editing_teacher' }]),
    });
    const unknown = randomUUID();
    expect(await policy.course(unknown)).toEqual({ courseId: unknown, exists: false, schoolId: null, archived: false, createdAt: null, staff: [] });
  });

  it('shows a learner’s course records to the learner, their parent and the course’s teacher, after they left too; not to a stranger', async () => {
    const s = await school();
    const [parent, stranger] = [await account(), await account()];
    await parentOf(parent, s.learner);
    const courseId = await course(s.schoolId, [[s.teacher, 'teacher']], [[s.learner, 'unenrolled']]);
    const sees = (userId: string) => can(userId, { action: 'course.learner', courseId, learnerId: s.learner });
    expect([await sees(s.learner), await sees(parent), await sees(s.teacher), await sees(stranger)]).toEqual([true, true, true, false]);
  });

  it('gives a parent standing over their minor child only: an adult child decides for themself', async () => {
    const s = await school();
    const parent = await account();
    const today = clock.today();
    const minor = await account([], `${Number(today.slice(0, 4)) - AGE_OF_MAJORITY + 1}${today.slice(4)}`);
    const adult = await account([], `${Number(today.slice(0, 4)) - AGE_OF_MAJORITY}${today.slice(4)}`);
    for (const child of [minor, adult]) {
      await member(child, s.schoolId, 'learner');
      await parentOf(parent, child);
    }
    expect(await policy.standingOver(as(parent), minor)).toBe('parent');
    expect(await policy.standingOver(as(parent), adult)).toBeNull();
    expect(await can(adult, { action: 'transfer.decide', userId: adult })).toBe(true);
    expect(await can(minor, { action: 'transfer.decide', userId: minor })).toBe(false);
    expect(await can(parent, { action: 'transfer.decide', userId: minor })).toBe(true);
  });

  it('counts a child as an adult from the day the clock reaches their birthday of majority', async () => {
    const later = new TestClock('2030-03-15T00:00:00.000Z');
    const atThatTime = new AccessPolicy(db.dataSource, AGE_OF_MAJORITY, later);
    const child = await account([], `${2030 - AGE_OF_MAJORITY}-03-16`);
    const facts = await atThatTime.person(child);
    expect(atThatTime.isAdult(facts)).toBe(false);
    later.advance(24 * 3600 * 1000);
    expect(atThatTime.isAdult(facts)).toBe(true);
  });

  it('does not count a requested parent link: only a confirmed one gives a parent anything', async () => {
    const s = await school();
    const parent = await account();
    await parentOf(parent, s.learner, 'requested');
    expect(await policy.standingOver(as(parent), s.learner)).toBeNull();
    expect(await can(parent, { action: 'user.read', userId: s.learner })).toBe(false);
    expect(await can(parent, { action: 'parentalConsent.give', childId: s.learner })).toBe(false);
  });

  it('reserves operations to platform admins and the privacy officer’s work to DPOs', async () => {
    const [admin, dpo] = [await account(['platform_admin']), await account(['dpo'])];
    expect([await can(admin, { action: 'ops' }), await can(dpo, { action: 'ops' })]).toEqual([true, false]);
    expect([await can(admin, { action: 'privacy.officer' }), await can(dpo, { action: 'privacy.officer' })]).toEqual([false, true]);
  });
});
