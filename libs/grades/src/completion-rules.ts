/**
 * A course's completion rules (stream `completion_rules-<courseId>`): how each
 * tracked activity is completed, and what completes the course. Pure
 * (STYLE.md). The handler loads this state and passes it, as `rules`, to the
 * per-learner completion decider (completion.ts).
 */
import { DomainError, type Decider } from '@learnstream/domain';
import { RULES_BY_KIND, type CompletionActivityKind, type CompletionRule, type CompletionRulesEvent } from './completion.events';
import { isPercentage } from './event-validators';

type Command<Type extends string, Data> = { type: Type } & Data;

/** Setting the rule an activity already has records nothing. */
export type SetActivityCompletionRule = Command<'SetActivityCompletionRule', {
  courseId: string;
  activityId: string;
  kind: CompletionActivityKind;
  rule: CompletionRule;
}>;

/** Removing a rule the activity does not have records nothing. */
export type RemoveActivityCompletionRule = Command<'RemoveActivityCompletionRule', { courseId: string; activityId: string }>;

export type SetCourseCompletion = Command<'SetCourseCompletion', {
  courseId: string;
  /** The activities to complete; 'all' is every activity with a rule, including ones added later. */
  requireAll: string[] | 'all';
  /** The course total percentage to reach as well; absent or null for none. */
  minimumCourseGradePercentage?: number | null;
}>;

export type CompletionRulesCommand = SetActivityCompletionRule | RemoveActivityCompletionRule | SetCourseCompletion;

export interface ActivityCompletionRule {
  kind: CompletionActivityKind;
  rule: CompletionRule;
}

export interface CourseCompletionCriteria {
  requireAll: readonly string[] | 'all';
  minimumCourseGradePercentage: number | null;
}

export interface CompletionRules {
  courseId: string | null;
  /** Tracked activities by id; an activity without a rule is not tracked. */
  activities: ReadonlyMap<string, ActivityCompletionRule>;
  /** null until set: until then no learner completes the course. */
  criteria: CourseCompletionCriteria | null;
}

export function initialCompletionRules(): CompletionRules {
  return { courseId: null, activities: new Map(), criteria: null };
}

/** The activities a learner must complete: the criteria's list, or every tracked activity when 'all' or not set. */
export function requiredActivities(rules: CompletionRules): string[] {
  const list = rules.criteria?.requireAll;
  return Array.isArray(list) ? [...list] : [...rules.activities.keys()];
}

export function evolveCompletionRules(state: CompletionRules, event: CompletionRulesEvent): CompletionRules {
  switch (event.type) {
    case 'ActivityCompletionRuleSet': {
      const { courseId, activityId, kind, rule } = event.data;
      return { ...state, courseId, activities: new Map(state.activities).set(activityId, { kind, rule }) };
    }
    case 'ActivityCompletionRuleRemoved': {
      const activities = new Map(state.activities);
      activities.delete(event.data.activityId);
      return { ...state, courseId: event.data.courseId, activities };
    }
    case 'CourseCompletionCriteriaSet': {
      const { courseId, requireAll, minimumCourseGradePercentage } = event.data;
      return { ...state, courseId, criteria: { requireAll, minimumCourseGradePercentage } };
    }
  }
}

function setActivityRule(d: SetActivityCompletionRule, state: CompletionRules): CompletionRulesEvent[] {
  const allowed = RULES_BY_KIND[d.kind];
  if (!allowed?.includes(d.rule)) {
    throw new DomainError('invalid', 'COMPLETION_RULE_INVALID', `a ${d.kind} can be completed by ${allowed?.join(' or ') ?? 'no rule'}, not by ${d.rule}`);
  }
  const current = state.activities.get(d.activityId);
  if (current?.kind === d.kind && current.rule === d.rule) return [];
  return [{ type: 'ActivityCompletionRuleSet', data: { courseId: d.courseId, activityId: d.activityId, kind: d.kind, rule: d.rule } }];
}

/** An activity the criteria name cannot lose its rule: the course could then never be completed. */
function removeActivityRule(d: RemoveActivityCompletionRule, state: CompletionRules): CompletionRulesEvent[] {
  if (!state.activities.has(d.activityId)) return [];
  const list = state.criteria?.requireAll;
  if (Array.isArray(list) && list.includes(d.activityId)) {
    throw new DomainError('rule', 'COMPLETION_RULE_IN_USE', 'course completion requires this activity: change the course completion first');
  }
  return [{ type: 'ActivityCompletionRuleRemoved', data: { courseId: d.courseId, activityId: d.activityId } }];
}

function sameCriteria(a: CourseCompletionCriteria, b: CourseCompletionCriteria): boolean {
  const sameList = a.requireAll === 'all' || b.requireAll === 'all'
    ? a.requireAll === b.requireAll
    : a.requireAll.length === b.requireAll.length && a.requireAll.every((id, i) => id === b.requireAll[i]);
  return sameList && a.minimumCourseGradePercentage === b.minimumCourseGradePercentage;
}

/**
 * A listed activity must have a rule (else nobody could complete it), and an
 * explicit empty list needs a grade condition: criteria that require nothing
 * would complete nobody, so they are refused instead of silently meaningless.
 */
function setCourseCompletion(d: SetCourseCompletion, state: CompletionRules): CompletionRulesEvent[] {
  const minimum = d.minimumCourseGradePercentage ?? null;
  if (minimum !== null && !isPercentage(minimum)) {
    throw new DomainError('invalid', 'COMPLETION_GRADE_INVALID', 'the minimum course grade is a percentage from 0 to 100, or null');
  }
  const requireAll = d.requireAll === 'all' ? 'all' : [...new Set(d.requireAll)];
  if (requireAll !== 'all') {
    const untracked = requireAll.filter((id) => !state.activities.has(id));
    if (untracked.length) throw new DomainError('not_found', 'COMPLETION_RULE_NOT_FOUND', 'set a completion rule on these activities first', { activityIds: untracked });
    if (requireAll.length === 0 && minimum === null) throw new DomainError('invalid', 'COMPLETION_CRITERIA_EMPTY', 'course completion must require activities or a course grade');
  }
  if (state.criteria && sameCriteria(state.criteria, { requireAll, minimumCourseGradePercentage: minimum })) return [];
  return [{ type: 'CourseCompletionCriteriaSet', data: { courseId: d.courseId, requireAll, minimumCourseGradePercentage: minimum } }];
}

export function decideCompletionRules(command: CompletionRulesCommand, state: CompletionRules): CompletionRulesEvent[] {
  switch (command.type) {
    case 'SetActivityCompletionRule': return setActivityRule(command, state);
    case 'RemoveActivityCompletionRule': return removeActivityRule(command, state);
    case 'SetCourseCompletion': return setCourseCompletion(command, state);
  }
}

export const completionRules: Decider<CompletionRulesCommand, CompletionRulesEvent, CompletionRules> = {
  initialState: initialCompletionRules,
  evolve: evolveCompletionRules,
  decide: decideCompletionRules,
};
