/**
 * Fitting the model, and the honest way to judge it: leave one module out
 * (every presentation of a module is held out together, the model fitted on
 * the other modules scores it). The thresholds are chosen on those held-out
 * scores, pooled, never on a module the fit saw.
 */
import { courseFeatures, FEATURE_NAMES, MODEL_FEATURES, type CourseSnapshot, type FeatureName } from './features';
import { fitLogistic, sigmoid } from './logistic';
import { evaluate, recallAtPrecision, thresholdForRecall, atThreshold, type Evaluation, type Scored } from './metrics';
import type { EarlyWarningModel, ThresholdChoice, ThresholdSetting } from './model';

export interface TrainingCourse {
  /** The group held out together (a module: all its presentations). */
  group: string;
  name: string;
  day: number;
  snapshot: CourseSnapshot;
  /** learnerId → went on to fail or withdraw. */
  outcomes: Map<string, boolean>;
}

export interface TrainingRow {
  group: string;
  course: string;
  day: number;
  learnerId: string;
  x: number[];
  positive: boolean;
}

export function trainingRows(courses: readonly TrainingCourse[], features: readonly FeatureName[] = FEATURE_NAMES): TrainingRow[] {
  return courses.flatMap((c) =>
    courseFeatures(c.snapshot)
      .filter((l) => c.outcomes.has(l.learnerId))
      .map((l) => ({ group: c.group, course: c.name, day: c.day, learnerId: l.learnerId, x: features.map((f) => l.features[f]), positive: c.outcomes.get(l.learnerId)! })),
  );
}

export interface FittedWeights {
  features: FeatureName[];
  mean: number[];
  sd: number[];
  intercept: number;
  weights: number[];
}

export function fit(rows: readonly TrainingRow[], features: readonly FeatureName[], l2: number): FittedWeights {
  const k = features.length;
  const mean = Array.from({ length: k }, (_, j) => rows.reduce((s, r) => s + r.x[j], 0) / rows.length);
  const sd = Array.from({ length: k }, (_, j) => Math.sqrt(rows.reduce((s, r) => s + (r.x[j] - mean[j]) ** 2, 0) / rows.length) || 1);
  const z = rows.map((r) => r.x.map((v, j) => (v - mean[j]) / sd[j]));
  const result = fitLogistic(z, rows.map((r) => r.positive), { l2 });
  return { features: [...features], mean, sd, intercept: result.intercept, weights: result.weights };
}

export const predict = (w: FittedWeights, x: readonly number[]) => sigmoid(w.intercept + x.reduce((s, v, j) => s + (w.weights[j] * (v - w.mean[j])) / w.sd[j], 0));

export interface HeldOut extends Scored {
  group: string;
  course: string;
  day: number;
}

/**
 * Every row scored by the model fitted without its group. `scored` (default: the rows themselves) are the rows
 * to score, so that the eval can fit on the model's days and judge at its own.
 */
export function leaveOneGroupOut(rows: readonly TrainingRow[], features: readonly FeatureName[], l2: number, scored: readonly TrainingRow[] = rows): HeldOut[] {
  const groups = [...new Set(scored.map((r) => r.group))].sort();
  return groups.flatMap((g) => {
    const w = fit(rows.filter((r) => r.group !== g), features, l2);
    return scored.filter((r) => r.group === g).map((r) => ({ group: g, course: r.course, day: r.day, score: predict(w, r.x), positive: r.positive }));
  });
}

/**
 * The L2 penalty on the standardised weights, chosen by leave-one-module-out on the development data (day 60
 * pooled ROC AUC: λ 1 0.8011, 100 0.8014, 300 0.8014, 1000 0.8011): the fit leans less on one module's levels.
 */
export const DEFAULT_L2 = 300;

export const PRECISION_FIRST_TARGET = 0.7;
export const RECALL_FIRST_TARGET = 0.8;

