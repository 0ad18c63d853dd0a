/**
 * What the log says about each learner of a course by a date, and the
 * features the model reads. One code path: the class report builds a
 * CourseSnapshot from its read models as of `asOf` (events with occurredAt ≤
 * asOf), the trainer builds the same snapshot from a dataset's files; both
 * call `courseFeatures`.
 *
 * A snapshot holds only what had happened by `asOf`: submissions made by then,
 * assessments (with their due dates, whether due yet or not), the learners
 * enrolled then. Learners who had already left are not in it.
 *
 * Features of a learner (A = the assessments due by asOf, n = |A|):
 *   submittedShare   submitted by asOf / n among A (1 when nothing is due yet)
 *   missedLast       1 when the latest assessment due is not submitted, else 0
 *   scoreSoFar       mean over A of the score (0–1), a missed one counting 0
 *   scoreRank        scoreSoFar's percentile within the class (0 lowest, 1 highest, ties averaged)
 *   meanScore        mean score of what was graded (0–1; the class's mean when nothing was)
 *   lateShare        share of the submissions to A made after the due date (0 without submissions)
 *   recencyRank      the last submission's time as a percentile within the class (0: never submitted or the
 *                    longest ago; ties averaged), so that a course's rhythm is its own
 *   aheadCount       submissions to assessments not yet due
 *   enrolmentRank    the enrolment's time as a percentile within the class (1: enrolled last)
 *   trend            last graded score − mean of the earlier ones (0 with fewer than two)
 *   classSubmittedShare  the class's mean submittedShare: the same for every learner of the class, it sets the
 *                    course's level (a missed assessment says more where everyone else handed it in)
 *   leadRank         how early the learner hands work in: the mean of (due − first submission) in days over
 *                    the submissions to A, clipped to ±30 days (no submission: −30) and rounded to the hour, as a
 *                    percentile within the class
 *   daysSinceLast    days since the last submission (since enrolment when none), at most 120
 *   assessmentRank   per assessment of A, the learner's result as a percentile within the class (a missed one
 *                    below every grade, ties averaged; a submission not graded yet has no rank there), averaged
 *                    over the assessments where the learner has one (0.5 with none)
 *   recentRank       the same over the latest RECENT_ASSESSMENTS of A only (with a rank)
 */

export const DAY_MS = 86_400_000;

export interface AssessmentFacts {
  id: string;
  title: string;
  /** Epoch ms; null: no due date (never counted as due). */
  dueAt: number | null;
}

export interface SubmissionFacts {
  assessmentId: string;
  /** Epoch ms, ≤ the snapshot's asOf. */
  submittedAt: number;
  /** 0–1; null when not graded (by asOf). */
  score: number | null;
}

export interface LearnerFacts {
  learnerId: string;
  enrolledAt: number;
  submissions: SubmissionFacts[];
}

export interface CourseSnapshot {
  courseId: string;
  asOf: number;
  assessments: AssessmentFacts[];
  learners: LearnerFacts[];
}

