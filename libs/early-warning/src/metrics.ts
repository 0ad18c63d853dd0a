/**
 * Measures of a ranking against what happened: each learner has a score (the
 * higher, the more at risk) and an outcome (true: failed or withdrew).
 *
 *   ROC AUC   the probability that a learner who went on to fail ranks above
 *             one who passed (ties count half): the Mann–Whitney U statistic
 *             over n₊·n₋, from average ranks.
 *   PR AUC    average precision: Σ over the positives, in score order, of the
 *             precision at that positive's threshold, divided by n₊ (the
 *             step-wise area under the precision–recall curve, as
 *             scikit-learn's average_precision_score; tied scores form one step).
 *   at a threshold t: flagged = score ≥ t; precision = TP / flagged,
 *             recall = TP / n₊, F1 = 2PR / (P + R).
 *   recall at precision p: the largest recall of any threshold whose
 *             precision is at least p (0 when none is).
 */

export interface Scored {
  score: number;
  positive: boolean;
}

export interface ThresholdResult {
  threshold: number;
  flagged: number;
  truePositives: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

/** ROC AUC; null when either class is empty. */
export function rocAuc(items: readonly Scored[]): number | null {
  const positives = items.filter((i) => i.positive).length;
  const negatives = items.length - positives;
  if (!positives || !negatives) return null;
  const sorted = [...items].sort((a, b) => a.score - b.score);
  let rankSum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j].score === sorted[i].score) j += 1;
    const averageRank = (i + 1 + j) / 2; // ranks i+1 … j
    for (let k = i; k < j; k += 1) if (sorted[k].positive) rankSum += averageRank;
    i = j;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The precision–recall curve: one point per distinct score, highest first. */
export function precisionRecallCurve(items: readonly Scored[]): ThresholdResult[] {
  const positives = items.filter((i) => i.positive).length;
  const sorted = [...items].sort((a, b) => b.score - a.score);
  const curve: ThresholdResult[] = [];
  let tp = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j].score === sorted[i].score) {
      if (sorted[j].positive) tp += 1;
      j += 1;
    }
    curve.push(point(sorted[i].score, j, tp, positives));
    i = j;
  }
  return curve;
}

function point(threshold: number, flagged: number, tp: number, positives: number): ThresholdResult {
  const precision = flagged ? tp / flagged : null;
  const recall = positives ? tp / positives : null;
  const f1 = precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : precision === null || recall === null ? null : 0;
  return { threshold, flagged, truePositives: tp, precision, recall, f1 };
}

/** Average precision; null without positives. */
export function prAuc(items: readonly Scored[]): number | null {
  const positives = items.filter((i) => i.positive).length;
  if (!positives) return null;
  let previousRecall = 0;
  let area = 0;
  for (const p of precisionRecallCurve(items)) {
    area += (p.recall! - previousRecall) * p.precision!;
    previousRecall = p.recall!;
  }
  return area;
}

/** Flagged when score ≥ threshold. */
export function atThreshold(items: readonly Scored[], threshold: number): ThresholdResult {
  const flagged = items.filter((i) => i.score >= threshold);
  return point(threshold, flagged.length, flagged.filter((i) => i.positive).length, items.filter((i) => i.positive).length);
}

/** The largest recall at a precision of at least `precision`, and the threshold that gives it (null when no threshold reaches it). */
export function recallAtPrecision(items: readonly Scored[], precision: number): { recall: number; threshold: number | null } {
  let best: { recall: number; threshold: number | null } = { recall: 0, threshold: null };
  for (const p of precisionRecallCurve(items)) {
    if (p.precision !== null && p.precision >= precision && p.recall !== null && p.recall > best.recall) best = { recall: p.recall, threshold: p.threshold };
  }
  return best;
}

/** The lowest threshold whose recall is at least `recall` (the highest precision among those), or null. */
export function thresholdForRecall(items: readonly Scored[], recall: number): number | null {
  for (const p of precisionRecallCurve(items)) if (p.recall !== null && p.recall >= recall) return p.threshold;
  return null;
}

export interface Evaluation {
  learners: number;
  positives: number;
  baseRate: number | null;
  rocAuc: number | null;
  prAuc: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  recallAtPrecision70: number;
  recallAtPrecision80: number;
}

/** Every measure of the eval at one threshold. */
export function evaluate(items: readonly Scored[], threshold: number): Evaluation {
  const positives = items.filter((i) => i.positive).length;
  const at = atThreshold(items, threshold);
  return {
    learners: items.length,
    positives,
    baseRate: items.length ? positives / items.length : null,
    rocAuc: rocAuc(items),
    prAuc: prAuc(items),
    precision: at.precision,
    recall: at.recall,
    f1: at.f1,
    recallAtPrecision70: recallAtPrecision(items, 0.7).recall,
    recallAtPrecision80: recallAtPrecision(items, 0.8).recall,
  };
}
