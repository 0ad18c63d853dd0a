import { atThreshold, evaluate, prAuc, recallAtPrecision, rocAuc, type Scored } from './metrics';
import { fitLogistic, sigmoid, solve } from './logistic';
import { courseFeatures, DAY_MS, percentileRanks, shareAbove, type CourseSnapshot } from './features';
import { scoreLearners, checkModel, isEarlyWarningModel, type EarlyWarningModel } from './model';
import { historyProblem, L2_GRID, trainOnHistory, type TrainingCourse } from './train';
import { TRAINED_MODEL } from './model.weights';

const items = (pairs: [number, boolean][]): Scored[] => pairs.map(([score, positive]) => ({ score, positive }));
// Positives at 0.9, 0.7, 0.5; negatives at 0.8, 0.6.
const five = items([[0.9, true], [0.8, false], [0.7, true], [0.6, false], [0.5, true]]);

describe('metrics, against hand-worked values', () => {
  it('ROC AUC is the share of (positive, negative) pairs ranked right, ties half', () => {
    // pairs: 0.9>0.8 ✓ 0.9>0.6 ✓ 0.7<0.8 ✗ 0.7>0.6 ✓ 0.5<0.8 ✗ 0.5<0.6 ✗ → 3/6
    expect(rocAuc(five)).toBeCloseTo(3 / 6, 12);
    expect(rocAuc(items([[0.1, false], [0.4, true], [0.35, false], [0.8, true]]))).toBe(1);
    expect(rocAuc(items([[0.5, true], [0.5, false]]))).toBe(0.5);
    expect(rocAuc(items([[0.5, true], [0.2, true]]))).toBeNull();
  });

  it('PR AUC is the average precision at each positive', () => {
    // positives reached at ranks 1, 3, 5: precision 1/1, 2/3, 3/5
    expect(prAuc(five)).toBeCloseTo((1 + 2 / 3 + 3 / 5) / 3, 12);
    // a tie of one positive and one negative at the top is one step of precision 1/2
    expect(prAuc(items([[0.5, true], [0.5, false]]))).toBeCloseTo(0.5, 12);
  });

  it('precision, recall and F1 at a threshold (flagged when score ≥ threshold)', () => {
    const at = atThreshold(five, 0.7); // flagged 0.9, 0.8, 0.7: two of three positives
    expect(at).toMatchObject({ flagged: 3, truePositives: 2 });
    expect(at.precision).toBeCloseTo(2 / 3, 12);
    expect(at.recall).toBeCloseTo(2 / 3, 12);
    expect(at.f1).toBeCloseTo(2 / 3, 12);
    expect(atThreshold(five, 2)).toMatchObject({ flagged: 0, precision: null, recall: 0 });
  });

  it('recall at a precision: the largest recall among thresholds that keep it', () => {
    // thresholds 0.9 (P 1, R 1/3), 0.8 (1/2), 0.7 (2/3, R 2/3), 0.6 (2/4), 0.5 (3/5, R 1)
    expect(recallAtPrecision(five, 0.7)).toEqual({ recall: 1 / 3, threshold: 0.9 });
    expect(recallAtPrecision(five, 0.6)).toEqual({ recall: 1, threshold: 0.5 });
    expect(recallAtPrecision(items([[0.9, false], [0.1, true]]), 0.7)).toEqual({ recall: 0, threshold: null });
    const e = evaluate(five, 0.7);
    expect(e).toMatchObject({ learners: 5, positives: 3, baseRate: 3 / 5, recallAtPrecision70: 1 / 3, recallAtPrecision80: 1 / 3 });
  });
});