export const FEATURE_NAMES = [
  'submittedShare',
  'missedLast',
  'scoreSoFar',
  'scoreRank',
  'meanScore',
  'lateShare',
  'recencyRank',
  'aheadCount',
  'enrolmentRank',
  'trend',
  'classSubmittedShare',
  'leadRank',
  'daysSinceLast',
  'assessmentRank',
  'recentRank',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

/**
 * The features the trained model reads: chosen by leave-one-module-out on the
 * development data (docs/early-warning.md); the others are computed and kept
 * for a school's own training.
 */
export const MODEL_FEATURES: readonly FeatureName[] = [
  'submittedShare',
  'assessmentRank',
  'recentRank',
  'trend',
  'leadRank',
  'daysSinceLast',
  'classSubmittedShare',
];

/**
 * The direction that means more risk, in words a teacher would use: a reason is given only where the model agrees.
 * 0: a feature of the class, not of the learner (it sets the course's level): never a reason.
 */
export const RISKY_DIRECTION: Record<FeatureName, 1 | -1 | 0> = {
  submittedShare: -1,
  missedLast: 1,
  scoreSoFar: -1,
  scoreRank: -1,
  meanScore: -1,
  lateShare: 1,
  recencyRank: -1,
  aheadCount: -1,
  enrolmentRank: 1,
  trend: -1,
  classSubmittedShare: 0,
  leadRank: -1,
  daysSinceLast: 1,
  assessmentRank: -1,
  recentRank: -1,
};

/** Lead times are clipped to this many days either side of the due date (a learner without submissions: −LEAD_CLIP_DAYS). */
export const LEAD_CLIP_DAYS = 30;
/** daysSinceLast is capped here, so that a long-forgotten enrolment does not dominate. */
export const DAYS_SINCE_CAP = 120;
/** recentRank reads the results of this many of the latest assessments due. */
export const RECENT_ASSESSMENTS = 2;
export type FeatureVector = Record<FeatureName, number>;

/** The facts behind a learner's features, in the units the reasons speak. */
export interface LearnerEvidence {
  due: number;
  submittedDue: number;
  missed: string[];
  lateDue: number;
  scoreSoFar: number | null;
  scorePercentile: number | null;
  meanScore: number | null;
  lastSubmissionDays: number | null;
  /** Share of the class that enrolled earlier (0–1). */
  enrolledAfterShare: number;
  daysEnrolled: number;
  trend: number | null;
  /** Mean of (due − first submission) in days over the submissions to the assessments due; null without any. */
  meanLeadDays: number | null;
  /** Share of the rest of the class that hands work in earlier on average (0–1). */
  classEarlier: number;
  /** The mean of the learner's percentiles within the class over the assessments due (null: none ranked). */
  assessmentPercentile: number | null;
  /** The same over the latest ones, and their titles. */
  recentPercentile: number | null;
  recent: string[];
}

export interface LearnerFeatures {
  learnerId: string;
  features: FeatureVector;
  evidence: LearnerEvidence;
}

/** Percentile ranks (0 lowest … 1 highest, ties share their average rank); a single value is 0.5. */
export function percentileRanks(values: readonly number[]): number[] {
  if (values.length === 1) return [0.5];
  // The indices in the order of their values (a stable sort: ties keep their order).
  const order = Array.from(values, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && values[order[j]] === values[order[i]]) j += 1;
    const rank = (i + j - 1) / 2 / (values.length - 1);
    for (let k = i; k < j; k += 1) ranks[order[k]] = rank;
    i = j;
  }
  return ranks;
}

/** For each value, the share of the other values strictly above it (0 for a single value). */
export function shareAbove(values: readonly number[]): number[] {
  if (values.length <= 1) return values.map(() => 0);
  const sorted = [...values].sort((a, b) => a - b);
  return values.map((v) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] <= v) lo = mid + 1;
      else hi = mid;
    }
    return (sorted.length - lo) / (values.length - 1);
  });
}

/**
 * Assessments in the order of their due dates, then their titles (then ids): the ids are the one thing a
 * dataset's files and the product's log do not share, so they break a tie only where nothing else does, and
 * the features never depend on them (sums are taken in this order, "the latest" is the last of it).
 */
const byDueThenTitle = (a: AssessmentFacts, b: AssessmentFacts) =>
  (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity) || a.title.localeCompare(b.title) || a.id.localeCompare(b.id);

/** A learner's submissions by asOf in the order they were made (stable: those made at the same time keep theirs); the array itself when it is so already. */
function inTimeOrder(submissions: readonly SubmissionFacts[], asOf: number): readonly SubmissionFacts[] {
  for (let i = 0; i < submissions.length; i += 1) {
    if (submissions[i].submittedAt > asOf || (i > 0 && submissions[i].submittedAt < submissions[i - 1].submittedAt)) {
      return submissions.filter((s) => s.submittedAt <= asOf).sort((a, b) => a.submittedAt - b.submittedAt);
    }
  }
  return submissions;
}

/**
 * What a learner handed in, by the time of its first submission, those made at the same time by their assessments'
 * due dates (byDueThenTitle). `byAssessment` is filled in time order: only ties need the sort.
 */
