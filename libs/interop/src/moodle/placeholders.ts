/**
 * Placeholders for Moodle users, courses and course modules the mapping does
 * not know (--create-missing): made with the features' own deciders (join a
 * school, create a course, add a section and a resource), appended with the
 * importer as actor and origin 'import', so they are recorded as imported.
 *
 * Their ids are derived from the site and the Moodle id, so an import that
 * dies half-way and runs again finds what it already created (the stream
 * exists) instead of creating a second copy.
 *
 *   account   a learner of the import's school (a teacher when the log shows them
 *             teaching, teaching.ts), display name "Moodle user <id>",
 *             username "<site>-user-<id>", no usable password (a staff reset
 *             gives one), origin 'import', no consent recorded
 *   course    "Moodle course <id>", code MDL-<id>, no self-enrolment
 *   resource  a URL resource pointing at the module in Moodle, in a section
 *             "Imported from Moodle"
 */
import { Injectable } from '@nestjs/common';
import { envelopeFor, type Actor } from '@learnstream/access';
import { decideJoinSchool, initialMembershipState, loadSchool, toNewEvents as membershipEvents } from '@learnstream/affiliations/headless';
import { retryOnConflict } from '@learnstream/core/headless';
import { courseEnvelopeFieldsOf, courseStreamId, decideCourse, evolveCourse, findResource, findSection, initialCourseState, type Course, type CourseEvent, type CourseState } from '@learnstream/courses/headless';
import { DomainError, uuidV5, Clock } from '@learnstream/domain';
import { EventLog, WrongExpectedRevisionError, type NewEvent } from '@learnstream/event-store';
import { completeProfile, sealAccountEvent, userStream, UsernameIndex } from '@learnstream/identity/headless';
import { IMPORT_NAMESPACE } from './moodle-log';
import type { TeachingEvidenceLog, TeachingRole } from './teaching';

/** What a placeholder password hash is: nothing verifies against it, so nobody signs in until a staff reset. */
const NO_PASSWORD = '!imported-placeholder';

export interface PlaceholderContext {
  importer: Actor;
  site: string;
  siteUrl: string;
  correlationId: string;
  /** Schools read once per import (placeholder accounts join one school, many times). */
  schools?: Map<string, Awaited<ReturnType<typeof loadSchool>>>;
  /** Unix seconds of each Moodle user's first row in the file: their placeholder is a member of the school from then on. */
  firstSeen?: Map<number, number>;
  /** Who the file shows teaching: their placeholder joins the school as a teacher. */
  teaching?: TeachingEvidenceLog;
}

const asImport = (events: NewEvent[], correlationId: string): NewEvent[] => events.map((e) => ({ ...e, envelope: { ...e.envelope, origin: 'import', correlationId } }));

export const placeholderUserId = (site: string, moodleUserId: number) => uuidV5(`${site}:user:${moodleUserId}`, IMPORT_NAMESPACE);
export const placeholderCourseId = (site: string, moodleCourseId: number) => uuidV5(`${site}:course:${moodleCourseId}`, IMPORT_NAMESPACE);
export const placeholderSectionId = (site: string, courseId: string) => uuidV5(`${site}:course-section:${courseId}`, IMPORT_NAMESPACE);
export const placeholderResourceId = (site: string, moodleCmId: number) => uuidV5(`${site}:course-module:${moodleCmId}`, IMPORT_NAMESPACE);

@Injectable()
export class Placeholders {
  constructor(
    private readonly clock: Clock,
    private readonly log: EventLog,
    private readonly usernames: UsernameIndex,
  ) {}

