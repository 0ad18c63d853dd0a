/**
 * The one authorization policy (DESIGN.md, need to know). Every command and
 * query asks it; nothing else decides who may see or do what.
 *
 *   learner       themself
 *   parent        their confirmed children
 *   teacher       the learners of the classes they teach (and, with courses,
 *                 of the courses they teach, within those courses); the
 *                 school's learner directory without contact data, to enrol them
 *   school admin  their own school: its classes, staff, learners, parent links
 *   platform admin  schools and accounts (open, lock, reset, roles); never a
 *                 learner's records (reports are aggregates; personal data
 *                 only by audited impersonation)
 *   DPO           accounts, to handle privacy requests, and the access audit
 *
 * Authority is ranked and bounded by tenancy (standingOver): nobody acts on an
 * account of a higher rank (platform admin 3 > DPO 2 > everyone else 1), and a
 * school admin acts only on accounts that are wholly their school's (every
 * active membership in a school they administer, no platform role), whatever
 * other memberships, links or requests say. Lock, unlock, password reset,
 * profile changes, cancellation and privacy requests on someone's behalf all
 * go through it.
 *
 * Row-level security (TenantDb) is the second, independent line: whatever
 * this policy allows, a query only ever sees the schools of the caller's scope.
 */
import { Inject, Injectable } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DomainError, systemClock, type Clock } from '@learnstream/domain';
import { query, queryOne } from '@learnstream/database';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor, PlatformRole, SchoolRole } from './actor';
import type { TenantScope } from './tenant-db';

export interface Membership {
  schoolId: string;
  role: SchoolRole;
  classId: string | null;
}

/** What the policy knows about a course: its tenant, staff and active learners. */
export interface CourseFacts {
  courseId: string;
  exists: boolean;
  schoolId: string | null;
  archived: boolean;
  /** When the course was created (its CourseCreated's occurredAt); null when it does not exist. */
  createdAt: Date | null;
  /** The course's staff who still stand (STAFF_STANDS): on a school's course, those still staff of its school. */
  staff: { userId: string; role: 'teacher' | 'non_editing_teacher' }[];
}

/** What the policy knows about a person: read from the read models, as the system. */
export interface PersonFacts {
  userId: string;
  exists: boolean;
  platformRoles: PlatformRole[];
  memberships: Membership[];
  /** Confirmed children (for a parent). */
  children: string[];
  dateOfBirth: string | null;
}

export type Permission =
  | { action: 'user.read'; userId: string }
  | { action: 'user.directory'; schoolId: string }
  | { action: 'user.update'; userId: string }
  | { action: 'user.manage'; userId: string } // reset password, lock, unlock
  | { action: 'user.roles' }
  | { action: 'user.impersonate'; userId: string }
  | { action: 'school.create' }
  | { action: 'school.read'; schoolId: string }
  | { action: 'school.manage'; schoolId: string }
  | { action: 'school.admins'; schoolId: string }
  /** Record history: set occurredAt on writes, bulk uploads (historic-time.ts). */
  | { action: 'school.import'; schoolId: string | null }
  | { action: 'account.open'; schoolId: string; role: SchoolRole }
  | { action: 'parentLink.request'; parentId: string; childId: string }
  | { action: 'parentLink.decide'; childId: string }
  | { action: 'parentalConsent.give'; childId: string }
  /** Ask an existing account to join a school (a transfer): whoever may open such an account there. */
  | { action: 'transfer.request'; schoolId: string; role: SchoolRole }
  /** Accept or decline a transfer of `userId`: the adult person, a confirmed parent of a minor, the platform admin. */
  | { action: 'transfer.decide'; userId: string }
  | { action: 'course.create'; schoolId: string | null }
  | { action: 'course.read'; courseId: string }
  | { action: 'course.edit'; courseId: string }
  | { action: 'course.teach'; courseId: string }
  | { action: 'course.enrol'; courseId: string }
  | { action: 'course.participate'; courseId: string }
  | { action: 'course.learner'; courseId: string; learnerId: string }
  | { action: 'ops' }
  | { action: 'privacy.officer' };

/** A learner's last enrolment in a course, in epoch milliseconds (unenrolledAt null: still enrolled). */
export interface EnrolmentSpan {
  enrolledAt: number;
  unenrolledAt: number | null;
}

