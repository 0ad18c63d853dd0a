/**
 * The learner profile: one learner's enrolments, progress and completion,
 * grades, results by skill with strengths and points to improve, last access
 * and activity timeline, each course as far as the reader may see it.
 *
 * Access (policy first, then row-level security):
 * - user.read on the learner, else 403;
 * - each course only when course.learner allows it (the learner, their
 *   parent, the course's teachers, the school's admins); grades of a course
 *   in full for those who teach it (course.teach), else only what is
 *   released (visibleToLearner, as the grades feature shows the learner);
 * - what is not about a course (last access to the platform, sign-ins and
 *   other events without a course in the timeline) only for the learner,
 *   their parent and the admins of their school: a teacher sees the learner
 *   within the courses they teach.
 * Objection to profiling: strengths, points to improve and at-risk flags are
 * left out (null), with a note; the figures stay.
 * The read is recorded (LearnerProfileViewed) once it was allowed and read.
 */
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Inject } from '@nestjs/common';
import { AccessPolicy, ForbiddenError, TenantDb, type Actor } from '@learnstream/access';
import { readObjectTitles } from '@learnstream/reports';
import { DomainError, Clock } from '@learnstream/domain';
import type { EntityManager } from 'typeorm';
import { PROGRESS_OPTIONS, type ProgressOptions } from '../progress.options';
import type { LearnerPart, ReportFormat } from '../progress.events';
import { ProgressRepository } from '../progress.repository';
import { ADVICE_RULE_TEXT, learnerAdvice, type SkillAdvice } from '../advice';
import { atRiskReasons, atRiskRuleText, skillResult, skillVerdicts, SKILL_RULE_TEXT, type SkillResult } from '../rules';
import { learnerCompletion, learnerGrades, readCompletion, readGradebooks, releasedActivityIds, type CompletionView, type CourseGradeView } from '@learnstream/grades';
import { iso } from './read-models';
import { atRiskView, EARLY_WARNING_RULE_TEXT, judgedLearners, readClassForFlag, releasedOnly, scoreClass, snapshotOf, type AtRiskView } from './early-warning';
import { query, queryOne } from '@learnstream/database';
import { readActivitySections, readCourses, readEnrolments, readVisibleResources, type CourseHeading, type EnrolmentRecord } from '@learnstream/courses';
import { readAccountNames } from '@learnstream/identity';
import { countAttempts, readQuizzes } from '@learnstream/assessments';

export const PROFILING_NOTE =
  'The learner objected to profiling: no strengths, points to improve or at-risk flags are worked out for them. Their results are shown as they are.';

export interface TimelineEntry {
  eventId: string;
  occurredAt: string;
  /** The event type, as `eventType` in the course log. */
  eventType: string;
  action: string;
  crud: string;
  /** actor: the learner did it; related: it was done to them (graded, enrolled, their profile read). */
  involvement: 'actor' | 'related';
  courseId: string | null;
  schoolId: string | null;
  /** What it is about, with its title (null where the reader may not see it, it is gone, or it has none). */
  object: { type: string; id: string | null; title: string | null } | null;
  actorId: string | null;
  /** The staff member acting as the actor (impersonation), else null. */
  realActorId: string | null;
  relatedUserId: string | null;
}

export interface TimelinePage {
  learnerId: string;
  /** Newest first. */
  events: TimelineEntry[];
  /** Pass as ?cursor= for the next (older) page; null at the end. */
  nextCursor: string | null;
}

export interface ProfileCourseView {
  courseId: string;
  title: string;
  code: string;
  subject: string;
  gradeLevel: string | null;
  enrolment: { status: string; method: string; enrolledAt: string; unenrolledAt: string | null };
  /** The learner's last own action in the course. */
  lastAccessAt: string | null;
  /** The learner's own events in the course, by action (verb). */
  activity: Record<string, number>;
  completion: CompletionView;
  /** null when the course has no gradebook. */
  grades: CourseGradeView | null;
  /** The class report's flag of the learner (the early-warning model, the baseline beside it); null when not judged: not an active enrolment, or the learner objected to profiling. */
  atRisk: AtRiskView | null;
}

