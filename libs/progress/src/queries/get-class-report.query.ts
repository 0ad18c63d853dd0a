/**
 * The class report of a course, for those who teach it (course.teach: its
 * teachers, non-editing ones too, and the school's admins): participants
 * with last access and activity counts by action, completion, current grades
 * and their distribution, per-question statistics, and the learners at risk
 * with the reason. A handful of indexed reads under row-level security:
 *
 *   course_enrolments ⟕ accounts         participants (display names)
 *   progress_class_activity               counts by action, last access   (course_id = …, a row per learner)
 *   completion_rules, activity_completions, course_completions            (course_id = …)
 *   gradebooks, activity_results          grades, computed by the grades feature's rules
 *   progress_question_stats ⟕ quizzes     first attempts' sums per question (question-statistics.ts)
 *
 * Grades are the current totals (ungraded items left out), as the grades
 * feature computes them. Learners who objected to profiling are never flagged
 * at risk. The read is recorded (ClassReportViewed).
 *
 * At risk: the early-warning model (libs/early-warning, docs/early-warning.md)
 * over the course's facts as of the report's date (early-warning.ts), at the
 * school's threshold setting, with its reasons; the two rules of before
 * (inactivity, failing grade) beside it as `baseline`.
 *
 * As of a date (`asOf`): how the class looked then, from the events whose
 * occurredAt ≤ asOf: enrolments (progress_ew_enrolments), own actions by
 * action and the last one (progress_timeline), grades (activity results as of
 * then, on today's gradebook), completion (completed by then), first quiz
 * attempts graded by then (aggregated from progress_question_results).
 * Without asOf, the live read models, and asOf = now for the model.
 */
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Inject } from '@nestjs/common';
import { AccessPolicy, TenantDb, type Actor } from '@learnstream/access';
import { DomainError, Clock } from '@learnstream/domain';
import { read, readTogether, type Read } from '@learnstream/database';
import { coursesRead, enrolmentsRead } from '@learnstream/courses';
import { accountNamesRead } from '@learnstream/identity';
import { quizzesRead } from '@learnstream/assessments';
import { PROGRESS_OPTIONS, type ProgressOptions } from '../progress.options';
import type { ClassPart, ReportFormat } from '../progress.events';
import { ProgressRepository } from '../progress.repository';
import {
  ASSESSMENT_STATISTICS_TEXT,
  assessmentStatistics,
  atRiskReasons,
  atRiskRuleText,
  gradeDistribution,
  mean,
  QUESTION_STATISTICS_TEXT,
  round2,
  type AssessmentStatistics,
  type GradeBin,
} from '../rules';
import { completionRead, gradebooksRead, learnerCompletion, learnerGrades, withActivityResults, type CompletionView } from '@learnstream/grades';
import { byDisplayName, iso, notRestricted, restrictedRead } from './read-models';
import { questionStatisticsRead } from './question-statistics';
import { atRiskView, courseFactsRead, EARLY_WARNING_RULE_TEXT, judgedLearners, round3, schoolEarlyWarningRead, scoreClass, snapshotOf, type AtRiskView } from './early-warning';
import { CLASS_SUGGESTIONS_TEXT, classSuggestions, type ClassSuggestion } from '../advice';
import type { ThresholdSetting } from '@learnstream/early-warning';

export interface ParticipantView {
  learnerId: string;
  displayName: string | null;
  status: string;
  enrolledAt: string;
  unenrolledAt: string | null;
  /** The learner's last own action in the course. */
  lastAccessAt: string | null;
  /** Own events in the course, in all and by action (verb). */
  events: number;
  activity: Record<string, number>;
  completion: CompletionView;
  /** Current total; null without a gradebook. */
  grade: { percentage: number | null; letter: string | null; passed: boolean | null } | null;
  profilingObjected: boolean;
  /** null when not judged: not an active enrolment, or an objection to profiling. */
  atRisk: AtRiskView | null;
}

export interface EarlyWarningView {
  /** The school's setting (or the request's ?threshold=). */
  threshold: ThresholdSetting;
  /** Flagged when risk ≥ this. */
  riskAtLeast: number;
  /** On courses the model was not fitted on (leave-one-module-out). */
  expectedPrecision: number;
  expectedRecall: number;
  rule: string;
  trainedOn: string;
  /** school: the model trained on the school's own history (its thresholds and expected figures are the school's); bundled: the product's. */
  model: 'school' | 'bundled';
}