  /**
   * Accounts for many Moodle users at once (see `account`): the usernames claimed in one statement and the new
   * accounts appended in one atomic append, instead of a round of reads, a claim and an append each. Their ids,
   * by Moodle id. A user whose username is taken, or whose account another run created meanwhile, goes one by one.
   */
  async accounts(ctx: PlaceholderContext, moodleUserIds: number[], schoolId: string): Promise<Map<number, string>> {
    const ids = new Map(moodleUserIds.map((m) => [m, placeholderUserId(ctx.site, m)]));
    const exists = await Promise.all(moodleUserIds.map(async (m) => (await this.log.store.streamRevision(userStream(ids.get(m)!))) !== null));
    const missing = moodleUserIds.filter((_, i) => !exists[i]);
    const base = (m: number) => `${ctx.site}-user-${m}`.toLowerCase().slice(0, 64);
    const owners = missing.length ? await this.usernames.findMany(missing.map(base)) : new Map<string, string>();
    const free = missing.filter((m) => !owners.has(base(m)));
    const claimed = await this.usernames.claimMany(free.map((m) => ({ username: base(m), userId: ids.get(m)! })));
    const named = missing.filter((m) => claimed.has(ids.get(m)!) || owners.get(base(m)) === ids.get(m));
    if (named.length) {
      const appends = [];
      for (const m of named) appends.push({ streamId: userStream(ids.get(m)!), events: asImport(await this.accountEvents(ctx, m, schoolId, base(m)), ctx.correlationId), expectedRevision: 'no_stream' as const });
      try {
        await this.log.appendBatch(appends);
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        for (const m of named) await this.account(ctx, m, schoolId);
      }
    }
    for (const m of missing.filter((m) => !named.includes(m))) await this.account(ctx, m, schoolId);
    return ids;
  }

  /** A learner account in `schoolId` standing for Moodle user `moodleUserId`; its id. */
  async account(ctx: PlaceholderContext, moodleUserId: number, schoolId: string): Promise<string> {
    const userId = placeholderUserId(ctx.site, moodleUserId);
    if ((await this.log.store.streamRevision(userStream(userId))) !== null) return userId;
    const username = await this.claimUsername(`${ctx.site}-user-${moodleUserId}`, userId);
    try {
      await this.log.append(userStream(userId), asImport(await this.accountEvents(ctx, moodleUserId, schoolId, username), ctx.correlationId), { expectedRevision: 'no_stream' });
    } catch (error) {
      // Another run created it meanwhile: it is the same placeholder.
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
    }
    return userId;
  }

  /** The events that open a placeholder account and make it a member of the school from its first row. */
  private async accountEvents(ctx: PlaceholderContext, moodleUserId: number, schoolId: string, username: string): Promise<NewEvent[]> {
    const userId = placeholderUserId(ctx.site, moodleUserId);
    const now = this.clock.nowIso();
    const first = ctx.firstSeen?.get(moodleUserId);
    const memberSince = first !== undefined ? new Date(first * 1000).toISOString() : now;
    let school = ctx.schools?.get(schoolId);
    if (!school) {
      school = await loadSchool(this.log, schoolId);
      ctx.schools?.set(schoolId, school);
    }
    const joined = decideJoinSchool(
      {
        type: 'JoinSchool',
        membershipId: uuidV5(`${ctx.site}:membership:${moodleUserId}:${schoolId}`, IMPORT_NAMESPACE),
        userId,
        schoolId,
        role: ctx.teaching?.teaches(moodleUserId) ? 'teacher' : 'learner',
        classId: null,
        gradeLevel: null,
        by: ctx.importer.userId,
        at: memberSince,
      },
      initialMembershipState(),
      school,
    );
    const created = sealAccountEvent(userId, {
      type: 'AccountCreated',
      data: {
        userId,
        origin: 'import',
        username,
        profile: completeProfile({ displayName: `Moodle user ${moodleUserId}` }),
        passwordHash: NO_PASSWORD,
        mustChangePassword: true,
        platformRoles: [],
        openedBy: ctx.importer.userId,
        consent: null,
        minor: false,
        at: now,
      },
    });
    return [
      {
        type: created.type,
        data: created.data as Record<string, unknown>,
        envelope: envelopeFor(ctx.importer, { action: 'created', crud: 'c', object: { type: 'user', id: userId }, relatedUserId: userId, schoolId }),
      },
      ...membershipEvents(ctx.importer, joined),
    ];
  }

