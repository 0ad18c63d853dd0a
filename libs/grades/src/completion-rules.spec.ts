import { spec } from '../../domain/src/testing/given-when-then';
import { completionRules, requiredActivities, type CompletionRulesCommand } from './completion-rules';
import { COMPLETION_RULES_EVENT_TYPES, completionRulesStreamId, type CompletionRulesEvent } from './completion.events';

const COURSE = '00000000-0000-4000-8000-00000000c001';
const READING = '00000000-0000-4000-8000-00000000d001';
const QUIZ = '00000000-0000-4000-8000-00000000d002';
const EXAM = '00000000-0000-4000-8000-00000000d003';

const given = (...events: CompletionRulesEvent[]) => spec(completionRules).given(...events);
const ruleSet = (activityId: string, kind: 'resource' | 'quiz' | 'assignment' | 'offline', rule: 'viewed' | 'submitted' | 'passed'): CompletionRulesEvent => ({
  type: 'ActivityCompletionRuleSet',
  data: { courseId: COURSE, activityId, kind, rule },
});
const setRule = (activityId: string, kind: string, rule: string) =>
  ({ type: 'SetActivityCompletionRule', courseId: COURSE, activityId, kind, rule }) as CompletionRulesCommand;
const criteriaSet = (requireAll: string[] | 'all', minimumCourseGradePercentage: number | null = null): CompletionRulesEvent => ({
  type: 'CourseCompletionCriteriaSet',
  data: { courseId: COURSE, requireAll, minimumCourseGradePercentage },
});
const setCourse = (requireAll: string[] | 'all', minimumCourseGradePercentage?: number | null): CompletionRulesCommand => ({
  type: 'SetCourseCompletion',
  courseId: COURSE, requireAll, minimumCourseGradePercentage,
});
const rules = [ruleSet(READING, 'resource', 'viewed'), ruleSet(QUIZ, 'quiz', 'passed'), ruleSet(EXAM, 'offline', 'passed')];

describe('completion rules: activities', () => {
  it.each([
    ['resource', 'viewed'],
    ['quiz', 'viewed'], ['quiz', 'submitted'], ['quiz', 'passed'],
    ['assignment', 'viewed'], ['assignment', 'submitted'], ['assignment', 'passed'],
    ['offline', 'passed'],
  ])('accepts a %s completed when %s', (kind, rule) => {
    given().when(setRule(QUIZ, kind, rule)).then([ruleSet(QUIZ, kind as 'quiz', rule as 'viewed')]);
  });

  it.each([
    ['resource', 'submitted'], ['resource', 'passed'],
    ['offline', 'viewed'], ['offline', 'submitted'],
    ['forum', 'viewed'], ['quiz', 'graded'],
  ])('refuses a %s completed when %s', (kind, rule) => {
    given().when(setRule(QUIZ, kind, rule)).thenFails('COMPLETION_RULE_INVALID');
  });

  it('changes a rule, and records nothing when it is the same', () => {
    given(...rules).when(setRule(QUIZ, 'quiz', 'submitted')).then([ruleSet(QUIZ, 'quiz', 'submitted')]);
    given(...rules).when(setRule(QUIZ, 'quiz', 'passed')).then([]);
  });

  it('removes a rule, and records nothing for an activity without one', () => {
    const remove = (activityId: string): CompletionRulesCommand => ({ type: 'RemoveActivityCompletionRule', courseId: COURSE, activityId });
    given(...rules).when(remove(QUIZ)).then([{ type: 'ActivityCompletionRuleRemoved', data: { courseId: COURSE, activityId: QUIZ } }]);
    given(...rules, { type: 'ActivityCompletionRuleRemoved', data: { courseId: COURSE, activityId: QUIZ } }).when(remove(QUIZ)).then([]);
  });

  it('refuses to remove the rule of an activity the course completion lists, not one it covers by "all"', () => {
    const remove: CompletionRulesCommand = { type: 'RemoveActivityCompletionRule', courseId: COURSE, activityId: QUIZ };
    given(...rules, criteriaSet([QUIZ])).when(remove).thenFails('COMPLETION_RULE_IN_USE');
    expect(given(...rules, criteriaSet('all')).when(remove).events()).toHaveLength(1);
  });
});

describe('completion rules: course completion', () => {
  it('requires listed activities, without duplicates, and an optional grade', () => {
    given(...rules).when(setCourse([READING, QUIZ, READING], 60)).then([criteriaSet([READING, QUIZ], 60)]);
    given(...rules).when(setCourse('all')).then([criteriaSet('all', null)]);
  });

  it('accepts "all" before any activity has a rule, and a grade condition alone', () => {
    given().when(setCourse('all')).then([criteriaSet('all')]);
    given().when(setCourse([], 50)).then([criteriaSet([], 50)]);
  });

  it('refuses activities without a rule', () => {
    given(...rules).when(setCourse([QUIZ, '00000000-0000-4000-8000-00000000d0ff'])).thenFails('COMPLETION_RULE_NOT_FOUND');
  });

  it('refuses criteria that require nothing', () => {
    given(...rules).when(setCourse([])).thenFails('COMPLETION_CRITERIA_EMPTY');
    given(...rules).when(setCourse([], null)).thenFails('COMPLETION_CRITERIA_EMPTY');
  });

  it.each([-1, 101, Number.NaN])('refuses a minimum course grade of %s', (minimum) => {
    given(...rules).when(setCourse('all', minimum)).thenFails('COMPLETION_GRADE_INVALID');
  });

  it('records nothing when the criteria do not change', () => {
    given(...rules, criteriaSet([READING, QUIZ], 60)).when(setCourse([READING, QUIZ], 60)).then([]);
    given(...rules, criteriaSet('all')).when(setCourse('all', null)).then([]);
    expect(given(...rules, criteriaSet('all')).when(setCourse([READING, QUIZ, EXAM])).events()).toHaveLength(1);
  });

  it('knows the required activities: the list, else every tracked activity', () => {
    expect(requiredActivities(given(...rules, criteriaSet([QUIZ])).state)).toEqual([QUIZ]);
    expect(requiredActivities(given(...rules, criteriaSet('all')).state)).toEqual([READING, QUIZ, EXAM]);
    expect(requiredActivities(given(...rules).state)).toEqual([READING, QUIZ, EXAM]);
  });
});

describe('completion rules events', () => {
  const validate = (event: CompletionRulesEvent) => COMPLETION_RULES_EVENT_TYPES.find((d) => d.type === event.type)!.validate!(event.data);

  it('go to the stream completion_rules-<courseId>', () => {
    expect(completionRulesStreamId(COURSE)).toBe(`completion_rules-${COURSE}`);
  });

  it('pass their registry validation as decided, and name the problems of invalid data', () => {
    for (const event of [...rules, criteriaSet([QUIZ], 60), criteriaSet('all'), criteriaSet([], 50)]) expect(validate(event)).toEqual([]);
    expect(validate(ruleSet(READING, 'resource', 'passed'))).toEqual(['rule passed does not fit a resource']);
    expect(validate(criteriaSet(['q1'], 120))).toEqual(['requireAll must be a non-empty list of UUIDs, or must be one of all', 'minimumCourseGradePercentage must be a number from 0 to 100, or null']);
  });
});