/** Whether the enrolment covers `at` (ISO-8601): from its start to its end, both included. */
export const wasEnrolledAt = (span: EnrolmentSpan | undefined, at: string): boolean => {
  const t = Date.parse(at);
  return span !== undefined && span.enrolledAt <= t && (span.unenrolledAt === null || t <= span.unenrolledAt);
};

const has = (f: PersonFacts, role: PlatformRole) => f.platformRoles.includes(role);

/**
 * How the caller stands to act on someone else's account (null: not at all):
 *   platform_admin / dpo  a platform role, on an account of equal or lower rank
 *   parent                a confirmed parent of a minor child
 *   school_admin          an admin of every school the account belongs to
 */
export type Standing = 'platform_admin' | 'dpo' | 'parent' | 'school_admin';

/** The columns of AccessPolicy.person's query. */
interface PersonRow {
  exists: boolean;
  platform_roles: PlatformRole[] | null;
  dob: string | null;
  memberships: Membership[];
  children: string[];
}

/** A person's account flags, active memberships and confirmed children ($1: the person), one row. */
const FACTS_SQL = `SELECT a.user_id IS NOT NULL AS exists, a.platform_roles, to_char(a.date_of_birth, 'YYYY-MM-DD') AS dob,
    coalesce((SELECT json_agg(json_build_object('schoolId', m.school_id, 'role', m.role, 'classId', m.class_id))
              FROM school_memberships m WHERE m.user_id = $1 AND m.ended_at IS NULL), '[]') AS memberships,
    coalesce((SELECT array_agg(l.child_id) FROM parent_links l WHERE l.parent_id = $1 AND l.status = 'confirmed'), '{}') AS children
  FROM (SELECT $1::uuid AS id) who LEFT JOIN accounts a ON a.user_id = who.id`;

/**
 * Whether course_staff row `s` of course `c` still stands: on a school's course, only while the person is staff of that
 * school (an active teacher or school-admin membership). A teacher who left the school, or was made a learner there,
 * keeps the row (the course's history, LAST_TEACHER) but no longer teaches the course.
 */
const STAFF_STANDS = `(c.school_id IS NULL OR EXISTS (SELECT 1 FROM school_memberships m
    WHERE m.user_id = s.user_id AND m.school_id = c.school_id AND m.ended_at IS NULL AND m.role IN ('teacher', 'school_admin')))`;

/**
 * Whether active enrolment `e` in course `c` still makes its learner a participant: on a school's course, only while
 * they are a learner of that school. A learner who moved to another school (or left it) keeps the enrolment row (the
 * course's history, their teachers' reports) but no longer takes part in the course.
 */
const LEARNER_STANDS = `(c.school_id IS NULL OR EXISTS (SELECT 1 FROM school_memberships m
    WHERE m.user_id = e.learner_id AND m.school_id = c.school_id AND m.ended_at IS NULL AND m.role = 'learner'))`;

/** A course's tenant, state, creation time (epoch ms) and staff ($1: the course), as one JSON value (null: no such course). */
const COURSE_SQL = `SELECT json_build_object('schoolId', c.school_id, 'archived', c.archived_at IS NOT NULL, 'createdAt', floor(extract(epoch FROM c.created_at) * 1000)::float8,
    'staff', coalesce((SELECT json_agg(json_build_object('userId', s.user_id, 'role', s.role)) FROM course_staff s WHERE s.course_id = c.course_id AND ${STAFF_STANDS}), '[]'))
  FROM courses c WHERE c.course_id = $1`;

interface CourseJson {
  schoolId: string | null;
  archived: boolean;
  createdAt: number;
  staff: CourseFacts['staff'];
}

/** What `can` holds for a permission that names no course (never read). */
const NO_COURSE: CourseFacts = { courseId: '', exists: false, schoolId: null, archived: false, createdAt: null, staff: [] };

function courseFactsOf(courseId: string, course: CourseJson | null): CourseFacts {
  return { courseId, exists: course !== null, schoolId: course?.schoolId ?? null, archived: course?.archived ?? false, createdAt: course ? new Date(course.createdAt) : null, staff: course?.staff ?? [] };
}

function factsOf(userId: string, row: PersonRow): PersonFacts {
  return { userId, exists: row.exists, platformRoles: row.platform_roles ?? [], memberships: row.memberships, children: row.children, dateOfBirth: row.dob };
}