export interface SkillView extends SkillResult {
  courseIds: string[];
}

export interface LearnerProfileView {
  learnerId: string;
  displayName: string | null;
  generatedAt: string;
  /** Last own action anywhere; null for a reader who sees the learner only within courses. */
  lastAccessAt: string | null;
  profiling: { objected: boolean; note: string | null };
  rules: { skills: string; atRisk: string; inactiveDays: number; advice: string };
  courses: ProfileCourseView[];
  /** Over the courses shown, sorted by skill. */
  skills: SkillView[];
  strengths: string[] | null;
  toImprove: string[] | null;
  /** What to do next, per weak skill of a course (rules.advice); null when the learner objected to profiling. */
  advice: SkillAdvice[] | null;
  timeline: TimelinePage;
}

export interface LearnerReportOptions {
  inactiveDays?: number;
  limit?: number;
  cursor?: string;
  format: ReportFormat;
  part: LearnerPart;
}

export class GetLearnerProfileQuery extends Query<LearnerProfileView> {
  constructor(
    readonly actor: Actor,
    readonly learnerId: string,
    readonly options: LearnerReportOptions,
  ) {
    super();
  }
}

export class GetLearnerTimelineQuery extends Query<TimelinePage> {
  constructor(
    readonly actor: Actor,
    readonly learnerId: string,
    readonly options: LearnerReportOptions,
  ) {
    super();
  }
}

/** One of the learner's enrolments with its course. */
interface EnrolledCourse extends EnrolmentRecord {
  course: CourseHeading;
}

/** What the reader may see of the learner: which courses (and in which they teach), and whether what is outside courses. */
interface Visibility {
  courses: EnrolledCourse[];
  teaches: Set<string>;
  personal: boolean;
}

interface TimelineRow {
  event_id: string;
  involvement: 'actor' | 'related';
  occurred_at: Date;
  position_commit: string;
  position_prepare: string;
  event_type: string;
  action: string;
  crud: string;
  course_id: string | null;
  school_id: string | null;
  object_type: string | null;
  object_id: string | null;
  actor_id: string | null;
  real_actor_id: string | null;
  related_user_id: string | null;
}

const CURSOR = /^(\d+)\/(\d+)$/;

function parseCursor(cursor: string | undefined): [string, string] | null {
  if (cursor === undefined) return null;
  const m = CURSOR.exec(cursor);
  if (!m) throw new DomainError('invalid', 'VALIDATION_FAILED', 'cursor is not a cursor this report gave');
  return [m[1], m[2]];
}

/** Reads shared by the profile and its timeline. */
abstract class LearnerReport {
  constructor(
    protected readonly policy: AccessPolicy,
    protected readonly db: TenantDb,
    protected readonly repo: ProgressRepository,
    protected readonly options: ProgressOptions,
  ) {}