export interface QuestionStatisticsView {
  quizId: string;
  quizTitle: string | null;
  /** Place in the attempt (from 0). */
  position: number;
  questionId: string;
  kind: string | null;
  text: string | null;
  skills: string[];
  points: number;
  /** Learners whose first attempt had the question. */
  learners: number;
  meanScore: number;
  /** 0..1, 3 decimals. */
  facility: number;
  /** -1..1, 3 decimals; null when the score or the rest does not vary. */
  discrimination: number | null;
}

export interface ClassReportView {
  courseId: string;
  title: string;
  code: string;
  subject: string;
  gradeLevel: string | null;
  generatedAt: string;
  /** The date the report describes; null: now, from the live read models. */
  asOf: string | null;
  earlyWarning: EarlyWarningView;
  rules: { atRisk: string; inactiveDays: number; grades: string; questions: string; assessments: string; distribution: string; suggestions: string };
  /** Over the active enrolments. */
  summary: {
    learners: number;
    completed: number;
    completionRate: number | null;
    graded: number;
    meanGrade: number | null;
    passing: number;
    /** Flagged by the model. */
    atRisk: number;
    /** Flagged by the two rules of before. */
    atRiskBaseline: number;
    profilingObjected: number;
  };
  participants: ParticipantView[];
  /** The three things that would help the class most (rules.suggestions). */
  suggestions: ClassSuggestion[];
  gradeDistribution: GradeBin[];
  questions: QuestionStatisticsView[];
  /** Per quiz, assignment and offline test: grades, lateness, missing work. */
  assessments: AssessmentStatistics[];
}

export class GetClassReportQuery extends Query<ClassReportView> {
  constructor(
    readonly actor: Actor,
    readonly courseId: string,
    readonly options: { inactiveDays?: number; format: ReportFormat; part: ClassPart; asOf?: string; threshold?: ThresholdSetting },
  ) {
    super();
  }
}


interface ActivityRow {
  user_id: string;
  by_action: Record<string, number>;
  events: number;
  /** JSON: a string. */
  last_at: string;
}

/** Each learner's own actions in the course, by action, and the last one: live (progress_class_activity), or as of a date (progress_timeline). */
function classActivityRead(courseId: string, asOf: Date | null): Read<ActivityRow[]> {
  return asOf
    ? read(
        `SELECT user_id, jsonb_object_agg(action, events) AS by_action, sum(events)::int AS events, max(last_at) AS last_at
         FROM (SELECT user_id, action, count(*)::int AS events, max(occurred_at) AS last_at FROM progress_timeline
               WHERE course_id = $1 AND involvement = 'actor' AND real_actor_id IS NULL AND occurred_at <= $2 AND ${notRestricted('user_id')}
               GROUP BY user_id, action) t
         GROUP BY user_id`,
        [courseId, asOf],
      )
    : read(`SELECT user_id, by_action, events, last_at FROM progress_class_activity WHERE course_id = $1 AND ${notRestricted('user_id')}`, [courseId]);
}

/**
 * What the report starts beside the reads of its transaction (each on a connection of its own) once their inputs are
 * known, and awaits at the end: the record of the read (ClassReportViewed, appended once the course is found: a refused
 * or unknown course records nothing) and the class's objections to profiling (read as the system, ProgressRepository).
 * Neither waits for the other or for the reads, so the report's time is no longer their sum.
 */
interface Beside {
  recorded?: Promise<unknown>;
  objecting?: Promise<Set<string>>;
}

/** The promise, with its rejection handled until it is awaited (never an unhandled rejection meanwhile). */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

@QueryHandler(GetClassReportQuery)
export class GetClassReportHandler implements IQueryHandler<GetClassReportQuery, ClassReportView> {
  constructor(
    private readonly clock: Clock,
    private readonly policy: AccessPolicy,
    private readonly db: TenantDb,
    private readonly repo: ProgressRepository,
    @Inject(PROGRESS_OPTIONS) private readonly settings: ProgressOptions,
  ) {}