/** The two settings' thresholds, from held-out scores. */
export function chooseThresholds(heldOut: readonly Scored[]): Record<ThresholdSetting, ThresholdChoice> {
  const byPrecision = recallAtPrecision(heldOut, PRECISION_FIRST_TARGET);
  const p = atThreshold(heldOut, byPrecision.threshold ?? 1);
  const r = atThreshold(heldOut, thresholdForRecall(heldOut, RECALL_FIRST_TARGET) ?? 0);
  return {
    'precision-first': {
      threshold: p.threshold,
      expectedPrecision: p.precision ?? 0,
      expectedRecall: p.recall ?? 0,
      rule: `the lowest risk whose precision on held-out modules was at least ${PRECISION_FIRST_TARGET}: the most learners found with at most ${Math.round((1 - PRECISION_FIRST_TARGET) * 100)} % false alarms`,
    },
    'recall-first': {
      threshold: r.threshold,
      expectedPrecision: r.precision ?? 0,
      expectedRecall: r.recall ?? 0,
      rule: `the highest risk that still found ${Math.round(RECALL_FIRST_TARGET * 100)} % of the learners who went on to fail or withdraw, on held-out modules`,
    },
  };
}

export interface ValidationReport {
  byDay: { day: number; pooled: Evaluation; byGroup: Record<string, Evaluation> }[];
}

export function validationReport(heldOut: readonly HeldOut[], threshold: number): ValidationReport {
  const days = [...new Set(heldOut.map((h) => h.day))].sort((a, b) => a - b);
  return {
    byDay: days.map((day) => {
      const at = heldOut.filter((h) => h.day === day);
      const groups = [...new Set(at.map((h) => h.group))].sort();
      return { day, pooled: evaluate(at, threshold), byGroup: Object.fromEntries(groups.map((g) => [g, evaluate(at.filter((h) => h.group === g), threshold)])) };
    }),
  };
}

export interface TrainResult {
  model: EarlyWarningModel;
  heldOut: HeldOut[];
}

/** Leave-one-module-out validation, thresholds from it, then the final fit on everything. */
export function train(courses: readonly TrainingCourse[], options: { trainedOn: string; l2?: number; features?: readonly FeatureName[] }): TrainResult {
  const features = options.features ?? MODEL_FEATURES;
  const l2 = options.l2 ?? DEFAULT_L2;
  const rows = trainingRows(courses, features);
  const heldOut = leaveOneGroupOut(rows, features, l2);
  const thresholds = chooseThresholds(heldOut);
  const w = fit(rows, features, l2);
  const atDays = [...new Set(courses.map((c) => c.day))].sort((a, b) => a - b);
  return {
    heldOut,
    model: {
      version: 1,
      description: 'Logistic regression: risk that a learner fails or withdraws, from what the course log says by a date (docs/early-warning.md).',
      trainedOn: options.trainedOn,
      atDays,
      l2,
      ...w,
      thresholds,
      validation: validationReport(heldOut, thresholds['precision-first'].threshold),
    },
  };
}

/** The penalties a school's own training chooses from (leave one course out): small histories want more. */
export const L2_GRID: readonly number[] = [1, 10, 100, 300, 1000];

/** Why a history cannot be trained on (null when it can): two finished courses at least, learners of both outcomes. */
export function historyProblem(courses: readonly TrainingCourse[]): string | null {
  const groups = new Set(courses.map((c) => c.group));
  if (groups.size < 2) return `${groups.size} finished course(s) with learners judged: at least 2 are needed (each is held out in turn)`;
  const outcomes = courses.flatMap((c) => [...c.outcomes.values()]);
  const positives = outcomes.filter(Boolean).length;
  if (!positives || positives === outcomes.length) return `${positives} of ${outcomes.length} learners judged failed or withdrew: both outcomes are needed`;
  return null;
}

/**
 * A school's own history (or any set of courses): every course held out in turn, the penalty chosen from
 * `grid` by the held-out ROC AUC over every day pooled, then `train` with it (thresholds from the held-out
 * scores of that penalty, the final fit on everything).
 */
export function trainOnHistory(courses: readonly TrainingCourse[], options: { trainedOn: string; grid?: readonly number[]; features?: readonly FeatureName[] }): TrainResult {
  const problem = historyProblem(courses);
  if (problem) throw new Error(problem);
  const features = options.features ?? MODEL_FEATURES;
  const rows = trainingRows(courses, features);
  let best = { l2: DEFAULT_L2, auc: -1 };
  for (const l2 of options.grid ?? L2_GRID) {
    const auc = evaluate(leaveOneGroupOut(rows, features, l2), Infinity).rocAuc ?? 0;
    if (auc > best.auc) best = { l2, auc };
  }
  return train(courses, { trainedOn: options.trainedOn, l2: best.l2, features });
}
