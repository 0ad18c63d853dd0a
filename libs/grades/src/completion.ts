/**
 * One learner's completion in one course (stream `completion-<uuidV5(courseId:learnerId)>`).
 * Pure (STYLE.md): the handler passes the course's rules (completion-rules.ts)
 * and, for the course, the learner's course total percentage.
 *
 * COMPLETION IS FINAL (Moodle's default): an activity, once completed, stays
 * completed — a later 'failed', or a rule changed afterwards, does not revoke
 * it — and so does a completed course.
 *
 * Facts are not stored: a fact is judged against the rule in force when it
 * arrives, so a rule set after a learner viewed a resource completes it at the
 * next view (a replay of the activity log can re-send past facts).
 */
import { DomainError, type Decider } from '@learnstream/domain';
import type { ActivityFact, CompletionEvent, CompletionRule } from './completion.events';
import { requiredActivities, type CompletionRules } from './completion-rules';

type Command<Type extends string, Data> = { type: Type } & Data;

export type RecordActivityFact = Command<'RecordActivityFact', {
  courseId: string;
  learnerId: string;
  activityId: string;
  fact: ActivityFact;
  at: string;
  rules: CompletionRules;
}>;

export type EvaluateCourseCompletion = Command<'EvaluateCourseCompletion', {
  courseId: string;
  learnerId: string;
  now: string;
  rules: CompletionRules;
  /** The learner's course total now (computeCourseGrades); null when there is none. */
  courseGradePercentage: number | null;
}>;

export type CompletionCommand = RecordActivityFact | EvaluateCourseCompletion;

export interface LearnerCompletion {
  /** Completed activities by id, with the rule met and when. */
  completed: ReadonlyMap<string, { rule: CompletionRule; at: string }>;
  courseCompletedAt: string | null;
}

export function initialLearnerCompletion(): LearnerCompletion {
  return { completed: new Map(), courseCompletedAt: null };
}

/**
 * The rules a fact meets: 'passed' implies 'submitted', and so does 'failed'
 * (a graded attempt was handed in); 'submitted' counts as 'viewed'.
 */
export const RULES_MET_BY: Readonly<Record<ActivityFact, readonly CompletionRule[]>> = {
  viewed: ['viewed'],
  submitted: ['viewed', 'submitted'],
  failed: ['viewed', 'submitted'],
  passed: ['viewed', 'submitted', 'passed'],
};

export function evolveCompletion(state: LearnerCompletion, event: CompletionEvent): LearnerCompletion {
  switch (event.type) {
    case 'ActivityCompleted': {
      const { activityId, rule, at } = event.data;
      return { ...state, completed: new Map(state.completed).set(activityId, { rule, at }) };
    }
    case 'CourseCompleted':
      return { ...state, courseCompletedAt: event.data.at };
  }
}

function recordFact(d: RecordActivityFact, state: LearnerCompletion): CompletionEvent[] {
  const met = RULES_MET_BY[d.fact];
  if (!met) throw new DomainError('invalid', 'ACTIVITY_FACT_INVALID', "a fact is 'viewed', 'submitted', 'passed' or 'failed'");
  const rule = d.rules.activities.get(d.activityId)?.rule;
  if (!rule || !met.includes(rule) || state.completed.has(d.activityId)) return [];
  return [{ type: 'ActivityCompleted', data: { courseId: d.courseId, learnerId: d.learnerId, activityId: d.activityId, rule, at: d.at } }];
}

/**
 * The course completes once every required activity is completed and the
 * course grade reaches the minimum (a missing grade does not). With no
 * criteria set, or with nothing required at all (criteria 'all' over a course
 * without tracked activities and no grade condition), it never completes:
 * "nothing to do" is not an achievement to certify.
 */
function evaluateCourse(d: EvaluateCourseCompletion, state: LearnerCompletion): CompletionEvent[] {
  const grade = d.courseGradePercentage;
  if (grade !== null && (typeof grade !== 'number' || !Number.isFinite(grade))) {
    throw new DomainError('invalid', 'COMPLETION_GRADE_INVALID', 'the course grade percentage is a number or null');
  }
  const criteria = d.rules.criteria;
  if (state.courseCompletedAt !== null || !criteria) return [];
  const required = requiredActivities(d.rules);
  const minimum = criteria.minimumCourseGradePercentage;
  if (required.length === 0 && minimum === null) return [];
  const activitiesDone = required.every((id) => state.completed.has(id));
  const gradeMet = minimum === null || (grade !== null && grade >= minimum);
  if (!activitiesDone || !gradeMet) return [];
  return [{ type: 'CourseCompleted', data: { courseId: d.courseId, learnerId: d.learnerId, at: d.now } }];
}

export function decideCompletion(command: CompletionCommand, state: LearnerCompletion): CompletionEvent[] {
  switch (command.type) {
    case 'RecordActivityFact': return recordFact(command, state);
    case 'EvaluateCourseCompletion': return evaluateCourse(command, state);
  }
}

export const completion: Decider<CompletionCommand, CompletionEvent, LearnerCompletion> = {
  initialState: initialLearnerCompletion,
  evolve: evolveCompletion,
  decide: decideCompletion,
};

export interface CompletionProgress {
  /** Required activities the learner has completed. */
  completed: number;
  required: number;
  /** completed / required, rounded down to a whole percent (99.6 % is not shown as done); null when nothing is required. */
  percentage: number | null;
}

/**
 * Progress through the required activities (requiredActivities: the criteria's
 * list, else every tracked activity). The grade condition is not part of it:
 * progress counts what the learner has done, not a grade still to come.
 */
export function progress(state: LearnerCompletion, rules: CompletionRules): CompletionProgress {
  const required = requiredActivities(rules);
  const completed = required.filter((id) => state.completed.has(id)).length;
  return { completed, required: required.length, percentage: required.length ? Math.floor((completed * 100) / required.length) : null };
}
