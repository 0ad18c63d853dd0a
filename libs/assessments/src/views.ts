/**
 * What the endpoints answer. A quiz is shown whole to its course's staff; to
 * learners without what gives the answer away (the right choices, accepted
 * answers, the numeric answer and its tolerance) until they have submitted.
 */
import type { AssignmentSettings } from './assignment.events';
import type { QuestionResult } from './attempt.events';
import type { Question } from './question';
import type { QuizSettings } from './quiz.events';

/** A question as a learner sees it while answering. */
export type LearnerQuestion = Pick<Question, 'questionId' | 'kind' | 'text' | 'points' | 'skills'> & { choices?: { id: string; text: string }[] };

export function learnerQuestion(q: Question): LearnerQuestion {
  const { questionId, kind, text, points, skills } = q;
  return { questionId, kind, text, points, skills, ...('choices' in q && { choices: q.choices }) };
}

export type QuizView = { quizId: string; courseId: string } & QuizSettings & { questions: (Question | LearnerQuestion)[] };

export function quizView(quizId: string, courseId: string, settings: QuizSettings, questions: Question[], withAnswers: boolean): QuizView {
  return { quizId, courseId, ...settings, questions: withAnswers ? questions : questions.map(learnerQuestion) };
}

export interface AttemptView {
  attemptId: string;
  quizId: string;
  courseId: string;
  learnerId: string;
  attemptNumber: number;
  status: 'in_progress' | 'submitted';
  startedAt: string;
  deadline: string | null;
  submittedAt: string | null;
  automatic: boolean | null;
  durationSeconds: number | null;
  /** The questions of the attempt, with their right answers only once it is submitted (or for staff). */
  questions: (Question | LearnerQuestion)[];
  /** Saved answer by question id (null once the learner's data is erased). */
  answers: Record<string, unknown>;
  /** Per question, once graded. */
  results: QuestionResult[] | null;
  totalScore: number | null;
  totalPoints: number | null;
  grade: number | null;
  maxGrade: number | null;
  passed: boolean | null;
}

export type AssignmentView = { assignmentId: string; courseId: string } & AssignmentSettings;

export interface SubmissionView {
  assignmentId: string;
  courseId: string;
  learnerId: string;
  status: 'submitted' | 'graded' | 'reopened';
  submissionNumber: number;
  text: string | null;
  fileRefs: string[];
  late: boolean | null;
  lateBySeconds: number | null;
  submittedAt: string | null;
  grade: number | null;
  maxGrade: number | null;
  passed: boolean | null;
  feedback: string | null;
  gradedBy: string | null;
  gradedAt: string | null;
}

export interface OfflineTestView {
  offlineTestId: string;
  courseId: string;
  title: string;
  maxGrade: number;
  passGrade: number | null;
  takenOn: string;
}

export interface OfflineResultView {
  offlineTestId: string;
  learnerId: string;
  grade: number;
  maxGrade: number;
  passed: boolean | null;
  previousGrade: number | null;
}

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

/** A row of `quiz_attempts`. */
export interface AttemptRow {
  attempt_id: string;
  quiz_id: string;
  course_id: string;
  school_id: string | null;
  learner_id: string;
  attempt_number: number;
  status: AttemptView['status'];
  started_at: Date;
  deadline: Date | null;
  submitted_at: Date | null;
  automatic: boolean | null;
  duration_seconds: number | null;
  question_ids: string[];
  answers: Record<string, unknown> | null;
  results: QuestionResult[] | null;
  total_score: number | null;
  total_points: number | null;
  grade: number | null;
  max_grade: number | null;
  passed: boolean | null;
}

/** A row of `assignment_submissions`. */
export interface SubmissionRow {
  assignment_id: string;
  course_id: string;
  school_id: string | null;
  learner_id: string;
  status: SubmissionView['status'];
  submission_number: number;
  text: string | null;
  file_refs: string[] | null;
  late: boolean | null;
  late_by_seconds: number | null;
  submitted_at: Date | null;
  grade: number | null;
  max_grade: number | null;
  passed: boolean | null;
  feedback: string | null;
  graded_by: string | null;
  graded_at: Date | null;
}

export function attemptViewOf(row: AttemptRow, questions: Question[], withAnswers: boolean): AttemptView {
  const byId = new Map(questions.map((q) => [q.questionId, q]));
  const attemptQuestions = row.question_ids.map((id) => byId.get(id)).filter((q): q is Question => q !== undefined);
  return {
    attemptId: row.attempt_id,
    quizId: row.quiz_id,
    courseId: row.course_id,
    learnerId: row.learner_id,
    attemptNumber: row.attempt_number,
    status: row.status,
    startedAt: iso(row.started_at)!,
    deadline: iso(row.deadline),
    submittedAt: iso(row.submitted_at),
    automatic: row.automatic,
    durationSeconds: row.duration_seconds,
    questions: withAnswers ? attemptQuestions : attemptQuestions.map(learnerQuestion),
    answers: row.answers ?? {},
    results: row.results,
    totalScore: row.total_score,
    totalPoints: row.total_points,
    grade: row.grade,
    maxGrade: row.max_grade,
    passed: row.passed,
  };
}

export function submissionViewOf(row: SubmissionRow): SubmissionView {
  return {
    assignmentId: row.assignment_id,
    courseId: row.course_id,
    learnerId: row.learner_id,
    status: row.status,
    submissionNumber: row.submission_number,
    text: row.text,
    fileRefs: row.file_refs ?? [],
    late: row.late,
    lateBySeconds: row.late_by_seconds,
    submittedAt: iso(row.submitted_at),
    grade: row.grade,
    maxGrade: row.max_grade,
    passed: row.passed,
    feedback: row.feedback,
    gradedBy: row.graded_by,
    gradedAt: iso(row.graded_at),
  };
}
