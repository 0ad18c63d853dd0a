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
 * Row-level security (TenantDb) is the second, independent line: whatever
 * this policy allows, a query only ever sees the schools of the caller's scope.
 */
import { Inject, Injectable } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DomainError } from '@learnstream/domain';
import type { DataSource } from 'typeorm';
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
  | { action: 'account.open'; schoolId: string; role: SchoolRole }
  | { action: 'parentLink.request'; parentId: string; childId: string }
  | { action: 'parentLink.decide'; childId: string }
  | { action: 'parentalConsent.give'; childId: string }
  | { action: 'course.create'; schoolId: string | null }
  | { action: 'course.read'; courseId: string }
  | { action: 'course.edit'; courseId: string }
  | { action: 'course.teach'; courseId: string }
  | { action: 'course.enrol'; courseId: string }
  | { action: 'course.participate'; courseId: string }
  | { action: 'course.learner'; courseId: string; learnerId: string }
  | { action: 'ops' }
  | { action: 'privacy.officer' };

const has = (f: PersonFacts, role: PlatformRole) => f.platformRoles.includes(role);

export class ForbiddenError extends DomainError {
  constructor(message = 'you may not do this') {
    super('forbidden', 'FORBIDDEN', message);
  }
}

@Injectable()
export class AccessPolicy {
  private readonly cache = new WeakMap<Actor, Promise<PersonFacts>>();

  constructor(
    @Inject(getDataSourceToken()) private readonly db: DataSource,
    readonly ageOfMajority: number = 18,
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

  async person(userId: string): Promise<PersonFacts> {
    const [account] = await this.db.query(`SELECT platform_roles, to_char(date_of_birth, 'YYYY-MM-DD') AS dob FROM accounts WHERE user_id = $1`, [userId]);
    const memberships: { school_id: string; role: SchoolRole; class_id: string | null }[] = await this.db.query(
      `SELECT school_id, role, class_id FROM school_memberships WHERE user_id = $1 AND ended_at IS NULL`,
      [userId],
    );
    const children: { child_id: string }[] = await this.db.query(`SELECT child_id FROM parent_links WHERE parent_id = $1 AND status = 'confirmed'`, [userId]);
    return {
      userId,
      exists: Boolean(account),
      platformRoles: account?.platform_roles ?? [],
      memberships: memberships.map((m) => ({ schoolId: m.school_id, role: m.role, classId: m.class_id })),
      children: children.map((c) => c.child_id),
      dateOfBirth: account?.dob ?? null,
    };
  }

  async course(courseId: string): Promise<CourseFacts> {
    const [course] = await this.db.query('SELECT school_id, archived_at FROM courses WHERE course_id = $1', [courseId]);
    const staff: { user_id: string; role: 'teacher' | 'non_editing_teacher' }[] = course ? await this.db.query('SELECT user_id, role FROM course_staff WHERE course_id = $1', [courseId]) : [];
    return { courseId, exists: Boolean(course), schoolId: course?.school_id ?? null, archived: Boolean(course?.archived_at), staff: staff.map((r) => ({ userId: r.user_id, role: r.role })) };
  }

  /** Enrolled now or before: teachers keep seeing the records of learners who left their course. */
  async everEnrolled(courseId: string, learnerId: string): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM course_enrolments WHERE course_id = $1 AND learner_id = $2', [courseId, learnerId])).length > 0;
  }

  async isEnrolled(courseId: string, learnerId: string): Promise<boolean> {
    const rows = await this.db.query(`SELECT 1 FROM course_enrolments WHERE course_id = $1 AND learner_id = $2 AND status = 'active'`, [courseId, learnerId]);
    return rows.length > 0;
  }

  /** The tenant scope of the caller's reads (row-level security). */
  async scopeOf(actor: Actor): Promise<TenantScope> {
    const me = await this.factsOf(actor);
    const childSchools = me.children.length
      ? ((await this.db.query(`SELECT DISTINCT school_id FROM school_memberships WHERE user_id = ANY ($1) AND ended_at IS NULL`, [me.children])) as { school_id: string }[]).map((r) => r.school_id)
      : [];
    return {
      all: has(me, 'platform_admin') || has(me, 'dpo'),
      schoolIds: [...new Set([...me.memberships.map((m) => m.schoolId), ...childSchools])],
      userIds: [actor.userId, ...me.children],
    };
  }