  async execute({ actor, courseId, options }: GetClassReportQuery): Promise<ClassReportView> {
    await this.policy.require(actor, { action: 'course.teach', courseId });
    const generatedAt = this.clock.now();
    const asOf = options.asOf === undefined ? null : new Date(options.asOf);
    if (asOf && asOf.getTime() > generatedAt.getTime()) throw new DomainError('invalid', 'VALIDATION_FAILED', `asOf ${options.asOf} is in the future`);
    const beside: Beside = {};
    try {
      return await this.report(actor, courseId, options, { generatedAt, asOf }, beside);
    } finally {
      // A report that failed midway leaves nothing in flight; their own failure is the request's when the report got that far.
      await Promise.allSettled([beside.recorded, beside.objecting]);
    }
  }

  private async report(
    actor: Actor,
    courseId: string,
    options: GetClassReportQuery['options'],
    { generatedAt, asOf }: { generatedAt: Date; asOf: Date | null },
    beside: Beside,
  ): Promise<ClassReportView> {
    const inactiveDays = options.inactiveDays ?? this.settings.inactiveDays;
    const now = asOf ?? generatedAt;

    const got = await this.db.read(await this.policy.scopeOf(actor), async (db) => {
      // Two round trips: the course and who is in it, then everything else about them in one statement.
      const first = await readTogether(db, { courses: coursesRead([courseId]), enrolments: enrolmentsRead({ courseIds: [courseId] }), restricted: restrictedRead() });
      const course = first.courses.get(courseId);
      if (!course) throw new DomainError('not_found', 'COURSE_NOT_FOUND', `no course ${courseId}`);
      beside.recorded = handled(this.repo.classReportViewed(actor, course.schoolId, { courseId, part: options.part, format: options.format }));
      const enrolled = first.enrolments.filter((e) => !first.restricted.has(e.learnerId));
      const learnerIds = enrolled.map((e) => e.learnerId);
      beside.objecting = handled(this.repo.objectingToProfiling(learnerIds));
      const rest = await readTogether(db, {
        facts: courseFactsRead(courseId, now),
        names: accountNamesRead(learnerIds),
        activity: classActivityRead(courseId, asOf),
        questions: questionStatisticsRead(courseId, asOf),
        quizzes: quizzesRead([courseId]),
        school: schoolEarlyWarningRead(course.schoolId),
        gradebooks: gradebooksRead([courseId], null, asOf ? 'none' : 'current'),
        completion: completionRead([courseId], null, asOf),
      });
      const { facts, names } = rest;
      const nameOf = new Map(names.map((n) => [n.userId, n.displayName]));
      const live = byDisplayName(enrolled, (e) => e.learnerId, names).map((e) => ({ ...e, displayName: nameOf.get(e.learnerId) ?? null }));
      // As of a date: who was enrolled then (a learner enrolled since is not in it), with their status then.
      const enrolments = asOf
        ? live
            .filter((e) => facts.enrolments.has(e.learnerId))
            .map((e) => {
              const then = facts.enrolments.get(e.learnerId)!;
              return { ...e, status: then.status, enrolledAt: new Date(then.enrolledAt), unenrolledAt: then.unenrolledAt ? new Date(then.unenrolledAt) : null };
            })
        : live;
      const book = rest.gradebooks.get(courseId);
      return {
        course,
        facts,
        enrolments,
        activity: rest.activity,
        questions: rest.questions,
        quizzes: rest.quizzes,
        threshold: options.threshold ?? rest.school.setting ?? 'precision-first',
        model: rest.school.model,
        // As of a date: the results then, on today's gradebook.
        gradebook: book ? (asOf ? withActivityResults(book, facts.results) : book) : null,
        completion: rest.completion,
      };
    });
    const objecting = await beside.objecting!;

    const byLearner = new Map<string, ActivityRow>();
    for (const a of got.activity) byLearner.set(a.user_id, a);
    const judgedIds = judgedLearners(got.facts, got.enrolments, objecting);
    const scores = scoreClass(snapshotOf(courseId, got.facts, judgedIds), got.threshold, got.model.model);
    const choice = got.model.model.thresholds[got.threshold];

    const participants: ParticipantView[] = got.enrolments.map((e) => {
      const act = byLearner.get(e.learnerId);
      const lastAccessAt = iso(act?.last_at ?? null);
      const enrolledAt = iso(e.enrolledAt)!;
      const grades = got.gradebook ? learnerGrades(got.gradebook, e.learnerId, true) : null;
      const profilingObjected = objecting.has(e.learnerId);
      const judged = e.status === 'active' && !profilingObjected;
      const baseline = judged
        ? atRiskReasons({ lastActivityAt: lastAccessAt, enrolledAt, now, inactiveDays, grade: grades?.total ?? null, passPercentage: grades?.passPercentage ?? null })
        : [];
      return {
        learnerId: e.learnerId,
        displayName: e.displayName,
        status: e.status,
        enrolledAt,
        unenrolledAt: iso(e.unenrolledAt),
        lastAccessAt,
        events: act?.events ?? 0,
        activity: act?.by_action ?? {},
        completion: learnerCompletion(got.completion, courseId, e.learnerId),
        grade: grades ? { percentage: grades.total.percentage, letter: grades.total.letter, passed: grades.total.passed } : null,
        profilingObjected,
        atRisk: judged ? atRiskView(scores.get(e.learnerId), baseline) : null,
      };
    });

    const active = participants.filter((p) => p.status === 'active');
    const totals = active.map((p) => p.grade?.percentage).filter((x): x is number => typeof x === 'number');
    const completed = active.filter((p) => p.completion.courseCompleted).length;

    const quizById = new Map(got.quizzes.map((q) => [q.quizId, q]));
    const questions: QuestionStatisticsView[] = got.questions
      .map((r) => {
        const quiz = quizById.get(r.quiz_id);
        const meta = quiz?.questions.find((q) => q.questionId === r.question_id);
        return {
          quizId: r.quiz_id,
          quizTitle: quiz?.title ?? null,
          position: Number(r.position),
          questionId: r.question_id,
          kind: meta?.kind ?? null,
          text: meta?.text ?? null,
          skills: meta?.skills ?? [],
          points: round2(Number(r.points)),
          learners: r.learners,
          meanScore: round3(Number(r.mean_score)),
          facility: round3(Number(r.facility)),
          discrimination: r.discrimination === null ? null : round3(Number(r.discrimination)),
        };
      })
      .sort((a, b) => (a.quizTitle ?? '').localeCompare(b.quizTitle ?? '') || a.quizId.localeCompare(b.quizId) || a.position - b.position);

    await beside.recorded;
    return {
      courseId,
      title: got.course.title,
      code: got.course.code,
      subject: got.course.subject,
      gradeLevel: got.course.gradeLevel,
      generatedAt: generatedAt.toISOString(),
      asOf: asOf ? asOf.toISOString() : null,
      earlyWarning: {
        threshold: got.threshold,
        riskAtLeast: round3(choice.threshold),
        expectedPrecision: round3(choice.expectedPrecision),
        expectedRecall: round3(choice.expectedRecall),
        rule: choice.rule,
        trainedOn: got.model.model.trainedOn,
        model: got.model.source,
      },
      rules: {
        atRisk: `${EARLY_WARNING_RULE_TEXT} Baseline (shown beside it, not the flag): ${atRiskRuleText(inactiveDays)}`,
        inactiveDays,
        grades: 'Current course totals as the gradebook computes them (ungraded items left out, every item whether released or not).',
        questions: QUESTION_STATISTICS_TEXT,
        assessments: ASSESSMENT_STATISTICS_TEXT,
        distribution: 'Active learners with a current total, in bins of 10 percentage points: [0, 10), [10, 20), …, [90, 100].',
        suggestions: CLASS_SUGGESTIONS_TEXT,
      },
      summary: {
        learners: active.length,
        completed,
        completionRate: active.length ? round2((completed / active.length) * 100) : null,
        graded: totals.length,
        meanGrade: mean(totals),
        passing: active.filter((p) => p.grade?.passed === true).length,
        atRisk: active.filter((p) => p.atRisk?.flagged).length,
        atRiskBaseline: active.filter((p) => p.atRisk?.baseline.flagged).length,
        profilingObjected: active.filter((p) => p.profilingObjected).length,
      },
      participants,
      suggestions: classSuggestions({
        questions,
        atRisk: active.filter((p) => p.atRisk?.flagged).map((p) => p.displayName ?? p.learnerId),
        missing: got.facts.assessments
          .filter((a) => a.dueAt !== null && a.dueAt <= now.getTime())
          .map((a) => ({
            title: a.title,
            learners: judgedIds.length,
            missing: judgedIds.filter((id) => !got.facts.submissions.get(id)?.has(a.id)).length,
          })),
      }),
      gradeDistribution: gradeDistribution(totals),
      questions,
      assessments: assessmentStatistics(got.facts.assessments, got.facts.results, got.facts.submissions, active.map((p) => p.learnerId)),
    };
  }
}
