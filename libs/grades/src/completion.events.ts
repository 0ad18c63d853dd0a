/**
 * Completion events: the public contract of activity and course completion.
 *
 * Streams:
 * - `completion_rules-<courseId>` (completionRulesStreamId): the course's rules,
 *   ActivityCompletionRuleSet, ActivityCompletionRuleRemoved, CourseCompletionCriteriaSet;
 * - `completion-<uuidV5(courseId:learnerId)>` (completionStreamId): one learner's
 *   completion in one course, ActivityCompleted and CourseCompleted. The id is
 *   derived, not stored, so every writer finds the stream without a lookup; the
 *   events carry courseId and learnerId because the stream id cannot be read back.
 */
import type { EventTypeDefinition } from '@learnstream/event-store';
import { either, fieldProblems, isoTime, oneOf, percentageOrNull, uuid, uuidList, type Check } from './event-validators';
import { uuidV5, type DomainEvent, type Shape } from '@learnstream/domain';

export const COMPLETION_RULES_STREAM_CATEGORY = 'completion_rules';
export const COMPLETION_STREAM_CATEGORY = 'completion';

/** The namespace of completion stream ids. Fixed forever: changing it would orphan every completion stream. */
export const COMPLETION_NAMESPACE = '5b0e7f4e-3c1a-4d52-9a8e-2f6c1d7b9e30';

export function completionRulesStreamId(courseId: string): string {
  return `${COMPLETION_RULES_STREAM_CATEGORY}-${courseId.toLowerCase()}`;
}

/** Ids are lower-cased first, so that the same learner and course always give the same stream. */
export function completionStreamId(courseId: string, learnerId: string): string {
  return `${COMPLETION_STREAM_CATEGORY}-${uuidV5(`${courseId.toLowerCase()}:${learnerId.toLowerCase()}`, COMPLETION_NAMESPACE)}`;
}

export type CompletionActivityKind = 'resource' | 'quiz' | 'assignment' | 'offline';

/** What completes an activity: seen it, handed it in, or reached its pass grade. */
export type CompletionRule = 'viewed' | 'submitted' | 'passed';

/** What happened to an activity, as reported to the completion decider. */
export type ActivityFact = 'viewed' | 'submitted' | 'passed' | 'failed';

/** The rules each kind of activity allows: a resource can only be viewed, an offline activity only passed. */
export const RULES_BY_KIND: Readonly<Record<CompletionActivityKind, readonly CompletionRule[]>> = {
  resource: ['viewed'],
  quiz: ['viewed', 'submitted', 'passed'],
  assignment: ['viewed', 'submitted', 'passed'],
  offline: ['passed'],
};

export type ActivityCompletionRuleSet = DomainEvent<'ActivityCompletionRuleSet', {
  courseId: string;
  activityId: string;
  kind: CompletionActivityKind;
  rule: CompletionRule;
}>;

export type ActivityCompletionRuleRemoved = DomainEvent<'ActivityCompletionRuleRemoved', {
  courseId: string;
  activityId: string;
}>;

export type CourseCompletionCriteriaSet = DomainEvent<'CourseCompletionCriteriaSet', {
  courseId: string;
  /** The activities to complete; 'all' means every activity with a rule, whenever it was added. */
  requireAll: string[] | 'all';
  /** The course total percentage to reach as well; null for none. */
  minimumCourseGradePercentage: number | null;
}>;

export type CompletionRulesEvent = ActivityCompletionRuleSet | ActivityCompletionRuleRemoved | CourseCompletionCriteriaSet;

export type ActivityCompleted = DomainEvent<'ActivityCompleted', {
  courseId: string;
  learnerId: string;
  activityId: string;
  /** The rule that was met. */
  rule: CompletionRule;
  at: string;
}>;

export type CourseCompleted = DomainEvent<'CourseCompleted', {
  courseId: string;
  learnerId: string;
  at: string;
}>;

export type CompletionEvent = ActivityCompleted | CourseCompleted;

function definition(type: CompletionRulesEvent['type'] | CompletionEvent['type'], checks: Shape): EventTypeDefinition {
  return { type, version: 1, validate: (data) => fieldProblems(data, checks) };
}

const kind = oneOf('resource', 'quiz', 'assignment', 'offline');
const rule = oneOf('viewed', 'submitted', 'passed');
const requireAll: Check = (v, path) => (Array.isArray(v) && v.length === 0 ? [] : either(uuidList, oneOf('all'))(v, path));

export const COMPLETION_RULES_EVENT_TYPES: EventTypeDefinition[] = [
  {
    type: 'ActivityCompletionRuleSet',
    version: 1,
    validate: (data) => {
      const problems = fieldProblems(data, { courseId: uuid, activityId: uuid, kind, rule });
      const allowed = RULES_BY_KIND[data.kind as CompletionActivityKind];
      if (allowed && !allowed.includes(data.rule as CompletionRule)) problems.push(`rule ${String(data.rule)} does not fit a ${String(data.kind)}`);
      return problems;
    },
  },
  definition('ActivityCompletionRuleRemoved', { courseId: uuid, activityId: uuid }),
  definition('CourseCompletionCriteriaSet', { courseId: uuid, requireAll, minimumCourseGradePercentage: percentageOrNull }),
];

export const COMPLETION_EVENT_TYPES: EventTypeDefinition[] = [
  definition('ActivityCompleted', { courseId: uuid, learnerId: uuid, activityId: uuid, rule, at: isoTime }),
  definition('CourseCompleted', { courseId: uuid, learnerId: uuid, at: isoTime }),
];