  isAdult(facts: PersonFacts, today: Date = new Date()): boolean {
    if (!facts.dateOfBirth) return true;
    const [y, m, d] = facts.dateOfBirth.split('-').map(Number);
    const birthday = new Date(Date.UTC(y + this.ageOfMajority, m - 1, d));
    return birthday.getTime() <= today.getTime();
  }

  async can(actor: Actor, permission: Permission): Promise<boolean> {
    const me = await this.factsOf(actor);
    const admin = has(me, 'platform_admin');
    const adminOf = (schoolId: string) => me.memberships.some((m) => m.schoolId === schoolId && m.role === 'school_admin');
    const teacherIn = (schoolId: string) => me.memberships.some((m) => m.schoolId === schoolId && m.role === 'teacher');
    switch (permission.action) {
      case 'user.read': {
        if (permission.userId === actor.userId || admin || has(me, 'dpo') || me.children.includes(permission.userId)) return true;
        const target = await this.person(permission.userId);
        if (target.memberships.some((t) => adminOf(t.schoolId))) return true;
        const myClasses = me.memberships.filter((m) => m.role === 'teacher' && m.classId).map((m) => m.classId);
        if (target.memberships.some((t) => t.role === 'learner' && t.classId !== null && myClasses.includes(t.classId))) return true;
        const taught = await this.db.query(
          `SELECT 1 FROM course_staff s JOIN course_enrolments e USING (course_id) WHERE s.user_id = $1 AND e.learner_id = $2 LIMIT 1`,
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
        const target = await this.person(permission.userId);
        if (has(target, 'platform_admin') || has(target, 'dpo')) return admin && permission.userId !== actor.userId;
        if (admin) return true;
        return target.memberships.length > 0 && target.memberships.every((t) => adminOf(t.schoolId));
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
      case 'account.open':
        if (permission.role === 'school_admin') return admin || adminOf(permission.schoolId);
        if (permission.role === 'teacher') return admin || adminOf(permission.schoolId);
        return admin || adminOf(permission.schoolId) || teacherIn(permission.schoolId);
      case 'parentLink.request':
        if (permission.parentId === actor.userId && permission.childId !== actor.userId) return true;
        return (await this.person(permission.childId)).memberships.some((t) => adminOf(t.schoolId));
      case 'parentLink.decide': {
        const child = await this.person(permission.childId);
        if (permission.childId === actor.userId) return this.isAdult(child);
        return child.memberships.some((t) => adminOf(t.schoolId));
      }
      case 'parentalConsent.give':
        return me.children.includes(permission.childId);
      case 'course.create':
        return permission.schoolId === null ? admin : adminOf(permission.schoolId) || teacherIn(permission.schoolId);
      case 'course.read': {
        const course = await this.course(permission.courseId);
        if (!course.exists) return admin;
        if (course.schoolId === null) return true;
        if (admin || me.memberships.some((m) => m.schoolId === course.schoolId) || course.staff.some((s) => s.userId === actor.userId)) return true;
        for (const child of me.children) if (await this.isEnrolled(permission.courseId, child)) return true;
        return this.isEnrolled(permission.courseId, actor.userId);
      }
      case 'course.edit':
      case 'course.enrol':
      case 'course.teach': {
        const course = await this.course(permission.courseId);
        const role = course.staff.find((s) => s.userId === actor.userId)?.role;
        if (course.schoolId !== null && adminOf(course.schoolId)) return true;
        if (course.schoolId === null && admin) return true;
        return permission.action === 'course.teach' ? role !== undefined : role === 'teacher';
      }
      case 'course.participate':
        return this.isEnrolled(permission.courseId, actor.userId);
      case 'course.learner': {
        // A learner sees their own records; a parent those of their child's courses.
        if (permission.learnerId === actor.userId) return true;
        if (me.children.includes(permission.learnerId)) return this.everEnrolled(permission.courseId, permission.learnerId);
        const course = await this.course(permission.courseId);
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
    if (!(await this.can(actor, permission))) throw new ForbiddenError(`you may not ${permission.action.replace('.', ' ')}`);
  }
}