function madeInOrder<M extends { submittedAt: number }>(
  byAssessment: ReadonlyMap<string, M>,
  assessmentById: ReadonlyMap<string, AssessmentFacts>,
  unknown: (id: string) => AssessmentFacts,
): Iterable<M> {
  let previous: number | null = null;
  for (const m of byAssessment.values()) {
    if (previous !== null && !(m.submittedAt > previous)) {
      return [...byAssessment]
        .sort(([a, x], [b, y]) => x.submittedAt - y.submittedAt || byDueThenTitle(assessmentById.get(a) ?? unknown(a), assessmentById.get(b) ?? unknown(b)))
        .map(([, made]) => made);
    }
    previous = m.submittedAt;
  }
  return byAssessment.values();
}

export function courseFeatures(snapshot: CourseSnapshot): LearnerFeatures[] {
  const { asOf } = snapshot;
  const due = snapshot.assessments.filter((a) => a.dueAt !== null && a.dueAt <= asOf).sort(byDueThenTitle);
  const assessmentById = new Map(snapshot.assessments.map((a) => [a.id, a]));
  const unknown = (id: string): AssessmentFacts => ({ id, title: '', dueAt: null });
  const dueIds = new Set(due.map((a) => a.id));
  const latest = due.at(-1);

  // Per learner, in loops over what is there (a class report scores a class of hundreds on every call): the same
  // sums in the same order as the definitions above.
  const partial = snapshot.learners.map((learner) => {
    // Per assessment: the first submission by asOf (its time says whether it was late) and the latest grade by then.
    const byAssessment = new Map<string, { submittedAt: number; score: number | null }>();
    for (const s of inTimeOrder(learner.submissions, asOf)) {
      const earlier = byAssessment.get(s.assessmentId);
      if (earlier === undefined) byAssessment.set(s.assessmentId, { submittedAt: s.submittedAt, score: s.score ?? null });
      else if (s.score !== null && s.score !== undefined) earlier.score = s.score;
    }
    // Work handed in at the same instant (an import's banked results) is ordered by its assessments' due dates.
    const made = madeInOrder(byAssessment, assessmentById, unknown);
    let submittedDue = 0;
    let lateDue = 0;
    let scoreSum = 0;
    let leadSum = 0;
    const missed: string[] = [];
    for (const a of due) {
      const mine = byAssessment.get(a.id);
      scoreSum += mine?.score ?? 0;
      if (mine === undefined) {
        missed.push(a.title);
        continue;
      }
      submittedDue += 1;
      if (mine.submittedAt > a.dueAt!) lateDue += 1;
      leadSum += (a.dueAt! - mine.submittedAt) / DAY_MS;
    }
    const scoreSoFar = due.length ? scoreSum / due.length : null;
    // What was graded, in the order it was handed in: its mean, and the last one against the mean of the earlier ones.
    let graded = 0;
    let gradedSum = 0;
    let sumBeforeLast = 0;
    let lastScore = 0;
    let lastAt: number | null = null;
    for (const m of made) {
      if (lastAt === null || m.submittedAt > lastAt) lastAt = m.submittedAt;
      if (m.score === null) continue;
      graded += 1;
      sumBeforeLast = gradedSum;
      gradedSum += m.score;
      lastScore = m.score;
    }
    const meanScore = graded ? gradedSum / graded : null;
    const trend = graded >= 2 ? lastScore - sumBeforeLast / (graded - 1) : null;
    const meanLeadDays = submittedDue ? leadSum / submittedDue : null;
    let ahead = 0;
    for (const id of byAssessment.keys()) if (!dueIds.has(id)) ahead += 1;
    return {
      learner,
      evidence: {
        due: due.length,
        submittedDue,
        missed,
        lateDue,
        scoreSoFar,
        scorePercentile: null as number | null,
        meanScore,
        lastSubmissionDays: lastAt === null ? null : Math.max(0, (asOf - lastAt) / DAY_MS),
        enrolledAfterShare: 0,
        daysEnrolled: Math.max(0, (asOf - learner.enrolledAt) / DAY_MS),
        trend,
        meanLeadDays,
        classEarlier: 0,
        assessmentPercentile: null as number | null,
        recentPercentile: null as number | null,
        recent: [] as string[],
      } satisfies LearnerEvidence,
      byAssessment,
      lastAt,
      ahead,
      missedLast: latest !== undefined && !byAssessment.has(latest.id),
    };
  });

  // Per assessment due: each learner's result as a percentile within the class; missed is below every grade,
  // a submission not graded yet is left out of that assessment's ranking.
  const MISSED = -1;
  const perAssessment = due.map((a) => {
    const ranked: number[] = [];
    const values: number[] = [];
    partial.forEach((p, i) => {
      const mine = p.byAssessment.get(a.id);
      const v = mine === undefined ? MISSED : mine.score;
      if (v === null) return;
      ranked.push(i);
      values.push(v);
    });
    const ranks = percentileRanks(values);
    const byLearner = new Array<number | null>(partial.length).fill(null);
    ranked.forEach((i, k) => (byLearner[i] = ranks[k]));
    return { title: a.title, byLearner };
  });
  const scoreRanks = percentileRanks(partial.map((p) => p.evidence.scoreSoFar ?? 0));
  const recencyRanks = percentileRanks(partial.map((p) => p.lastAt ?? -Infinity));
  const enrolmentRanks = percentileRanks(partial.map((p) => p.learner.enrolledAt));
  // To the hour: work handed in within the same hour is not "later" than the rest of the class (a class handing in
  // one after the other, seconds apart, would otherwise be ranked by the seconds).
  const clip = (d: number) => Math.round(Math.max(-LEAD_CLIP_DAYS, Math.min(LEAD_CLIP_DAYS, d)) * 24) / 24;
  const leads = partial.map((p) => clip(p.evidence.meanLeadDays ?? -LEAD_CLIP_DAYS));
  const leadRanks = percentileRanks(leads);
  const earlier = shareAbove(leads);
  const submittedShares = partial.map((p) => (p.evidence.due ? p.evidence.submittedDue / p.evidence.due : 1));

  // Summed in ascending order: the same class in another order gives the very same number.
  const classSubmittedShare = [...submittedShares].sort((a, b) => a - b).reduce((a, b) => a + b, 0) / Math.max(1, submittedShares.length);
  const gradedMeans = partial.map((p) => p.evidence.meanScore).filter((m): m is number => m !== null);
  const classMean = gradedMeans.length ? gradedMeans.sort((a, b) => a - b).reduce((a, b) => a + b, 0) / gradedMeans.length : 0;

  return partial.map((p, i) => {
    const e = p.evidence;
    if (e.scoreSoFar !== null) e.scorePercentile = scoreRanks[i];
    e.enrolledAfterShare = enrolmentRanks[i];
    e.classEarlier = earlier[i];
    // The learner's ranks over the assessments due (in their order), and over the latest RECENT_ASSESSMENTS of those.
    let ranks = 0;
    let rankSum = 0;
    for (const a of perAssessment) {
      const rank = a.byLearner[i];
      if (rank === null) continue;
      ranks += 1;
      rankSum += rank;
    }
    e.assessmentPercentile = ranks ? rankSum / ranks : null;
    if (ranks) {
      let skip = ranks - RECENT_ASSESSMENTS;
      let recentSum = 0;
      for (const a of perAssessment) {
        const rank = a.byLearner[i];
        if (rank === null || skip-- > 0) continue;
        recentSum += rank;
        e.recent.push(a.title);
      }
      e.recentPercentile = recentSum / e.recent.length;
    }
    return {
      learnerId: p.learner.learnerId,
      evidence: e,
      features: {
        submittedShare: submittedShares[i],
        missedLast: p.missedLast ? 1 : 0,
        scoreSoFar: e.scoreSoFar ?? 1,
        scoreRank: e.scoreSoFar === null ? 0.5 : scoreRanks[i],
        meanScore: e.meanScore ?? classMean,
        lateShare: e.submittedDue ? e.lateDue / e.submittedDue : 0,
        recencyRank: recencyRanks[i],
        aheadCount: p.ahead,
        enrolmentRank: enrolmentRanks[i],
        trend: e.trend ?? 0,
        classSubmittedShare,
        leadRank: leadRanks[i],
        daysSinceLast: Math.min(DAYS_SINCE_CAP, e.lastSubmissionDays ?? e.daysEnrolled),
        assessmentRank: e.assessmentPercentile ?? 0.5,
        recentRank: e.recentPercentile ?? 0.5,
      },
    };
  });
}
