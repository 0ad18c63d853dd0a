/**
 * The school report over a period of UTC days [from, to], for the school's
 * admins and platform admins (school.manage): active learners, enrolments,
 * completion and grade averages by course, subject and grade level (the
 * course's), and teacher activity. Row-level security keeps every read inside
 * the school.
 *
 * Definitions (stated in the response too):
 * - enrolments: learners enrolled in the course at some time in the period;
 * - active learner: a learner of the course (ever enrolled) with at least one
 *   own action in it during the period (progress_daily_activity);
 * - completed: of those enrolments, the ones who completed the course by the
 *   end of the period; completedInPeriod: completed during it;
 * - grade average: the mean current course total (ungraded items left out) of
 *   those enrolments that have one. The gradebook keeps no history: grades
 *   are as of now, whatever the period;
 * - teacher activity: own actions of the courses' teachers (ever assigned) in
 *   the school's courses during the period.
 */
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import { computeCourseGrades, readCourseCompletions, readGradebooks } from '@learnstream/grades';
import { readSchoolNames } from '@learnstream/affiliations';
import { readEnrolments, readSchoolCourses } from '@learnstream/courses';
import { query } from '@learnstream/database';
import { readAccountNames } from '@learnstream/identity';
import { DomainError, Clock } from '@learnstream/domain';
import type { ReportFormat, SchoolPart } from '../progress.events';
import { ProgressRepository } from '../progress.repository';
import { mean, round2 } from '../rules';
import { notRestricted, restrictedIds } from './read-models';

export interface GroupFigures {
  courses: number;
  enrolments: number;
  activeLearners: number;
  completed: number;
  completedInPeriod: number;
  completionRate: number | null;
  graded: number;
  gradeAverage: number | null;
}

export interface SchoolCourseView extends GroupFigures {
  courseId: string;
  code: string;
  title: string;
  subject: string;
  gradeLevel: string | null;
  archived: boolean;
  /** Own actions of its learners in the period. */
  learnerEvents: number;
}

export interface TeacherActivityView {
  teacherId: string;
  displayName: string | null;
  events: number;
  activeDays: number;
  courseIds: string[];
}

export interface SchoolReportView {
  schoolId: string;
  name: string;
  from: string;
  to: string;
  generatedAt: string;
  definitions: Record<string, string>;
  overall: GroupFigures;
  courses: SchoolCourseView[];
  bySubject: (GroupFigures & { subject: string })[];
  byGradeLevel: (GroupFigures & { gradeLevel: string | null })[];
  teachers: TeacherActivityView[];
}

export interface SchoolPeriod {
  from: string;
  to: string;
}

export class GetSchoolReportQuery extends Query<SchoolReportView> {
  constructor(
    readonly actor: Actor,
    readonly schoolId: string,
    readonly period: SchoolPeriod,
    readonly options: { format: ReportFormat; part: SchoolPart },
  ) {
    super();
  }
}

export const SCHOOL_DEFINITIONS: Record<string, string> = {
  period: 'UTC days from `from` to `to`, both included.',
  enrolments: 'Learners enrolled in the course at some time in the period (a learner in two courses counts twice).',
  activeLearners: 'Learners of the course with at least one own action in it during the period (a learner counts once per group).',
  completed: 'Of those enrolments, the ones that completed the course by the end of the period; completedInPeriod: completed during it.',
  completionRate: 'completed / enrolments × 100.',
  gradeAverage: 'Mean current course total (ungraded items left out) of the enrolments that have one. Grades are as of now: the gradebook keeps no history.',
  teachers: 'Own actions of the courses\' teachers in the school\'s courses during the period; activeDays: days with at least one.',
};