  /** The username, or the first free one of username-2, username-3, … (a claim of ours from a crashed run is ours). */
  private async claimUsername(base: string, userId: string): Promise<string> {
    for (let n = 1; n <= 20; n++) {
      const username = (n === 1 ? base : `${base}-${n}`).toLowerCase().slice(0, 64);
      const owner = await this.usernames.find(username);
      if (owner === userId) return username;
      if (owner) continue;
      try {
        await this.usernames.claim(username, userId);
        return username;
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'USERNAME_TAKEN') throw error;
      }
    }
    throw new DomainError('conflict', 'USERNAME_TAKEN', `no free username for ${base}`);
  }

  /** A course standing for Moodle course `moodleCourseId`: its id and school (an existing one keeps its own school). */
  async course(ctx: PlaceholderContext, moodleCourseId: number, schoolId: string | null): Promise<{ courseId: string; schoolId: string | null }> {
    const courseId = placeholderCourseId(ctx.site, moodleCourseId);
    return retryOnConflict(async () => {
      const { state, revision } = await this.loadCourse(courseId);
      if (state) return { courseId, schoolId: state.schoolId };
      const events = decideCourse(
        {
          type: 'CreateCourse',
          courseId,
          by: ctx.importer.userId,
          now: this.clock.nowIso(),
          schoolId,
          title: `Moodle course ${moodleCourseId}`,
          code: `MDL-${moodleCourseId}`.slice(0, 30),
          summary: `Created by the import of ${ctx.site}'s log: a placeholder for its course ${moodleCourseId}.`,
          subject: 'Imported from Moodle',
          gradeLevel: null,
          selfEnrolment: { enabled: false, keyHash: null },
        },
        state,
      );
      await this.appendCourse(ctx, courseId, schoolId, revision, events);
      return { courseId, schoolId };
    });
  }

  /** A URL resource standing for Moodle course module `cmId` of `module` (resource, page, url, …) in the course. */
  async resource(ctx: PlaceholderContext, cmId: number, module: string, courseId: string): Promise<{ resourceId: string; sectionId: string }> {
    const resourceId = placeholderResourceId(ctx.site, cmId);
    const sectionId = placeholderSectionId(ctx.site, courseId);
    return retryOnConflict(async () => {
      const { state, revision } = await this.loadCourse(courseId);
      if (!state) throw new DomainError('not_found', 'COURSE_NOT_FOUND', `no course ${courseId}`);
      const found = findResource(state, resourceId);
      if (found) return { resourceId, sectionId: found.section.sectionId };
      const now = this.clock.nowIso();
      const base = { courseId, by: ctx.importer.userId, now };
      const events: CourseEvent[] = [];
      let course: CourseState = state;
      if (!findSection(state, sectionId)) {
        const added = decideCourse({ ...base, type: 'AddSection', sectionId, title: 'Imported from Moodle' }, course);
        events.push(...added);
        course = added.reduce(evolveCourse, course);
      }
      events.push(
        ...decideCourse(
          { ...base, type: 'AddResource', resourceId, sectionId, title: `Moodle ${module} ${cmId}`, visible: true, kind: 'url', content: { url: `${ctx.siteUrl.replace(/\/+$/, '')}/mod/${module}/view.php?id=${cmId}` } },
          course,
        ),
      );
      await this.appendCourse(ctx, courseId, state.schoolId, revision, events);
      return { resourceId, sectionId };
    });
  }

  /** Makes a person staff of a course (the course's own decider) from `at`; false when they had that role already. */
  async courseTeacher(ctx: PlaceholderContext, courseId: string, userId: string, role: TeachingRole, at: string): Promise<boolean> {
    return retryOnConflict(async () => {
      const { state, revision } = await this.loadCourse(courseId);
      if (!state) return false;
      const events = decideCourse({ type: 'AssignTeacher', courseId, by: ctx.importer.userId, now: at, userId, role }, state);
      if (!events.length) return false;
      await this.appendCourse(ctx, courseId, state.schoolId, revision, events);
      return true;
    });
  }

  /** A course's school, from its stream (a placeholder just created may not be in the read models yet). */
  async schoolOfCourse(courseId: string): Promise<string | null> {
    return (await this.loadCourse(courseId)).state?.schoolId ?? null;
  }

  private async loadCourse(courseId: string): Promise<{ state: Course | null; revision: bigint | null }> {
    return this.log.aggregate(courseStreamId(courseId), initialCourseState(), (s, e) => evolveCourse(s, e as unknown as CourseEvent));
  }

  private async appendCourse(ctx: PlaceholderContext, courseId: string, schoolId: string | null, revision: bigint | null, events: CourseEvent[]): Promise<void> {
    const newEvents = events.map((event) => ({ type: event.type, data: event.data as unknown as Record<string, unknown>, envelope: envelopeFor(ctx.importer, courseEnvelopeFieldsOf(event, schoolId)) }));
    await this.log.append(courseStreamId(courseId), asImport(newEvents, ctx.correlationId), { expectedRevision: revision ?? 'no_stream' });
  }
}