/** Platform admin 3, DPO 2, every other account 1. */
export function rankOf(f: Pick<PersonFacts, 'platformRoles'>): number {
  return f.platformRoles.includes('platform_admin') ? 3 : f.platformRoles.includes('dpo') ? 2 : 1;
}

/** What a refusal says, for people: what the caller may not do. */
const REFUSALS: Record<Permission['action'], string> = {
  'user.read': 'you may not see this person\'s account',
  'user.directory': 'you may not see this school\'s people',
  'user.update': 'you may not change this person\'s profile',
  'user.manage': 'you may not manage this person\'s account',
  'user.roles': 'only platform admins may grant or revoke platform roles',
  'user.impersonate': 'you may not act as this person',
  'school.create': 'only platform admins may create schools',
  'school.read': 'you may not see this school',
  'school.manage': 'you may not manage this school',
  'school.admins': 'you may not appoint this school\'s admins',
  'school.import': 'you may not import into this school',
  'account.open': 'you may not open this kind of account in this school',
  'parentLink.request': 'you may not ask for this parent link',
  'parentLink.decide': 'you may not decide on this child\'s parent links',
  'parentalConsent.give': 'only a confirmed parent may consent for this child',
  'transfer.request': 'you may not ask people to join this school in this role',
  'transfer.decide': 'you may not decide on this transfer',
  'course.create': 'you may not create a course here',
  'course.read': 'you may not see this course',
  'course.edit': 'you may not edit this course',
  'course.teach': 'you may not teach this course',
  'course.enrol': 'you may not enrol learners in this course',
  'course.participate': 'you are not enrolled in this course',
  'course.learner': 'you may not see this learner\'s records in this course',
  ops: 'the operations API is for platform admins',
  'privacy.officer': 'only the data protection officer may do this',
};

export class ForbiddenError extends DomainError {
  constructor(message = 'you may not do this') {
    super('forbidden', 'FORBIDDEN', message);
  }
}

@Injectable()
export class AccessPolicy {
  private readonly cache = new WeakMap<Actor, Promise<PersonFacts>>();
  private readonly scopes = new WeakMap<Actor, Promise<TenantScope>>();

