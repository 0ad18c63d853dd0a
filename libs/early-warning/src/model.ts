/**
 * The early-warning model: a logistic regression over the features of
 * features.ts, standardised with the training set's means and standard
 * deviations, with its weights in early-warning.model.json (written by
 * `learnstream early-warning train`, documented in docs/early-warning.md).
 *
 *   risk = σ(β₀ + Σⱼ βⱼ · (xⱼ − meanⱼ) / sdⱼ)
 *
 * A learner is flagged when risk ≥ the threshold of the school's setting:
 * `precision-first` (few false alarms) or `recall-first` (few missed), each
 * with the precision and recall it had on courses the model was not fitted on
 * (leave-one-module-out), stored beside it.
 *
 * Reasons: the features that push the learner's risk up the most (βⱼ·zⱼ > 0,
 * largest first, up to three, one said inside another dropped), each said in words with its numbers; only
 * those whose weight points the way a teacher would read it (fewer
 * submissions, lower scores, later work: RISKY_DIRECTION), so that a reason
 * never reads "scores too high" where correlated features share the weight.
 */
import { FEATURE_NAMES, RISKY_DIRECTION, type FeatureName, type FeatureVector, type LearnerEvidence, type LearnerFeatures } from './features';
import { sigmoid } from './logistic';

export const THRESHOLD_SETTINGS = ['precision-first', 'recall-first'] as const;
export type ThresholdSetting = (typeof THRESHOLD_SETTINGS)[number];

export interface ThresholdChoice {
  threshold: number;
  /** Pooled over the held-out modules of the leave-one-module-out validation. */
  expectedPrecision: number;
  expectedRecall: number;
  /** What the threshold was chosen for. */
  rule: string;
}

export interface EarlyWarningModel {
  version: 1;
  description: string;
  trainedOn: string;
  /** Days of the presentations whose snapshots were pooled for the fit. */
  atDays: number[];
  l2: number;
  features: FeatureName[];
  mean: number[];
  sd: number[];
  intercept: number;
  weights: number[];
  thresholds: Record<ThresholdSetting, ThresholdChoice>;
  /** The leave-one-module-out figures the choice rests on. */
  validation: unknown;
}

export interface RiskReason {
  feature: FeatureName;
  /** βⱼ·zⱼ: how much it adds to the log-odds. */
  contribution: number;
  text: string;
}

export interface RiskScore {
  learnerId: string;
  risk: number;
  flagged: boolean;
  reasons: RiskReason[];
  features: FeatureVector;
}

const pct = (x: number) => `${Math.round(x * 100)} %`;
/** A percentile within the class in words: "bottom 20 %". */
const bottom = (p: number | null) => (p === 0 ? 'lowest place' : `bottom ${Math.max(1, Math.ceil((p ?? 0.5) * 100))} %`);
const days = (x: number) => `${Math.round(x)} day${Math.round(x) === 1 ? '' : 's'}`;

const missedText = (e: LearnerEvidence, f: FeatureVector) =>
  `missed ${e.due - e.submittedDue} of ${e.due} assessment${e.due === 1 ? '' : 's'} due${e.missed.length ? ` (${e.missed.join(', ')})` : ''}${f.missedLast && e.submittedDue > 0 ? ', the latest one too' : ''}`;

function reasonText(feature: FeatureName, e: LearnerEvidence, f: FeatureVector): string {
  switch (feature) {
    case 'submittedShare':
    case 'missedLast':
      return missedText(e, f);
    case 'scoreSoFar':
      return `score so far ${pct(e.scoreSoFar ?? 0)} over the assessments due (a missed one counts 0)`;
    case 'scoreRank': {
      const p = e.scorePercentile ?? 0.5;
      if (p === 0) return 'the lowest scores so far in the class';
      return p <= 0.5 ? `scores so far in the bottom ${Math.max(1, Math.ceil(p * 100))} % of the class` : `scores so far at the ${Math.round(p * 100)}th percentile of the class`;
    }
    case 'assessmentRank':
      // A missed assessment ranks lowest: said with what was missed (the submitted share's reason then is not repeated).
      return `results in the ${bottom(e.assessmentPercentile)} of the class on average over the assessments due${e.due > e.submittedDue ? `; ${missedText(e, f)}` : ''}`;
    case 'recentRank':
      return `the latest result${e.recent.length === 1 ? '' : 's'} (${e.recent.join(', ')}) in the ${bottom(e.recentPercentile)} of the class`;
    case 'meanScore':
      return e.meanScore === null ? 'nothing graded yet' : `mean grade of what was graded ${pct(e.meanScore)}`;
    case 'lateShare':
      return `${e.lateDue} of ${e.submittedDue} submissions handed in after the due date`;
    case 'recencyRank':
      return e.lastSubmissionDays === null
        ? `no submission in the ${days(e.daysEnrolled)} since enrolment`
        : `last submission ${days(e.lastSubmissionDays)} ago, longer ago than ${Math.round((1 - f.recencyRank) * 100)} % of the class`;
    case 'aheadCount':
      return `${f.aheadCount} submissions ahead of their due date`;
    case 'enrolmentRank':
      return `enrolled later than ${Math.round(e.enrolledAfterShare * 100)} % of the class`;
    case 'classSubmittedShare':
      return `the class handed in ${pct(f.classSubmittedShare)} of the assessments due`;
    case 'leadRank':
      return e.meanLeadDays === null
        ? reasonText('daysSinceLast', e, f)
        : `hands work in later than ${Math.round(e.classEarlier * 100)} % of the class (on average ${days(Math.abs(e.meanLeadDays))} ${e.meanLeadDays >= 0 ? 'before' : 'after'} the due date)`;
    case 'daysSinceLast': {
      // The days since the last submission are what a learner who stopped handing work in shows: said with what they missed.
      const missed = e.due > e.submittedDue ? missedText(e, f) : null;
      return e.lastSubmissionDays === null
        ? `no submission in the ${days(e.daysEnrolled)} since enrolment${missed ? `: ${missed}` : ''}`
        : `last submission ${days(e.lastSubmissionDays)} ago${missed ? `; ${missed}` : ''}`;
    }
    case 'trend':
      return `latest grade ${e.trend! < 0 ? 'down' : 'up'} ${Math.abs(Math.round((e.trend ?? 0) * 100))} points on the earlier mean`;
  }
}