  protected async visibility(actor: Actor, learnerId: string): Promise<Visibility> {
    await this.policy.require(actor, { action: 'user.read', userId: learnerId });
    const learner = await this.policy.person(learnerId);
    if (!learner.exists) throw new DomainError('not_found', 'USER_NOT_FOUND', `no user ${learnerId}`);
    const me = await this.policy.factsOf(actor);
    const adminOfLearner = learner.memberships.some((l) => me.memberships.some((m) => m.schoolId === l.schoolId && m.role === 'school_admin'));
    const personal = learnerId === actor.userId || me.children.includes(learnerId) || adminOfLearner;
    const enrolments = await this.db.read(await this.policy.scopeOf(actor), async (db) => {
      const mine = await readEnrolments(db, { learnerIds: [learnerId] });
      const headings = await readCourses(db, mine.map((e) => e.courseId));
      return mine.flatMap((e) => {
        const course = headings.get(e.courseId);
        return course ? [{ ...e, course }] : [];
      });
    });
    const courses: EnrolledCourse[] = [];
    const teaches = new Set<string>();
    for (const e of enrolments) {
      if (!(await this.policy.can(actor, { action: 'course.learner', courseId: e.courseId, learnerId }))) continue;
      courses.push(e);
      if (await this.policy.can(actor, { action: 'course.teach', courseId: e.courseId })) teaches.add(e.courseId);
    }
    // A reader who may see the account but none of the learner's records (a platform admin, the DPO, a teacher of none of
    // their courses) gets a reason rather than an empty profile.
    if (!personal && courses.length === 0) {
      throw new ForbiddenError(
        'a learner profile is for the learner, their parents, their school\'s admins and the teachers of their courses; you are none of these for this learner' +
          (me.platformRoles.length > 0 ? ' (platform-wide figures are in the usage statistics: GET /api/v1/reports/usage)' : ''),
      );
    }
    return { courses, teaches, personal };
  }

  protected async timeline(db: EntityManager, learnerId: string, seen: Visibility, limit: number | undefined, cursor: string | undefined): Promise<TimelinePage> {
    const size = Math.min(limit ?? this.options.timelinePageDefault, this.options.timelinePageMax);
    const after = parseCursor(cursor);
    const rows = await query<TimelineRow>(
      db,
      `SELECT p.* FROM progress_timeline p
       WHERE user_id = $1 AND (course_id = ANY ($2) OR ($3 AND course_id IS NULL))
         AND ($4::bigint IS NULL OR (position_commit, position_prepare) < ($4::bigint, $5::bigint))
       ORDER BY position_commit DESC, position_prepare DESC LIMIT $6`,
      [learnerId, seen.courses.map((c) => c.courseId), seen.personal, after?.[0] ?? null, after?.[1] ?? null, size + 1],
    );
    const page = rows.slice(0, size);
    const titleOf = await readObjectTitles(db, page.map((r) => ({ type: r.object_type, id: r.object_id })));
    const last = page[page.length - 1];
    return {
      learnerId,
      events: page.map((r) => ({
        eventId: r.event_id,
        occurredAt: iso(r.occurred_at)!,
        eventType: r.event_type,
        action: r.action,
        crud: r.crud,
        involvement: r.involvement,
        courseId: r.course_id,
        schoolId: r.school_id,
        object: r.object_type ? { type: r.object_type, id: r.object_id, title: titleOf({ type: r.object_type, id: r.object_id }) } : null,
        actorId: r.actor_id,
        realActorId: r.real_actor_id,
        relatedUserId: r.related_user_id,
      })),
      nextCursor: rows.length > size ? `${last.position_commit}/${last.position_prepare}` : null,
    };
  }
}

@QueryHandler(GetLearnerTimelineQuery)
export class GetLearnerTimelineHandler extends LearnerReport implements IQueryHandler<GetLearnerTimelineQuery, TimelinePage> {
  constructor(policy: AccessPolicy, db: TenantDb, repo: ProgressRepository, @Inject(PROGRESS_OPTIONS) options: ProgressOptions) {
    super(policy, db, repo, options);
  }

  async execute({ actor, learnerId, options }: GetLearnerTimelineQuery): Promise<TimelinePage> {
    const seen = await this.visibility(actor, learnerId);
    const page = await this.db.read(await this.policy.scopeOf(actor), (db) => this.timeline(db, learnerId, seen, options.limit, options.cursor));
    await this.repo.learnerProfileViewed(actor, { learnerId, part: 'timeline', format: options.format });
    return page;
  }
}