describe('logistic regression (IRLS)', () => {
  it('solves a linear system', () => {
    const x = solve([[4, 1], [1, 3]], [1, 2]);
    expect(x[0]).toBeCloseTo(1 / 11, 12);
    expect(x[1]).toBeCloseTo(7 / 11, 12);
  });

  it('with one binary feature and no penalty, fits each group\'s observed log-odds', () => {
    // x = 0: 2 of 10 positive; x = 1: 6 of 8 positive.
    const rows: number[][] = [];
    const y: boolean[] = [];
    const add = (x: number, positives: number, total: number) => {
      for (let i = 0; i < total; i += 1) {
        rows.push([x]);
        y.push(i < positives);
      }
    };
    add(0, 2, 10);
    add(1, 6, 8);
    const fit = fitLogistic(rows, y, { l2: 0 });
    const logit = (p: number) => Math.log(p / (1 - p));
    expect(fit.intercept).toBeCloseTo(logit(2 / 10), 6);
    expect(fit.weights[0]).toBeCloseTo(logit(6 / 8) - logit(2 / 10), 6);
    expect(sigmoid(fit.intercept + fit.weights[0])).toBeCloseTo(6 / 8, 6);
  });

  it('the penalty shrinks the weight towards 0', () => {
    const rows = [[0], [0], [0], [1], [1], [1]];
    const y = [false, false, true, true, true, false];
    const free = fitLogistic(rows, y, { l2: 0 });
    const shrunk = fitLogistic(rows, y, { l2: 5 });
    expect(Math.abs(shrunk.weights[0])).toBeLessThan(Math.abs(free.weights[0]));
  });
});