/** A reason is said only where the learner's own facts bear it out (missed something, in the lower half, later than someone, …). */
function backedByEvidence(feature: FeatureName, e: LearnerEvidence, f: FeatureVector): boolean {
  switch (feature) {
    case 'submittedShare':
    case 'missedLast':
      return e.due > e.submittedDue;
    case 'scoreSoFar':
    case 'scoreRank':
      return e.scorePercentile !== null && e.scorePercentile <= 0.5;
    case 'assessmentRank':
      return e.assessmentPercentile !== null && e.assessmentPercentile <= 0.5;
    case 'recentRank':
      return e.recentPercentile !== null && e.recentPercentile <= 0.5;
    case 'meanScore':
      return e.meanScore !== null;
    case 'lateShare':
      return e.lateDue > 0;
    case 'recencyRank':
    case 'daysSinceLast':
      return f.recencyRank < 0.5;
    case 'leadRank':
      return e.classEarlier > 0;
    case 'trend':
      return e.trend !== null && e.trend < 0;
    case 'aheadCount':
    case 'enrolmentRank':
    case 'classSubmittedShare':
      return true;
  }
}

/** Scores every learner of the snapshot's features; reasons only for the flagged ones (up to three). */
export function scoreLearners(model: EarlyWarningModel, learners: readonly LearnerFeatures[], setting: ThresholdSetting): RiskScore[] {
  const threshold = model.thresholds[setting].threshold;
  const contribution = (l: LearnerFeatures, j: number) => (model.weights[j] * (l.features[model.features[j]] - model.mean[j])) / model.sd[j];
  return learners.map((l) => {
    // The sum of the terms in the features' order; the terms themselves (and the words) only for a learner flagged.
    let sum = 0;
    for (let j = 0; j < model.features.length; j += 1) sum += contribution(l, j);
    const risk = sigmoid(model.intercept + sum);
    const flagged = risk >= threshold;
    if (!flagged) return { learnerId: l.learnerId, risk, flagged, reasons: [], features: l.features };
    // The candidates: the terms that raise the risk the way a teacher reads it, where the facts bear them out; the largest first.
    const candidates: RiskReason[] = [];
    model.features.forEach((feature, j) => {
      const c = contribution(l, j);
      if (c > 0 && Math.sign(model.weights[j]) === RISKY_DIRECTION[feature] && backedByEvidence(feature, l.evidence, l.features)) candidates.push({ feature, contribution: c, text: '' });
    });
    candidates.sort((a, b) => b.contribution - a.contribution);
    const missed = l.evidence.due > l.evidence.submittedDue ? missedText(l.evidence, l.features) : null;
    let missedSaid = false;
    const seen = new Set<string>();
    let said = 0;
    for (const t of candidates) {
      let text = reasonText(t.feature, l.evidence, l.features);
      // The missed assessments are said once, in the first reason that carries them; later ones say the rest.
      if (missed && text.includes(missed)) {
        if (missedSaid) text = text.replace(`: ${missed}`, '').replace(`; ${missed}`, '');
        missedSaid = true;
      }
      if (seen.has(text)) continue;
      seen.add(text);
      t.text = text;
      candidates[said++] = t;
    }
    candidates.length = said;
    // A reason another one already says in full (the missed assessments inside "last submission … ago; missed …") is not repeated.
    const reasons = candidates.filter((t) => !candidates.some((o) => o !== t && o.text.includes(t.text))).slice(0, 3);
    return { learnerId: l.learnerId, risk, flagged, reasons, features: l.features };
  });
}

export function checkModel(model: EarlyWarningModel): EarlyWarningModel {
  const n = model.features.length;
  if (model.version !== 1 || model.weights.length !== n || model.mean.length !== n || model.sd.length !== n) throw new Error('early-warning model: weights, means and sds must match the features');
  for (const f of model.features) if (!(FEATURE_NAMES as readonly string[]).includes(f)) throw new Error(`early-warning model: unknown feature ${f}`);
  for (const s of THRESHOLD_SETTINGS) if (typeof model.thresholds[s]?.threshold !== 'number') throw new Error(`early-warning model: no ${s} threshold`);
  return model;
}

/** A stored model (a school's, read back from its event): the shape checkModel accepts, numbers finite. */
export function isEarlyWarningModel(value: unknown): value is EarlyWarningModel {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Partial<EarlyWarningModel>;
  const finite = (xs: unknown) => Array.isArray(xs) && xs.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!Array.isArray(m.features) || !finite(m.weights) || !finite(m.mean) || !finite(m.sd) || typeof m.intercept !== 'number' || !Number.isFinite(m.intercept)) return false;
  if (typeof m.trainedOn !== 'string' || !finite(m.atDays) || typeof m.l2 !== 'number' || typeof m.thresholds !== 'object' || m.thresholds === null) return false;
  try {
    checkModel(m as EarlyWarningModel);
    return THRESHOLD_SETTINGS.every((s) => ['expectedPrecision', 'expectedRecall'].every((k) => Number.isFinite(m.thresholds![s][k as 'expectedPrecision'])));
  } catch {
    return false;
  }
}