interface CourseFigures {
  enrolled: Set<string>;
  active: Set<string>;
  completed: number;
  completedInPeriod: number;
  totals: number[];
  learnerEvents: number;
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();

function figures(parts: CourseFigures[]): GroupFigures {
  const enrolments = parts.reduce((n, p) => n + p.enrolled.size, 0);
  const completed = parts.reduce((n, p) => n + p.completed, 0);
  const totals = parts.flatMap((p) => p.totals);
  return {
    courses: parts.length,
    enrolments,
    activeLearners: new Set(parts.flatMap((p) => [...p.active])).size,
    completed,
    completedInPeriod: parts.reduce((n, p) => n + p.completedInPeriod, 0),
    completionRate: enrolments ? round2((completed / enrolments) * 100) : null,
    graded: totals.length,
    gradeAverage: mean(totals),
  };
}

function grouped<K>(courses: { key: K; figures: CourseFigures }[]): { key: K; figures: GroupFigures }[] {
  const groups = new Map<K, CourseFigures[]>();
  for (const c of courses) groups.set(c.key, [...(groups.get(c.key) ?? []), c.figures]);
  return [...groups].map(([key, parts]) => ({ key, figures: figures(parts) }));
}

@QueryHandler(GetSchoolReportQuery)
export class GetSchoolReportHandler implements IQueryHandler<GetSchoolReportQuery, SchoolReportView> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
    private readonly repo: ProgressRepository,
  ) {}

  async execute({ actor, schoolId, period, options }: GetSchoolReportQuery): Promise<SchoolReportView> {
    await this.policy.require(actor, { action: 'school.manage', schoolId });
    const start = `${period.from}T00:00:00.000Z`;
    const end = nextDay(period.to);
    const read = await this.db.read(await this.policy.scopeOf(actor), async (db) => {
      const name = (await readSchoolNames(db, [schoolId])).get(schoolId);
      if (name === undefined) throw new DomainError('not_found', 'SCHOOL_NOT_FOUND', `no school ${schoolId}`);
      const courses = await readSchoolCourses(db, schoolId);
      const ids = courses.map((c) => c.courseId);
      const restricted = await restrictedIds(db);
      const enrolments = (await readEnrolments(db, { courseIds: ids, during: { from: start, to: end } })).filter((e) => !restricted.has(e.learnerId));
      const completions = (await readCourseCompletions(db, ids, { before: end })).filter((c) => !restricted.has(c.learnerId));
      const activity = await query<{ course_id: string; user_id: string; events: number; learner: boolean; teacher: boolean }>(
        db,
        `SELECT d.course_id, d.user_id, sum(d.events)::int AS events, coalesce(m.learner, false) AS learner, coalesce(m.teacher, false) AS teacher
         FROM progress_daily_activity d LEFT JOIN progress_course_members m USING (course_id, user_id)
         WHERE d.school_id = $1 AND d.day BETWEEN $2 AND $3 AND ${notRestricted('d.user_id')}
         GROUP BY d.course_id, d.user_id, m.learner, m.teacher`,
        [schoolId, period.from, period.to],
      );
      const teachers = await query<{ user_id: string; events: number; days: number; course_ids: string[] }>(
        db,
        `SELECT d.user_id, sum(d.events)::int AS events, count(DISTINCT d.day)::int AS days, array_agg(DISTINCT d.course_id::text) AS course_ids
         FROM progress_daily_activity d JOIN progress_course_members m USING (course_id, user_id)
         WHERE d.school_id = $1 AND d.day BETWEEN $2 AND $3 AND m.teacher
         GROUP BY d.user_id ORDER BY events DESC, d.user_id`,
        [schoolId, period.from, period.to],
      );
      const teacherNames = new Map((await readAccountNames(db, teachers.map((t) => t.user_id))).map((n) => [n.userId, n.displayName]));
      return { name, courses, enrolments, completions, activity, teachers, teacherNames, gradebooks: await readGradebooks(db, ids, null) };
    });

    const perCourse = new Map<string, CourseFigures>(read.courses.map((c) => [c.courseId, { enrolled: new Set(), active: new Set(), completed: 0, completedInPeriod: 0, totals: [], learnerEvents: 0 }]));
    for (const e of read.enrolments) perCourse.get(e.courseId)?.enrolled.add(e.learnerId);
    for (const c of read.completions) {
      const f = perCourse.get(c.courseId);
      if (!f?.enrolled.has(c.learnerId)) continue;
      f.completed += 1;
      if (c.completedAt.getTime() >= Date.parse(start)) f.completedInPeriod += 1;
    }
    for (const a of read.activity) {
      const f = perCourse.get(a.course_id);
      if (!f || !a.learner || a.teacher) continue;
      f.active.add(a.user_id);
      f.learnerEvents += a.events;
    }
    for (const [courseId, f] of perCourse) {
      const book = read.gradebooks.get(courseId);
      if (!book) continue;
      for (const learnerId of f.enrolled) {
        const total = computeCourseGrades(book, learnerId).total.percentage;
        if (total !== null) f.totals.push(total);
      }
    }

    const courses: SchoolCourseView[] = read.courses.map((c) => ({
      courseId: c.courseId,
      code: c.code,
      title: c.title,
      subject: c.subject,
      gradeLevel: c.gradeLevel,
      archived: c.archivedAt !== null,
      learnerEvents: perCourse.get(c.courseId)!.learnerEvents,
      ...figures([perCourse.get(c.courseId)!]),
    }));
    const keyed = read.courses.map((c) => ({ subject: c.subject, gradeLevel: c.gradeLevel, figures: perCourse.get(c.courseId)! }));

    await this.repo.schoolReportViewed(actor, { schoolId, from: period.from, to: period.to, part: options.part, format: options.format });
    return {
      schoolId,
      name: read.name,
      from: period.from,
      to: period.to,
      generatedAt: this.clock.nowIso(),
      definitions: SCHOOL_DEFINITIONS,
      overall: figures([...perCourse.values()]),
      courses,
      bySubject: grouped(keyed.map((k) => ({ key: k.subject, figures: k.figures })))
        .map((g) => ({ subject: g.key, ...g.figures }))
        .sort((a, b) => a.subject.localeCompare(b.subject)),
      byGradeLevel: grouped(keyed.map((k) => ({ key: k.gradeLevel, figures: k.figures })))
        .map((g) => ({ gradeLevel: g.key, ...g.figures }))
        .sort((a, b) => (a.gradeLevel ?? '\uffff').localeCompare(b.gradeLevel ?? '\uffff')),
      teachers: read.teachers.map((t) => ({ teacherId: t.user_id, displayName: read.teacherNames.get(t.user_id) ?? null, events: t.events, activeDays: t.days, courseIds: [...t.course_ids].sort() })),
    };
  }
}