  constructor(
    @Inject(getDataSourceToken()) private readonly db: DataSource,
    readonly ageOfMajority: number = 18,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The caller's facts, read once per request (the actor object lives for one request). */
  factsOf(actor: Actor): Promise<PersonFacts> {
    let facts = this.cache.get(actor);
    if (!facts) {
      facts = this.person(actor.userId);
      this.cache.set(actor, facts);
    }
    return facts;
  }

  /** A person's account flags, active memberships and confirmed children, in one statement. */
  async person(userId: string): Promise<PersonFacts> {
    const row = (await queryOne<PersonRow>(this.db, `SELECT * FROM (${FACTS_SQL}) f`, [userId]))!;
    return factsOf(userId, row);
  }

  /**
   * Reads on behalf of the caller under row-level security in one transaction
   * of few statements: the caller's facts, the tenant scope they give (their
   * schools and their children's) and the switch to the reader role are read
   * and set in ONE statement, then `work` runs in the scope; the facts and the
   * scope are kept for the rest of the request (factsOf, scopeOf).
   */
  async readAs<T>(actor: Actor, work: (db: EntityManager, me: PersonFacts) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      const row = (await queryOne<PersonRow & { scope_all: boolean; school_ids: string[] }>(
        tx,
        `SELECT f.*, s.scope_all, s.school_ids,
           set_config('learnstream.scope_all', CASE WHEN s.scope_all THEN 'on' ELSE 'off' END, true),
           set_config('learnstream.school_ids', s.school_ids::text, true),
           set_config('learnstream.user_ids', array_prepend($1::uuid, f.children)::text, true),
           set_config('role', 'learnstream_reader', true)
         FROM (${FACTS_SQL}) f,
         LATERAL (SELECT coalesce(f.platform_roles && ARRAY['platform_admin', 'dpo']::text[], false) AS scope_all,
                   ARRAY(SELECT (j->>'schoolId')::uuid FROM json_array_elements(f.memberships) j
                         UNION SELECT m.school_id FROM school_memberships m WHERE m.user_id = ANY (f.children) AND m.ended_at IS NULL) AS school_ids) s`,
        [actor.userId],
      ))!;
      const me = factsOf(actor.userId, row);
      this.cache.set(actor, Promise.resolve(me));
      this.scopes.set(actor, Promise.resolve({ all: row.scope_all, schoolIds: row.school_ids, userIds: [actor.userId, ...me.children] }));
      return work(tx, me);
    });
  }

  /** A course's tenant, state and staff, in one statement. */
  async course(courseId: string): Promise<CourseFacts> {
    const row = await queryOne<{ course: CourseJson }>(this.db, `SELECT (${COURSE_SQL}) AS course`, [courseId]);
    return courseFactsOf(courseId, row?.course ?? null);
  }

  /**
   * The caller's facts and a course's, for a decision about the course: in one statement when the caller's facts are
   * not read yet in this request (they are kept for the rest of it, as factsOf), else the course's alone.
   */
  private async meAndCourse(actor: Actor, courseId: string): Promise<{ me: PersonFacts; course: CourseFacts }> {
    const cached = this.cache.get(actor);
    if (cached) return { me: await cached, course: await this.course(courseId) };
    const read = queryOne<PersonRow & { course: CourseJson | null }>(this.db, `SELECT f.*, (${COURSE_SQL.replaceAll('$1', '$2')}) AS course FROM (${FACTS_SQL}) f`, [
      actor.userId,
      courseId,
    ]).then((row) => ({ me: factsOf(actor.userId, row!), course: courseFactsOf(courseId, row!.course) }));
    const me = read.then((r) => r.me);
    me.catch(() => undefined); // the caller gets the failure through `read`
    this.cache.set(actor, me);
    return read;
  }

  /** Enrolled now or before: teachers keep seeing the records of learners who left their course. */
  async everEnrolled(courseId: string, learnerId: string): Promise<boolean> {
    return (await query(this.db, 'SELECT 1 FROM course_enrolments WHERE course_id = $1 AND learner_id = $2', [courseId, learnerId])).length > 0;
  }

  /** Of `userIds`, those who are learners of the school now (null: anyone with an account): who a bulk upload may enrol. */
  async learnersOf(schoolId: string | null, userIds: string[]): Promise<Set<string>> {
    const rows = schoolId === null
      ? await query<{ user_id: string }>(this.db, 'SELECT user_id FROM accounts WHERE user_id = ANY ($1::uuid[])', [userIds])
      : await query<{ user_id: string }>(this.db, `SELECT DISTINCT user_id FROM school_memberships WHERE school_id = $1 AND role = 'learner' AND ended_at IS NULL AND user_id = ANY ($2::uuid[])`, [schoolId, userIds]);
    return new Set(rows.map((r) => r.user_id));
  }

  /** Of `userIds`, those with an active membership (any role) of the school: whom a bulk upload finds already there. */
  async membersOf(schoolId: string, userIds: string[]): Promise<Set<string>> {
    if (!userIds.length) return new Set();
    const rows = await query<{ user_id: string }>(this.db, 'SELECT DISTINCT user_id FROM school_memberships WHERE school_id = $1 AND ended_at IS NULL AND user_id = ANY ($2::uuid[])', [schoolId, userIds]);
    return new Set(rows.map((r) => r.user_id));
  }

  /** Of `learnerIds`, those with an enrolment row in the course (current or ended): whose streams a bulk write must read first. */
  async enrolmentRowsOf(courseId: string, learnerIds: string[]): Promise<Set<string>> {
    const rows = await query<{ learner_id: string }>(this.db, 'SELECT learner_id FROM course_enrolments WHERE course_id = $1 AND learner_id = ANY ($2::uuid[])', [courseId, learnerIds]);
    return new Set(rows.map((r) => r.learner_id));
  }

  /** The last enrolment of each of `learnerIds` in the course (bulk writes check `wasEnrolledAt` on it in memory). */
  async enrolmentsOf(courseId: string, learnerIds: string[]): Promise<Map<string, EnrolmentSpan>> {
    const rows = await query<{ learner_id: string; enrolled_at: Date; unenrolled_at: Date | null }>(
      this.db,
      'SELECT learner_id, enrolled_at, unenrolled_at FROM course_enrolments WHERE course_id = $1 AND learner_id = ANY ($2::uuid[])',
      [courseId, learnerIds],
    );
    return new Map(rows.map((r) => [r.learner_id, { enrolledAt: new Date(r.enrolled_at).getTime(), unenrolledAt: r.unenrolled_at ? new Date(r.unenrolled_at).getTime() : null }]));
  }

  /**
   * Enrolled at `at` (the last enrolment: from its start to its end, if it
   * ended): a result of a learner who has since left counts for the time they were in.
   */
  async enrolledAt(courseId: string, learnerId: string, at: string): Promise<boolean> {
    const rows = await query<{ found: number }>(
      this.db,
      `SELECT 1 AS found FROM course_enrolments WHERE course_id = $1 AND learner_id = $2 AND enrolled_at <= $3 AND (unenrolled_at IS NULL OR unenrolled_at >= $3)`,
      [courseId, learnerId, at],
    );
    return rows.length > 0;
  }

  /**
   * Enrolled now, and still a learner of the course's school (LEARNER_STANDS): whether they may take part.
   * `{ evenIfLeftSchool: true }`: the enrolment alone, for what staff do about a learner's work in the course (a grade
   * for a learner who moved to another school mid-term is still the course's to record).
   */
  async isEnrolled(courseId: string, learnerId: string, options: { evenIfLeftSchool?: boolean } = {}): Promise<boolean> {
    const rows = await query(
      this.db,
      `SELECT 1 FROM course_enrolments e JOIN courses c USING (course_id) WHERE e.course_id = $1 AND e.learner_id = $2 AND e.status = 'active'${options.evenIfLeftSchool ? '' : ` AND ${LEARNER_STANDS}`}`,
      [courseId, learnerId],
    );
    return rows.length > 0;
  }

  /** isEnrolled of many (course, learner) pairs in one statement: the pairs enrolled now, as `courseId|learnerId` (lower case). */
  async enrolledAmong(pairs: readonly { courseId: string; learnerId: string }[]): Promise<Set<string>> {
    if (!pairs.length) return new Set();
    const rows = await query<{ course_id: string; learner_id: string }>(
      this.db,
      `SELECT e.course_id, e.learner_id FROM unnest($1::uuid[], $2::uuid[]) AS p(course_id, learner_id)
         JOIN course_enrolments e ON e.course_id = p.course_id AND e.learner_id = p.learner_id JOIN courses c ON c.course_id = e.course_id
       WHERE e.status = 'active' AND ${LEARNER_STANDS}`,
      [pairs.map((p) => p.courseId), pairs.map((p) => p.learnerId)],
    );
    return new Set(rows.map((r) => `${r.course_id}|${r.learner_id}`));
  }

  /** The tenant scope of the caller's reads (row-level security). */
  /** The caller's tenant scope, read once per request (or given by readAs). */
  scopeOf(actor: Actor): Promise<TenantScope> {
    let scope = this.scopes.get(actor);
    if (!scope) {
      scope = this.readScope(actor);
      this.scopes.set(actor, scope);
    }
    return scope;
  }

  private async readScope(actor: Actor): Promise<TenantScope> {
    const me = await this.factsOf(actor);
    const childSchools = me.children.length
      ? (await query<{ school_id: string }>(this.db, `SELECT DISTINCT school_id FROM school_memberships WHERE user_id = ANY ($1) AND ended_at IS NULL`, [me.children])).map((r) => r.school_id)
      : [];
    return {
      all: has(me, 'platform_admin') || has(me, 'dpo'),
      schoolIds: [...new Set([...me.memberships.map((m) => m.schoolId), ...childSchools])],
      userIds: [actor.userId, ...me.children],
    };
  }


  isAdult(facts: PersonFacts, today: Date = this.clock.now()): boolean {
    if (!facts.dateOfBirth) return true;
    const [y, m, d] = facts.dateOfBirth.split('-').map(Number);
    const birthday = new Date(Date.UTC(y + this.ageOfMajority, m - 1, d));
    return birthday.getTime() <= today.getTime();
  }

  /**
   * The caller's standing over another person's account, after the rank and
   * tenant rules (see the top of this file); null for oneself, for an unknown
   * account and under impersonation (support never acts on others as a user).
   */
  async standingOver(actor: Actor, userId: string): Promise<Standing | null> {
    if (actor.realActorId || userId === actor.userId) return null;
    const me = await this.factsOf(actor);
    const target = await this.person(userId);
    if (!target.exists || rankOf(target) > rankOf(me)) return null;
    if (has(me, 'platform_admin')) return 'platform_admin';
    if (has(me, 'dpo')) return 'dpo';
    if (rankOf(target) > 1) return null;
    if (me.children.includes(userId) && !this.isAdult(target)) return 'parent';
    const administered = new Set(me.memberships.filter((m) => m.role === 'school_admin').map((m) => m.schoolId));
    if (target.memberships.length > 0 && target.memberships.every((t) => administered.has(t.schoolId))) return 'school_admin';
    return null;
  }

  async can(actor: Actor, permission: Permission): Promise<boolean> {
    // An active enrolment alone decides it (every activity request asks): the caller's facts are not read for it.
    if (permission.action === 'course.participate') return this.isEnrolled(permission.courseId, actor.userId);
    // A decision about a course reads the caller's facts and the course's together.
    const { me, course } = 'courseId' in permission ? await this.meAndCourse(actor, permission.courseId) : { me: await this.factsOf(actor), course: NO_COURSE };
    const admin = has(me, 'platform_admin');
    const adminOf = (schoolId: string) => me.memberships.some((m) => m.schoolId === schoolId && m.role === 'school_admin');
    const teacherIn = (schoolId: string) => me.memberships.some((m) => m.schoolId === schoolId && m.role === 'teacher');
    switch (permission.action) {
      case 'user.read': {
        if (permission.userId === actor.userId || admin || has(me, 'dpo') || me.children.includes(permission.userId)) return true;
        const target = await this.person(permission.userId);
        // A platform account is never read through a school, whatever memberships say.
        if (rankOf(target) > rankOf(me)) return false;
        if (target.memberships.some((t) => adminOf(t.schoolId))) return true;
        const myClasses = me.memberships.filter((m) => m.role === 'teacher' && m.classId).map((m) => m.classId);
        if (target.memberships.some((t) => t.role === 'learner' && t.classId !== null && myClasses.includes(t.classId))) return true;
        const taught = await query(
          this.db,
          `SELECT 1 FROM course_staff s JOIN course_enrolments e USING (course_id) JOIN courses c USING (course_id)
           WHERE s.user_id = $1 AND e.learner_id = $2 AND ${STAFF_STANDS} LIMIT 1`,
          [actor.userId, permission.userId],
        );
        return taught.length > 0;
      }
      case 'user.directory':
        return admin || adminOf(permission.schoolId) || teacherIn(permission.schoolId);
      case 'user.update':
      case 'user.manage': {
        // Staff who manage an account may also correct it; a user may correct themself.
        if (permission.action === 'user.update' && permission.userId === actor.userId) return true;
        const standing = await this.standingOver(actor, permission.userId);
        return standing === 'platform_admin' || standing === 'school_admin';
      }
      case 'user.roles':
        return admin;
      case 'user.impersonate': {
        if (!admin || permission.userId === actor.userId || actor.realActorId) return false;
        const target = await this.person(permission.userId);
        return target.exists && !has(target, 'platform_admin') && !has(target, 'dpo');
      }
      case 'school.create':
        return admin;
      case 'school.read':
        if (admin || has(me, 'dpo') || me.memberships.some((m) => m.schoolId === permission.schoolId)) return true;
        return (await this.scopeOf(actor)).schoolIds.includes(permission.schoolId);
      case 'school.manage':
        return admin || adminOf(permission.schoolId);
      case 'school.admins':
        return admin;
      case 'school.import':
        return permission.schoolId === null ? admin : adminOf(permission.schoolId);
      case 'account.open':
        if (permission.role === 'school_admin') return admin || adminOf(permission.schoolId);
        if (permission.role === 'teacher') return admin || adminOf(permission.schoolId);
        return admin || adminOf(permission.schoolId) || teacherIn(permission.schoolId);
      case 'parentLink.request':
        // Anyone may ask to be a parent (the child's side decides); linking someone else takes the child's school.
        if (permission.parentId === actor.userId && permission.childId !== actor.userId) return true;
        return (await this.standingOver(actor, permission.childId)) === 'school_admin';
      case 'parentLink.decide': {
        // The adult child, or an admin of every school the child belongs to: never a school the child is not wholly in.
        if (permission.childId === actor.userId) return !actor.realActorId && rankOf(me) === 1 && this.isAdult(me);
        return (await this.standingOver(actor, permission.childId)) === 'school_admin';
      }
      case 'parentalConsent.give':
        return me.children.includes(permission.childId);
      case 'transfer.request':
        return this.can(actor, { action: 'account.open', schoolId: permission.schoolId, role: permission.role });
      case 'transfer.decide': {
        if (actor.realActorId) return false;
        if (permission.userId === actor.userId) return this.isAdult(me);
        const standing = await this.standingOver(actor, permission.userId);
        return standing === 'platform_admin' || standing === 'parent';
      }
      case 'course.create':
        return permission.schoolId === null ? admin : adminOf(permission.schoolId) || teacherIn(permission.schoolId);
      case 'course.read': {
        if (!course.exists) return admin;
        if (course.schoolId === null) return true;
        if (admin || me.memberships.some((m) => m.schoolId === course.schoolId) || course.staff.some((s) => s.userId === actor.userId)) return true;
        for (const child of me.children) if (await this.isEnrolled(permission.courseId, child)) return true;
        return this.isEnrolled(permission.courseId, actor.userId);
      }
      case 'course.edit':
      case 'course.enrol':
      case 'course.teach': {
        const role = course.staff.find((s) => s.userId === actor.userId)?.role;
        if (course.schoolId !== null && adminOf(course.schoolId)) return true;
        if (course.schoolId === null && admin) return true;
        return permission.action === 'course.teach' ? role !== undefined : role === 'teacher';
      }
      case 'course.learner': {
        // A learner sees their own records; a parent those of their child's courses.
        if (permission.learnerId === actor.userId) return true;
        if (me.children.includes(permission.learnerId)) return this.everEnrolled(permission.courseId, permission.learnerId);
        const teaches = course.staff.some((s) => s.userId === actor.userId) || (course.schoolId !== null && adminOf(course.schoolId));
        return teaches && (await this.everEnrolled(permission.courseId, permission.learnerId));
      }
      case 'ops':
        return admin;
      case 'privacy.officer':
        return has(me, 'dpo');
    }
  }

  async require(actor: Actor, permission: Permission): Promise<void> {
    if (!(await this.can(actor, permission))) {
      // A course that does not exist is not found (404) for whoever could see every course (a platform admin); anyone else is
      // refused alike whether it exists elsewhere or not at all, so that a refusal never tells which.
      if ('courseId' in permission && !(await this.course(permission.courseId)).exists && (await this.factsOf(actor)).platformRoles.includes('platform_admin')) {
        throw new DomainError('not_found', 'COURSE_NOT_FOUND', `no course ${permission.courseId}`);
      }
      throw new ForbiddenError(REFUSALS[permission.action]);
    }
    // Every read of one person's record goes through one of these two.
    if (permission.action === 'user.read') await this.requireUnrestricted(actor, permission.userId);
    if (permission.action === 'course.learner') await this.requireUnrestricted(actor, permission.learnerId);
  }

  /**
   * For list reads (participants, directory, grades, attempts, submissions):
   * the people among `subjectIds` whose record is restricted from this reader
   * (everyone's but their own, except for the DPO). Lists leave them out and
   * say how many they left out, and nothing else (requireUnrestricted).
   */
  async restrictedFrom(actor: Actor, subjectIds: Iterable<string>): Promise<Set<string>> {
    const me = actor.userId.toLowerCase();
    const ids = [...new Set([...subjectIds].map((id) => id.toLowerCase()))].filter((id) => id !== me);
    if (!ids.length || has(await this.factsOf(actor), 'dpo')) return new Set();
    const rows = await query<{ user_id: string }>(this.db, 'SELECT user_id FROM subject_flags WHERE restricted AND user_id = ANY ($1::uuid[])', [ids]);
    return new Set(rows.map((r) => r.user_id));
  }

  /**
   * Restriction of processing (GDPR art. 18, PDPA s. 34: an approved request,
   * a legal hold, a cancelled account): the person's record is kept, and only
   * they and the privacy officer see it. Anyone else learns that it is
   * restricted, and nothing else.
   */
  async requireUnrestricted(actor: Actor, subjectId: string): Promise<void> {
    if (subjectId.toLowerCase() === actor.userId.toLowerCase() || has(await this.factsOf(actor), 'dpo')) return;
    const restricted = await query(this.db, 'SELECT 1 FROM subject_flags WHERE user_id = $1 AND restricted', [subjectId]);
    if (restricted.length) throw new DomainError('forbidden', 'PROCESSING_RESTRICTED', 'this person’s record is restricted: only they and the privacy officer can see it');
  }
}