describe('features of a course snapshot', () => {
  const t0 = Date.UTC(2024, 0, 1);
  const day = (d: number) => t0 + d * DAY_MS;
  const snapshot: CourseSnapshot = {
    courseId: 'c',
    asOf: day(40),
    assessments: [
      { id: 'a1', title: 'Essay 1', dueAt: day(10) },
      { id: 'a2', title: 'Essay 2', dueAt: day(30) },
      { id: 'a3', title: 'Essay 3', dueAt: day(50) },
    ],
    learners: [
      // on time, 80 then 60; already handed in a3
      { learnerId: 'good', enrolledAt: day(-5), submissions: [{ assessmentId: 'a1', submittedAt: day(9), score: 0.8 }, { assessmentId: 'a2', submittedAt: day(29), score: 0.6 }, { assessmentId: 'a3', submittedAt: day(35), score: null }] },
      // a1 two days late at 50, then nothing
      { learnerId: 'stopped', enrolledAt: day(0), submissions: [{ assessmentId: 'a1', submittedAt: day(12), score: 0.5 }] },
      // nothing at all; a submission after asOf is not seen
      { learnerId: 'absent', enrolledAt: day(3), submissions: [{ assessmentId: 'a2', submittedAt: day(41), score: 1 }] },
    ],
  };
  const byId = new Map(courseFeatures(snapshot).map((l) => [l.learnerId, l]));

  it('counts what was due, made, missed and late by asOf', () => {
    expect(byId.get('good')!.features).toMatchObject({ submittedShare: 1, missedLast: 0, lateShare: 0, aheadCount: 1 });
    expect(byId.get('good')!.features.scoreSoFar).toBeCloseTo((0.8 + 0.6) / 2, 12);
    expect(byId.get('good')!.features.trend).toBeCloseTo(0.6 - 0.8, 12);
    expect(byId.get('stopped')!.features).toMatchObject({ submittedShare: 0.5, missedLast: 1, lateShare: 1, scoreSoFar: 0.25, meanScore: 0.5, trend: 0 });
    expect(byId.get('stopped')!.evidence).toMatchObject({ due: 2, submittedDue: 1, missed: ['Essay 2'], lateDue: 1 });
    expect(byId.get('stopped')!.evidence.lastSubmissionDays).toBeCloseTo(28, 9);
    // never graded: the class's mean grade ((0.8 + 0.6) / 2 and 0.5, over the two graded learners)
    expect(byId.get('absent')!.features).toMatchObject({ submittedShare: 0, scoreSoFar: 0 });
    expect(byId.get('absent')!.features.meanScore).toBeCloseTo((0.7 + 0.5) / 2, 12);
    expect(byId.get('absent')!.evidence.lastSubmissionDays).toBeNull();
  });

  it('how early each hands work in, the days since the last submission, and the class\'s submission share', () => {
    // leads: good 1 and 1 day before (mean 1), stopped 2 days after (−2), absent none (−30) → ranks 1, 0.5, 0
    expect([byId.get('absent'), byId.get('stopped'), byId.get('good')].map((l) => l!.features.leadRank)).toEqual([0, 0.5, 1]);
    expect(byId.get('good')!.evidence.meanLeadDays).toBeCloseTo(1, 9);
    expect(byId.get('stopped')!.evidence.meanLeadDays).toBeCloseTo(-2, 9);
    expect(byId.get('absent')!.evidence.meanLeadDays).toBeNull();
    expect([byId.get('good'), byId.get('stopped'), byId.get('absent')].map((l) => l!.evidence.classEarlier)).toEqual([0, 0.5, 1]);
    // last submission day 35 and day 12 as of day 40; absent: since enrolment on day 3
    expect(byId.get('good')!.features.daysSinceLast).toBeCloseTo(5, 9);
    expect(byId.get('stopped')!.features.daysSinceLast).toBeCloseTo(28, 9);
    expect(byId.get('absent')!.features.daysSinceLast).toBeCloseTo(37, 9);
    for (const l of byId.values()) expect(l.features.classSubmittedShare).toBeCloseTo((1 + 0.5 + 0) / 3, 12);
    expect(shareAbove([3, 1, 3, 2])).toEqual([0, 1, 0, 2 / 3]);
  });

  it('ranks within the class', () => {
    // scoreSoFar: absent 0, stopped 0.25, good 0.7 → 0, 0.5, 1; recency: never < day 12 < day 35; enrolment: day −5 < 0 < 3
    expect([byId.get('absent'), byId.get('stopped'), byId.get('good')].map((l) => l!.features.scoreRank)).toEqual([0, 0.5, 1]);
    expect([byId.get('absent'), byId.get('stopped'), byId.get('good')].map((l) => l!.features.recencyRank)).toEqual([0, 0.5, 1]);
    expect([byId.get('good'), byId.get('stopped'), byId.get('absent')].map((l) => l!.features.enrolmentRank)).toEqual([0, 0.5, 1]);
    expect(percentileRanks([3, 1, 3, 2])).toEqual([(2 + 3) / 2 / 3, 0, (2 + 3) / 2 / 3, 1 / 3]);
  });

  it('ranks each assessment within the class, a missed one lowest, and averages them (all and the latest two)', () => {
    // Essay 1: good 0.8 > stopped 0.5 > absent missed → 1, 0.5, 0; Essay 2: good 0.6, the other two missed (tied) → 1, 0.25, 0.25
    const expected = { good: (1 + 1) / 2, stopped: (0.5 + 0.25) / 2, absent: (0 + 0.25) / 2 };
    for (const [id, rank] of Object.entries(expected)) {
      expect(byId.get(id)!.features.assessmentRank).toBeCloseTo(rank, 12);
      expect(byId.get(id)!.features.recentRank).toBeCloseTo(rank, 12);
      expect(byId.get(id)!.evidence.recent).toEqual(['Essay 1', 'Essay 2']);
    }
    // Three due: the latest two only; a submission not graded yet is left out of that assessment's ranking
    const three: CourseSnapshot = {
      courseId: 'c3',
      asOf: day(60),
      assessments: [
        { id: 'x1', title: 'Quiz 1', dueAt: day(10) },
        { id: 'x2', title: 'Quiz 2', dueAt: day(20) },
        { id: 'x3', title: 'Quiz 3', dueAt: day(30) },
      ],
      learners: [
        { learnerId: 'p', enrolledAt: day(0), submissions: [{ assessmentId: 'x1', submittedAt: day(9), score: 0.2 }, { assessmentId: 'x2', submittedAt: day(19), score: 0.9 }, { assessmentId: 'x3', submittedAt: day(29), score: null }] },
        { learnerId: 'q', enrolledAt: day(0), submissions: [{ assessmentId: 'x1', submittedAt: day(9), score: 0.6 }, { assessmentId: 'x2', submittedAt: day(19), score: 0.4 }, { assessmentId: 'x3', submittedAt: day(29), score: 0.7 }] },
        { learnerId: 'r', enrolledAt: day(0), submissions: [{ assessmentId: 'x1', submittedAt: day(9), score: 0.4 }] },
      ],
    };
    const f = new Map(courseFeatures(three).map((l) => [l.learnerId, l]));
    // Quiz 1: p 0, r 0.5, q 1; Quiz 2: r (missed) 0, q 0.5, p 1; Quiz 3: p not graded (left out), r missed 0, q 1
    expect(f.get('p')!.features.assessmentRank).toBeCloseTo((0 + 1) / 2, 12);
    expect(f.get('p')!.features.recentRank).toBeCloseTo((0 + 1) / 2, 12);
    expect(f.get('p')!.evidence.recent).toEqual(['Quiz 1', 'Quiz 2']);
    expect(f.get('q')!.features.assessmentRank).toBeCloseTo((1 + 0.5 + 1) / 3, 12);
    expect(f.get('q')!.features.recentRank).toBeCloseTo((0.5 + 1) / 2, 12);
    expect(f.get('r')!.features.assessmentRank).toBeCloseTo((0.5 + 0 + 0) / 3, 12);
    expect(f.get('r')!.features.recentRank).toBe(0);
    expect(f.get('r')!.evidence.recent).toEqual(['Quiz 2', 'Quiz 3']);
  });

  it('the trained model flags the learner who stopped, with the reasons in words and numbers', () => {
    const model = checkModel(TRAINED_MODEL);
    const scores = new Map(scoreLearners(model, courseFeatures(snapshot), 'precision-first').map((s) => [s.learnerId, s]));
    expect(scores.get('good')!.flagged).toBe(false);
    expect(scores.get('absent')!.flagged).toBe(true);
    expect(scores.get('absent')!.reasons.map((r) => r.text).join(' | ')).toContain('missed 2 of 2 assessments due (Essay 1, Essay 2)');
    // the missed assessments are said once, inside the reason that carries them when there is one
    expect(scores.get('absent')!.reasons.filter((r) => r.text.includes('missed 2 of 2'))).toHaveLength(1);
    expect(scores.get('absent')!.risk).toBeGreaterThan(scores.get('stopped')!.risk);
    expect(scores.get('stopped')!.risk).toBeGreaterThan(scores.get('good')!.risk);
  });

  it('the same facts give the same features whatever the order of learners and work, and whatever the ids (files against the log)', () => {
    // The class report reads ids of the log (UUIDs) and work in its log order; the trainer and the eval read the
    // dataset's ids in file order. Two due on the same day and work handed in at one instant (banked results) must not
    // make the features depend on either.
    const facts: CourseSnapshot = {
      courseId: 'c',
      asOf: day(60),
      assessments: [
        { id: '14', title: 'TMA 1', dueAt: day(20) },
        { id: '9', title: 'CMA 1', dueAt: day(20) },
        { id: '20', title: 'TMA 2', dueAt: day(50) },
      ],
      learners: [
        { learnerId: 'banked', enrolledAt: day(-30), submissions: [{ assessmentId: '20', submittedAt: day(-1), score: 0.9 }, { assessmentId: '14', submittedAt: day(-1), score: 0.2 }, { assessmentId: '9', submittedAt: day(-1), score: 0.5 }] },
        { learnerId: 'late', enrolledAt: day(-5), submissions: [{ assessmentId: '9', submittedAt: day(25), score: 0.8 }, { assessmentId: '14', submittedAt: day(25), score: 0.6 }] },
        { learnerId: 'steady', enrolledAt: day(-9), submissions: [{ assessmentId: '14', submittedAt: day(19), score: 0.7 }, { assessmentId: '9', submittedAt: day(18), score: 0.7 }, { assessmentId: '20', submittedAt: day(49), score: 0.7 }] },
        { learnerId: 'gone', enrolledAt: day(-2), submissions: [] },
      ],
    };
    const relabel = (id: string) => `uuid-${(31 - Number(id)).toString().padStart(3, '0')}`; // reverses the ids' order
    const shuffled: CourseSnapshot = {
      ...facts,
      assessments: [...facts.assessments].reverse().map((a) => ({ ...a, id: relabel(a.id) })),
      learners: [...facts.learners].reverse().map((l) => ({ ...l, submissions: [...l.submissions].reverse().map((s) => ({ ...s, assessmentId: relabel(s.assessmentId) })) })),
    };
    const features = (snapshot: CourseSnapshot) => new Map(courseFeatures(snapshot).map((l) => [l.learnerId, l.features]));
    expect(features(shuffled)).toEqual(features(facts));
    const risks = (snapshot: CourseSnapshot) => new Map(scoreLearners(TRAINED_MODEL, courseFeatures(snapshot), 'precision-first').map((s) => [s.learnerId, s.risk]));
    expect(risks(shuffled)).toEqual(risks(facts));
    // Handed in at one instant, the latest is the one due last: CMA 1 and TMA 1 (due day 20, by title), then TMA 2.
    expect(features(facts).get('banked')!.trend).toBeCloseTo(0.9 - (0.5 + 0.2) / 2, 12);
    // Due the same day: TMA 1 is the latest by title, 'late' handed both in at once: the trend is TMA 1's 0.6 − CMA 1's 0.8.
    expect(features(facts).get('late')!.trend).toBeCloseTo(0.6 - 0.8, 12);
  });

  it('a model whose weights do not match its features is refused', () => {
    const broken: EarlyWarningModel = { ...TRAINED_MODEL, weights: TRAINED_MODEL.weights.slice(1) };
    expect(() => checkModel(broken)).toThrow(/must match/);
  });
});

