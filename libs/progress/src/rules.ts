/**
 * The rules of the progress reports, pure and stated in words: every figure a
 * teacher sees comes with the rule that made it, so that it can be checked by
 * hand and argued with. No model, no weights learnt from data.
 */

// ---------------------------------------------------------------- skills

/** A skill's results over the questions tagged with it. */
export interface SkillResult {
  skill: string;
  /** Points earned. */
  earned: number;
  /** Points that could be earned. */
  possible: number;
  /** Questions counted (a question tagged with several skills counts for each). */
  questions: number;
  /** earned / possible × 100, 2 decimals; null when nothing could be earned. */
  percentage: number | null;
}

export const SKILL_RULE = { strengthFrom: 80, improveBelow: 50, minQuestions: 3 } as const;

export const SKILL_RULE_TEXT =
  `Results by skill: for each skill, the points earned over the points possible on the questions tagged with it, each quiz counting once by the ` +
  `learner's latest graded attempt (a question tagged with several skills counts for each). A skill is a STRENGTH when at least ` +
  `${SKILL_RULE.strengthFrom}% of its points were earned over at least ${SKILL_RULE.minQuestions} questions, a POINT TO IMPROVE when under ` +
  `${SKILL_RULE.improveBelow}% over at least ${SKILL_RULE.minQuestions} questions; fewer questions say too little either way.`;

export const round2 = (x: number) => Math.round(x * 100) / 100;
/** Points as the assessments store them (5 decimals), so that sums of floats do not show 0.30000000000000004. */
const round5 = (x: number) => Math.round(x * 1e5) / 1e5;

export function skillResult(skill: string, earned: number, possible: number, questions: number): SkillResult {
  return { skill, earned: round5(earned), possible: round5(possible), questions, percentage: possible > 0 ? round2((earned / possible) * 100) : null };
}

/** Strengths and points to improve (SKILL_RULE), each sorted by skill; judged on the exact ratio, not the rounded one. */
export function skillVerdicts(skills: readonly SkillResult[]): { strengths: string[]; toImprove: string[] } {
  const judged = skills.filter((s) => s.questions >= SKILL_RULE.minQuestions && s.possible > 0);
  const ratio = (s: SkillResult) => (s.earned / s.possible) * 100;
  return {
    strengths: judged.filter((s) => ratio(s) >= SKILL_RULE.strengthFrom).map((s) => s.skill).sort(),
    toImprove: judged.filter((s) => ratio(s) < SKILL_RULE.improveBelow).map((s) => s.skill).sort(),
  };
}

// ---------------------------------------------------------------- at risk

export const DEFAULT_INACTIVE_DAYS = 7;
const DAY_MS = 86_400_000;

export function atRiskRuleText(inactiveDays: number): string {
  return (
    `A learner (active enrolment) is AT RISK in a course when (1) they have done nothing in it for ${inactiveDays} days or more ` +
    `(counted from their last own action in the course, or from their enrolment when they never acted), or (2) their current course ` +
    `grade (the total so far: ungraded items left out) is below the course's pass mark. Each reason is shown. Learners who objected ` +
    `to profiling are never flagged.`
  );
}

/** Where YYYY-MM-DDTHH:MM:SS has its digits. */
const DIGITS_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/**
 * `new Date(s).toISOString()` without the Date, for the two forms a report meets by the hundred: an ISO string as
 * toISOString gives it (2025-08-24T18:50:09.924Z: itself) and a timestamptz as PostgreSQL's JSON gives it in UTC
 * (2025-08-24T18:50:09.924+00:00, 0 to 6 decimals: truncated to milliseconds, as Date reads them). null for any
 * other form (the caller goes through Date).
 */
