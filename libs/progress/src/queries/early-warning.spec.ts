import { courseFactsRead, snapshotOf, workRows, type WorkRow } from './early-warning';
import { assessmentStatistics } from '../rules';

// The course facts from the rows of their four statements (assessments, enrolments, work in log order, quizzes' grading).
const A1 = 'assignment-1';
const A2 = 'assignment-2';
const Q = 'quiz-1';
const [L1, L2, L3] = ['learner-1', 'learner-2', 'learner-3'];
const asOf = new Date('2026-03-01T00:00:00Z');
const assessments = [
  { assessment_id: A1, title: 'Essay', due_at: '2026-02-01T00:00:00Z', kind: 'assignment' },
  { assessment_id: Q, title: 'Quiz', due_at: '2026-02-10T00:00:00Z', kind: 'quiz' },
  { assessment_id: A2, title: 'Project', due_at: null, kind: 'assignment' },
];
const enrolments = [L1, L2, L3].map((id) => ({ learner_id: id, enrolled_at: '2026-01-05T00:00:00Z', unenrolled_at: null }));
const work = (assessment_id: string, learner_id: string, kind: 'submitted' | 'graded', at: number, grade: number | null = null, max_grade: number | null = null, attempt_number: number | null = null) => ({
  assessment_id,
  learner_id,
  kind,
  at,
  grade,
  max_grade,
  attempt_number,
});
const rows = [
  work(A1, L2, 'submitted', 10),
  work(Q, L1, 'submitted', 11, null, null, 1),
  work(Q, L1, 'graded', 12, 4, 10, 1),
  work(A1, L1, 'graded', 13, 30, 50), // graded without a submission
  work(A1, L2, 'graded', 14, 20, 50),
  work(Q, L2, 'graded', 15, 9, 10, 1),
  work(Q, L1, 'graded', 16, 8, 10, 2),
  work(A2, L3, 'graded', 17, 5, 0), // a maximum of 0: no score
  work(A1, L1, 'graded', 18, 45, 50), // regraded: the latest grade, in the first one's place
  work(Q, L1, 'graded', 19, 6, 10, 2), // attempt 2 regraded
];
const quizzes = [{ activity_id: Q, grading_method: 'average', max_grade: 10 }];
// The work as its statement gives it: one text, a row's fields space-separated (NULL empty), rows separated by ';'.
const workText = (rows: WorkRow[]) => rows.map((r) => [r.assessment_id, r.learner_id, r.kind, r.at, r.grade, r.max_grade, r.attempt_number].map((v) => v ?? '').join(' ')).join(';');
const facts = courseFactsRead('course-1', asOf).map([assessments, enrolments, [{ work: workText(rows) }], quizzes]);

describe('work rows', () => {
  it('reads the text back into the rows, NULL fields as null, numbers as PostgreSQL writes float8', () => {
    expect(workRows(workText(rows))).toEqual(rows);
    expect(workRows('q l graded 1751234567890 1e-05 2.5e+20 ')).toEqual([
      { assessment_id: 'q', learner_id: 'l', kind: 'graded', at: 1751234567890, grade: 0.00001, max_grade: 2.5e20, attempt_number: null },
    ]);
    expect(workRows(null)).toEqual([]);
    // NULLs in the middle and at the end of a row, and of the last row.
    expect(workRows('a l submitted 5   1;b m graded 6 7 8 ;c n graded 9 1.5  ')).toEqual([
      { assessment_id: 'a', learner_id: 'l', kind: 'submitted', at: 5, grade: null, max_grade: null, attempt_number: 1 },
      { assessment_id: 'b', learner_id: 'm', kind: 'graded', at: 6, grade: 7, max_grade: 8, attempt_number: null },
      { assessment_id: 'c', learner_id: 'n', kind: 'graded', at: 9, grade: 1.5, max_grade: null, attempt_number: null },
    ]);
  });

  it('refuses a row with fewer fields than seven (never loops on it)', () => {
    expect(() => workRows('a l submitted 5')).toThrow(/fewer than 7 fields/);
    expect(() => workRows('a l submitted 5   1;b m graded')).toThrow(/fewer than 7 fields/);
  });
});

describe('course facts', () => {
  it('keeps each enrolment as toISOString writes it, and its time in milliseconds', () => {
    const timed = courseFactsRead('course-1', asOf).map([
      assessments,
      [{ learner_id: L1, enrolled_at: '2026-01-05T10:20:30.1234+00:00', unenrolled_at: null }, { learner_id: L2, enrolled_at: '2026-01-06T01:00:00+01:00', unenrolled_at: '2026-02-01T00:00:00+00:00' }],
      [{ work: null }],
      quizzes,
    ]);
    expect([...timed.enrolments.values()]).toEqual([
      { learnerId: L1, status: 'active', enrolledAt: '2026-01-05T10:20:30.123Z', enrolledAtMs: Date.parse('2026-01-05T10:20:30.123Z'), unenrolledAt: null },
      { learnerId: L2, status: 'unenrolled', enrolledAt: '2026-01-06T00:00:00.000Z', enrolledAtMs: Date.parse('2026-01-06T00:00:00Z'), unenrolledAt: '2026-02-01T00:00:00.000Z' },
    ]);
  });

  it("keeps each learner's latest result of an assignment in the place of its first, then the quizzes' by their grading method, in the order first graded", () => {
    expect(facts.results).toEqual([
      { activityId: A1, learnerId: L1, grade: 45, maxGrade: 50 },
      { activityId: A1, learnerId: L2, grade: 20, maxGrade: 50 },
      { activityId: A2, learnerId: L3, grade: 5, maxGrade: 0 },
      { activityId: Q, learnerId: L1, grade: (4 + 6) / 2, maxGrade: 10 },
      { activityId: Q, learnerId: L2, grade: 9, maxGrade: 10 },
    ]);
  });

  it('keeps the first submission (or grade) of each assessment per learner, and the first handed in apart', () => {
    expect([...facts.submissions].map(([id, m]) => [id, [...m]])).toEqual([
      [L2, [[A1, 10], [Q, 15]]],
      [L1, [[Q, 11], [A1, 13]]],
      [L3, [[A2, 17]]],
    ]);
    expect([...facts.handedIn].map(([id, m]) => [id, [...m]])).toEqual([
      [L2, [[A1, 10]]],
      [L1, [[Q, 11]]],
    ]);
  });

  it("gives the model each judged learner's submissions with their scores (null: not graded or a maximum of 0)", () => {
    const snapshot = snapshotOf('course-1', facts, [L1, L3]);
    expect(snapshot.learners).toEqual([
      { learnerId: L1, enrolledAt: Date.parse('2026-01-05T00:00:00Z'), submissions: [{ assessmentId: Q, submittedAt: 11, score: 0.5 }, { assessmentId: A1, submittedAt: 13, score: 45 / 50 }] },
      { learnerId: L3, enrolledAt: Date.parse('2026-01-05T00:00:00Z'), submissions: [{ assessmentId: A2, submittedAt: 17, score: null }] },
    ]);
  });

  it("states each assessment's statistics from its own results only, over the learners given", () => {
    const stats = assessmentStatistics(facts.assessments, facts.results, facts.submissions, [L1, L2]);
    expect(stats.map((s) => [s.assessmentId, s.graded, s.meanPercentage, s.facility, s.missing])).toEqual([
      [A1, 2, (90 + 40) / 2, 0.65, 0],
      [Q, 2, (50 + 90) / 2, 0.7, 0],
      [A2, 0, null, null, 2],
    ]);
  });
});