describe("training on a school's own history", () => {
  const t0 = Date.UTC(2024, 0, 1);
  const day = (d: number) => t0 + d * DAY_MS;
  // A course of 10 learners, two assessments due by day 30: learner k hands in both with a grade of 0.4 + 0.05k
  // when k is even, only the first (0.3) when odd; the odd ones fail (and, in course b, learner 8 too).
  const course = (name: string, failing: (k: number) => boolean): TrainingCourse => ({
    group: name,
    name,
    day: 30,
    outcomes: new Map(Array.from({ length: 10 }, (_, k) => [`${name}${k}`, failing(k)])),
    snapshot: {
      courseId: name,
      asOf: day(30),
      assessments: [
        { id: 'x', title: 'X', dueAt: day(10) },
        { id: 'y', title: 'Y', dueAt: day(20) },
      ],
      learners: Array.from({ length: 10 }, (_, k) => ({
        learnerId: `${name}${k}`,
        enrolledAt: day(0),
        submissions: k % 2 ? [{ assessmentId: 'x', submittedAt: day(9), score: 0.3 }] : [{ assessmentId: 'x', submittedAt: day(9), score: 0.4 + 0.05 * k }, { assessmentId: 'y', submittedAt: day(19), score: 0.4 + 0.05 * k }],
      })),
    },
  });

  it('needs two courses and both outcomes', () => {
    expect(historyProblem([course('a', (k) => k % 2 === 1)])).toMatch(/at least 2/);
    expect(historyProblem([course('a', () => false), course('b', () => false)])).toMatch(/both outcomes/);
    expect(historyProblem([course('a', (k) => k % 2 === 1), course('b', (k) => k % 2 === 1 || k === 8)])).toBeNull();
    expect(() => trainOnHistory([course('a', () => true)], { trainedOn: 'a' })).toThrow(/at least 2/);
  });

  it('holds each course out, chooses the penalty from the grid, and stores a model the class report can read', () => {
    const { model, heldOut } = trainOnHistory([course('a', (k) => k % 2 === 1), course('b', (k) => k % 2 === 1 || k === 8)], { trainedOn: 'school x' });
    expect(L2_GRID).toContain(model.l2);
    expect(heldOut.map((h) => h.group).sort()).toEqual([...Array(10).fill('a'), ...Array(10).fill('b')]);
    expect(isEarlyWarningModel(model)).toBe(true);
    expect(isEarlyWarningModel(JSON.parse(JSON.stringify(model)))).toBe(true);
    // Those who stopped handing in are riskier than those who did not.
    const scores = new Map(scoreLearners(model, courseFeatures(course('c', () => false).snapshot), 'precision-first').map((r) => [r.learnerId, r.risk]));
    expect(Math.min(scores.get('c1')!, scores.get('c3')!)).toBeGreaterThan(Math.max(scores.get('c0')!, scores.get('c2')!));
    expect(isEarlyWarningModel({ ...model, weights: model.weights.map(() => Number.NaN) })).toBe(false);
    expect(isEarlyWarningModel({ ...model, features: ['shoeSize'] })).toBe(false);
    expect(isEarlyWarningModel('model')).toBe(false);
  });
});