export function isoOfText(s: string): string | null {
  const n = s.length;
  if (n < 24 || n > 32 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  const digit = (i: number) => s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;
  if (!DIGITS_AT.every(digit)) return null;
  // The decimals: from 20 to the Z (3 of them) or to +00:00 (none, or 1 to 6 after the point).
  const end = n === 24 ? 23 : n - 6;
  if (n === 24 ? s.charCodeAt(23) !== 90 : !s.endsWith('+00:00')) return null;
  if (end === 19) return `${s.slice(0, 19)}.000Z`;
  if (s.charCodeAt(19) !== 46 || end < 21) return null;
  for (let i = 20; i < end; i += 1) if (!digit(i)) return null;
  return n === 24 ? s : `${s.slice(0, 20)}${`${s.slice(20, end)}00`.slice(0, 3)}Z`;
}

/** `new Date(s).toISOString()`, through isoOfText where it can. */
export const isoString = (s: string): string => isoOfText(s) ?? new Date(s).toISOString();

export type AtRiskReason =
  | { rule: 'inactive'; since: string; neverActive: boolean; days: number; text: string }
  | { rule: 'failing'; percentage: number; passPercentage: number; text: string };

export interface AtRiskInput {
  /** The learner's last own action in the course, or null. */
  lastActivityAt: string | null;
  enrolledAt: string;
  now: Date;
  inactiveDays: number;
  /** The current total as the reader may see it, and the course's pass mark. */
  grade: { percentage: number | null; passed: boolean | null } | null;
  passPercentage: number | null;
}

export function atRiskReasons(input: AtRiskInput): AtRiskReason[] {
  const reasons: AtRiskReason[] = [];
  const since = input.lastActivityAt ?? input.enrolledAt;
  const elapsed = (input.now.getTime() - Date.parse(since)) / DAY_MS;
  if (elapsed >= input.inactiveDays) {
    const days = Math.floor(elapsed * 10) / 10;
    const neverActive = input.lastActivityAt === null;
    reasons.push({
      rule: 'inactive',
      since: isoString(since),
      neverActive,
      days,
      text: neverActive
        ? `no activity in this course since enrolment, ${days} days ago (rule: ${input.inactiveDays} days or more)`
        : `no activity in this course for ${days} days (rule: ${input.inactiveDays} days or more)`,
    });
  }
  const g = input.grade;
  if (g && g.passed === false && g.percentage !== null && input.passPercentage !== null) {
    reasons.push({
      rule: 'failing',
      percentage: g.percentage,
      passPercentage: input.passPercentage,
      text: `current grade ${round2(g.percentage)}% is below the pass mark of ${input.passPercentage}%`,
    });
  }
  return reasons;
}

// ---------------------------------------------------------------- grades

export interface GradeBin {
  /** Percentage from (included)… */
  from: number;
  /** …to (excluded; 100 is in the last bin). */
  to: number;
  count: number;
}

/** Bins of 10 percentage points: [0, 10), [10, 20), …, [90, 100]. */
export function gradeDistribution(percentages: readonly number[]): GradeBin[] {
  const bins = Array.from({ length: 10 }, (_, k) => ({ from: k * 10, to: k * 10 + 10, count: 0 }));
  for (const p of percentages) bins[Math.min(9, Math.max(0, Math.floor(p / 10)))].count += 1;
  return bins;
}

export const mean = (values: readonly number[]): number | null => (values.length ? round2(values.reduce((a, b) => a + b, 0) / values.length) : null);

/** The median of `values`, 2 decimals; null when there are none. */
export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return round2(sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2);
}

// ---------------------------------------------------------------- assessments

export type AssessmentKind = 'quiz' | 'assignment' | 'offline';

export interface AssessmentStatistics {
  assessmentId: string;
  kind: AssessmentKind;
  title: string;
  dueAt: string | null;
  /** Active learners (the class). */
  learners: number;
  /** Of them, graded (a quiz: by its grading method over the attempts). */
  graded: number;
  /** Percentages of the maximum grade, 2 decimals. */
  meanPercentage: number | null;
  medianPercentage: number | null;
  distribution: GradeBin[];
  /** Mean grade / maximum grade, 0..1, 3 decimals. */
  facility: number | null;
  /** Of them, first handed in (or graded without a submission) after the due date; null without one. */
  late: number | null;
  /** Of them, nothing handed in or graded yet. */
  missing: number;
}