@QueryHandler(GetLearnerProfileQuery)
export class GetLearnerProfileHandler extends LearnerReport implements IQueryHandler<GetLearnerProfileQuery, LearnerProfileView> {
  constructor(private readonly clock: Clock, policy: AccessPolicy, db: TenantDb, repo: ProgressRepository, @Inject(PROGRESS_OPTIONS) options: ProgressOptions) {
    super(policy, db, repo, options);
  }

  async execute({ actor, learnerId, options }: GetLearnerProfileQuery): Promise<LearnerProfileView> {
    const seen = await this.visibility(actor, learnerId);
    const courseIds = seen.courses.map((c) => c.courseId);
    const inactiveDays = options.inactiveDays ?? this.options.inactiveDays;
    const now = this.clock.now();
    const objected = (await this.repo.objectingToProfiling([learnerId])).has(learnerId);
    const read = await this.db.read(await this.policy.scopeOf(actor), async (db) => {
      const [account] = await readAccountNames(db, [learnerId]);
      const flags = await queryOne<{ last_access_at: Date | null }>(db, 'SELECT last_access_at FROM progress_learners WHERE user_id = $1', [learnerId]);
      const activity = await query<{ course_id: string; action: string; events: number; last_at: Date }>(
        db,
        'SELECT course_id, action, events, last_at FROM progress_course_activity WHERE user_id = $1 AND course_id = ANY ($2)',
        [learnerId, courseIds],
      );
      const skills = await query<{ skill: string; earned: number | string; possible: number | string; questions: number; course_ids: string[] }>(
        db,
        `WITH latest AS (
           SELECT DISTINCT ON (quiz_id) attempt_id FROM progress_question_results
           WHERE learner_id = $1 AND course_id = ANY ($2) ORDER BY quiz_id, attempt_number DESC)
         SELECT skill, sum(r.score) AS earned, sum(r.points) AS possible, count(*)::int AS questions, array_agg(DISTINCT r.course_id::text) AS course_ids
         FROM progress_question_results r JOIN latest USING (attempt_id) CROSS JOIN LATERAL unnest(r.skills) AS skill
         GROUP BY skill ORDER BY skill`,
        [learnerId, courseIds],
      );
      const outcomes = await query<{ course_id: string; quiz_id: string; question_id: string; score: number | string; points: number | string; skills: string[] }>(
        db,
        `WITH latest AS (
           SELECT DISTINCT ON (quiz_id) attempt_id FROM progress_question_results
           WHERE learner_id = $1 AND course_id = ANY ($2) ORDER BY quiz_id, attempt_number DESC)
         SELECT r.course_id, r.quiz_id, r.question_id, r.score, r.points, r.skills FROM progress_question_results r JOIN latest USING (attempt_id)`,
        [learnerId, courseIds],
      );
      const quizzes = await readQuizzes(db, courseIds);
      const quizIds = quizzes.map((q) => q.quizId);
      const used = await countAttempts(db, learnerId, quizIds);
      const sections = await readActivitySections(db, quizIds);
      const resources = await readVisibleResources(db, courseIds);
      const classes: Awaited<ReturnType<typeof readClassForFlag>>[] = [];
      for (const e of seen.courses) if (e.status === 'active' && !objected) classes.push(await readClassForFlag(db, e.courseId, e.course.schoolId, now));
      return {
        outcomes,
        quizzes: quizzes.map((q) => ({ ...q, attemptsUsed: used.get(q.quizId) ?? 0, sectionId: sections.get(q.quizId) ?? null })),
        resources,
        displayName: account?.displayName ?? null,
        lastAccessAt: iso(flags?.last_access_at),
        objected,
        activity,
        skills,
        gradebooks: await readGradebooks(db, courseIds, learnerId),
        completion: await readCompletion(db, courseIds, learnerId),
        timeline: await this.timeline(db, learnerId, seen, options.limit, options.cursor),
        classes,
      };
    });
    // The flag is the class report's: the learner scored within their whole class, as the report judges it. A reader
    // who does not teach the course (the learner, their parent) sees it on the released grades only (releasedOnly).
    const objectingInClasses = await this.repo.objectingToProfiling([...new Set(read.classes.flatMap((c) => c.enrolments.map((e) => e.learnerId)))]);
    const risks = new Map(
      read.classes.map((c) => {
        const book = read.gradebooks.get(c.courseId);
        const facts = seen.teaches.has(c.courseId) ? c.facts : releasedOnly(c.facts, book ? releasedActivityIds(book) : new Set<string>());
        return [c.courseId, scoreClass(snapshotOf(c.courseId, facts, judgedLearners(facts, c.enrolments, objectingInClasses)), c.setting, c.model).get(learnerId)];
      }),
    );

    const courses: ProfileCourseView[] = seen.courses.map((e) => {
      const activity: Record<string, number> = {};
      let lastAccessAt: string | null = null;
      for (const a of read.activity.filter((x) => x.course_id === e.courseId)) {
        activity[a.action] = a.events;
        if (lastAccessAt === null || a.last_at.getTime() > Date.parse(lastAccessAt)) lastAccessAt = iso(a.last_at);
      }
      const book = read.gradebooks.get(e.courseId);
      const grades = book ? learnerGrades(book, learnerId, seen.teaches.has(e.courseId)) : null;
      const score = risks.get(e.courseId);
      const judged = e.status === 'active' && !read.objected && score !== undefined;
      const reasons = judged
        ? atRiskReasons({ lastActivityAt: lastAccessAt, enrolledAt: iso(e.enrolledAt)!, now, inactiveDays, grade: grades?.total ?? null, passPercentage: grades?.passPercentage ?? null })
        : [];
      return {
        courseId: e.courseId,
        title: e.course.title,
        code: e.course.code,
        subject: e.course.subject,
        gradeLevel: e.course.gradeLevel,
        enrolment: { status: e.status, method: e.method, enrolledAt: iso(e.enrolledAt)!, unenrolledAt: iso(e.unenrolledAt) },
        lastAccessAt,
        activity,
        completion: learnerCompletion(read.completion, e.courseId, learnerId),
        grades,
        atRisk: judged ? atRiskView(score, reasons) : null,
      };
    });
    const skills: SkillView[] = read.skills.map((s) => ({ ...skillResult(s.skill, Number(s.earned), Number(s.possible), s.questions), courseIds: [...s.course_ids].sort() }));
    const verdicts = read.objected ? null : skillVerdicts(skills);
    const advice = read.objected
      ? null
      : learnerAdvice(
          read.outcomes.map((o) => ({ courseId: o.course_id, quizId: o.quiz_id, questionId: o.question_id, score: Number(o.score), points: Number(o.points), skills: o.skills })),
          read.quizzes.map((q) => ({
            quizId: q.quizId,
            courseId: q.courseId,
            title: q.title,
            attemptsAllowed: q.attemptsAllowed,
            attemptsUsed: q.attemptsUsed,
            sectionId: q.sectionId,
            questions: q.questions.map((x) => ({ questionId: x.questionId, text: x.text })),
          })),
          read.resources,
        );

    await this.repo.learnerProfileViewed(actor, { learnerId, part: options.part, format: options.format });
    return {
      learnerId,
      displayName: read.displayName,
      generatedAt: now.toISOString(),
      lastAccessAt: seen.personal ? read.lastAccessAt : null,
      profiling: { objected: read.objected, note: read.objected ? PROFILING_NOTE : null },
      rules: { skills: SKILL_RULE_TEXT, atRisk: `${EARLY_WARNING_RULE_TEXT} Baseline (shown beside it, not the flag): ${atRiskRuleText(inactiveDays)}`, inactiveDays, advice: ADVICE_RULE_TEXT },
      courses,
      skills,
      strengths: verdicts?.strengths ?? null,
      toImprove: verdicts?.toImprove ?? null,
      advice,
      timeline: read.timeline,
    };
  }
}