export const ASSESSMENT_STATISTICS_TEXT =
  'Per quiz, assignment and offline test, over the active learners: graded is how many have a grade (a quiz\'s by its grading method over the attempts); mean and median are of their grades as percentages of the maximum, distribution in bins of 10 percentage points, facility the mean grade over the maximum (0..1); late counts learners who first handed it in (or were first graded without a submission) after its due date (null without one); missing those with nothing handed in or graded yet.';

export const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The statistics of each assessment of a course over the learners `learnerIds`: `results` their grades, `handedIn`
 * per learner the first time each assessment was handed in (or graded without a submission), in milliseconds.
 */
export function assessmentStatistics(
  assessments: readonly { id: string; kind: AssessmentKind; title: string; dueAt: number | null }[],
  results: readonly { activityId: string; learnerId: string; grade: number; maxGrade: number }[],
  handedIn: ReadonlyMap<string, ReadonlyMap<string, number>>,
  learnerIds: readonly string[],
): AssessmentStatistics[] {
  const learners = new Set(learnerIds);
  // Each assessment's results in their order, grouped in one pass (not a pass over all results per assessment).
  const resultsOf = new Map<string, (typeof results)[number][]>();
  for (const r of results) {
    const list = resultsOf.get(r.activityId);
    if (list === undefined) resultsOf.set(r.activityId, [r]);
    else list.push(r);
  }
  return assessments.map((a) => {
    const scores = (resultsOf.get(a.id) ?? []).filter((r) => learners.has(r.learnerId) && r.maxGrade > 0).map((r) => r.grade / r.maxGrade);
    const percentages = scores.map((x) => x * 100);
    let handed = 0;
    let late = 0;
    for (const id of learnerIds) {
      const t = handedIn.get(id)?.get(a.id);
      if (t === undefined) continue;
      handed += 1;
      if (a.dueAt !== null && t > a.dueAt) late += 1;
    }
    return {
      assessmentId: a.id,
      kind: a.kind,
      title: a.title,
      dueAt: a.dueAt === null ? null : new Date(a.dueAt).toISOString(),
      learners: learners.size,
      graded: scores.length,
      meanPercentage: mean(percentages),
      medianPercentage: median(percentages),
      distribution: gradeDistribution(percentages),
      facility: scores.length ? round3(scores.reduce((x, y) => x + y, 0) / scores.length) : null,
      late: a.dueAt === null ? null : late,
      missing: learners.size - handed,
    };
  });
}

// ---------------------------------------------------------------- questions

/**
 * Per-question statistics (classical test theory), over the FIRST attempt of
 * each learner who took the quiz (later attempts are practised ones):
 *
 *   facility        F = mean over learners of (score / points), from 0 (nobody
 *                   scored) to 1 (everyone had it right);
 *   discrimination  D = Pearson's correlation between x, the score on the
 *                   question, and y, the rest-of-test score (the attempt's
 *                   total score minus x), over the n learners:
 *
 *                         Σ (xᵢ − x̄)(yᵢ − ȳ)
 *                   D = ─────────────────────────────
 *                       √( Σ (xᵢ − x̄)² · Σ (yᵢ − ȳ)² )
 *
 *                   (the corrected item-total correlation, from −1 to 1: a
 *                   question the strong learners get right and the weak ones
 *                   wrong is near 1; near 0 or negative, it does not tell them
 *                   apart, or it misleads). Undefined (null) when x or y does
 *                   not vary, e.g. everyone had it right, or n < 2.
 *
 * Computed by PostgreSQL's avg() and corr() (the same formula), in the class
 * report's query; this text is what the report states.
 */
export const QUESTION_STATISTICS_TEXT =
  'Over each learner\'s first attempt: facility = mean of (score / points), 0 to 1; discrimination = Pearson correlation between the ' +
  'score on the question and the rest-of-test score (attempt total minus that question), -1 to 1, null when either does not vary.';
