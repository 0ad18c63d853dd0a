import { spec } from '../../domain/src/testing/given-when-then';
import { completion, progress, type CompletionCommand } from './completion';
import { completionRules, type CompletionRules } from './completion-rules';
import { COMPLETION_EVENT_TYPES, completionStreamId, type ActivityFact, type CompletionEvent, type CompletionRulesEvent } from './completion.events';
import { uuidV5 } from '@learnstream/domain';

const COURSE = '00000000-0000-4000-8000-00000000c001';
const ANN = '00000000-0000-4000-8000-0000000a0001';
const READING = '00000000-0000-4000-8000-00000000d001';
const QUIZ = '00000000-0000-4000-8000-00000000d002';
const ESSAY = '00000000-0000-4000-8000-00000000d003';
const UNTRACKED = '00000000-0000-4000-8000-00000000d0ff';
const AT = '2025-03-01T10:00:00.000Z';
const LATER = '2025-03-02T10:00:00.000Z';

const rulesOf = (...events: CompletionRulesEvent[]): CompletionRules => spec(completionRules).given(...events).state;
const ruleSet = (activityId: string, kind: 'resource' | 'quiz' | 'assignment', rule: 'viewed' | 'submitted' | 'passed'): CompletionRulesEvent => ({
  type: 'ActivityCompletionRuleSet',
  data: { courseId: COURSE, activityId, kind, rule },
});
const criteriaSet = (requireAll: string[] | 'all', minimumCourseGradePercentage: number | null = null): CompletionRulesEvent => ({
  type: 'CourseCompletionCriteriaSet',
  data: { courseId: COURSE, requireAll, minimumCourseGradePercentage },
});
/** A reading to view, a quiz to pass, an essay to hand in. */
const tracked = [ruleSet(READING, 'resource', 'viewed'), ruleSet(QUIZ, 'quiz', 'passed'), ruleSet(ESSAY, 'assignment', 'submitted')];
const RULES = rulesOf(...tracked, criteriaSet('all'));

const given = (...events: CompletionEvent[]) => spec(completion).given(...events);
const fact = (activityId: string, f: ActivityFact, rules = RULES, at = AT): CompletionCommand => ({
  type: 'RecordActivityFact',
  courseId: COURSE, learnerId: ANN, activityId, fact: f, at, rules,
});
const completed = (activityId: string, rule: 'viewed' | 'submitted' | 'passed', at = AT): CompletionEvent => ({
  type: 'ActivityCompleted',
  data: { courseId: COURSE, learnerId: ANN, activityId, rule, at },
});
const evaluate = (rules: CompletionRules, courseGradePercentage: number | null = null): CompletionCommand => ({
  type: 'EvaluateCourseCompletion',
  courseId: COURSE, learnerId: ANN, now: LATER, rules, courseGradePercentage,
});
const courseCompleted: CompletionEvent = { type: 'CourseCompleted', data: { courseId: COURSE, learnerId: ANN, at: LATER } };
const allDone = [completed(READING, 'viewed'), completed(QUIZ, 'passed'), completed(ESSAY, 'submitted')];

describe('completion: activities', () => {
  it('completes an activity when its rule is met', () => {
    given().when(fact(READING, 'viewed')).then([completed(READING, 'viewed')]);
    given().when(fact(QUIZ, 'passed')).then([completed(QUIZ, 'passed')]);
    given().when(fact(ESSAY, 'submitted')).then([completed(ESSAY, 'submitted')]);
  });

  it('does not complete when the fact falls short of the rule', () => {
    given().when(fact(QUIZ, 'viewed')).then([]);
    given().when(fact(QUIZ, 'submitted')).then([]);
    given().when(fact(QUIZ, 'failed')).then([]);
    given().when(fact(ESSAY, 'viewed')).then([]);
  });

  it("takes 'passed' as submitted and viewed, 'submitted' as viewed, 'failed' as submitted", () => {
    given().when(fact(ESSAY, 'passed')).then([completed(ESSAY, 'submitted')]);
    given().when(fact(ESSAY, 'failed')).then([completed(ESSAY, 'submitted')]);
    const viewQuiz = rulesOf(ruleSet(QUIZ, 'quiz', 'viewed'));
    given().when(fact(QUIZ, 'submitted', viewQuiz)).then([completed(QUIZ, 'viewed')]);
    given().when(fact(QUIZ, 'passed', viewQuiz)).then([completed(QUIZ, 'viewed')]);
  });

  it('completes once: the same fact again records nothing', () => {
    given(completed(READING, 'viewed')).when(fact(READING, 'viewed', RULES, LATER)).then([]);
  });

  it("is final: a 'failed' after completion does not revoke it, nor does a stricter rule", () => {
    given(completed(QUIZ, 'passed')).when(fact(QUIZ, 'failed')).then([]);
    const state = given(completed(QUIZ, 'passed')).state;
    expect(state.completed.get(QUIZ)).toEqual({ rule: 'passed', at: AT });
    const stricter = rulesOf(ruleSet(READING, 'quiz', 'passed'));
    given(completed(READING, 'viewed')).when(fact(READING, 'failed', stricter)).then([]);
  });

  it('ignores activities without a rule', () => {
    given().when(fact(UNTRACKED, 'passed')).then([]);
  });

  it('refuses an unknown fact', () => {
    given().when(fact(READING, 'opened' as ActivityFact)).thenFails('ACTIVITY_FACT_INVALID');
  });
});

describe('completion: the course', () => {
  it('completes once every required activity is completed', () => {
    given(...allDone).when(evaluate(RULES)).then([courseCompleted]);
    given(...allDone.slice(0, 2)).when(evaluate(RULES)).then([]);
  });

  it('requires only the listed activities', () => {
    const quizOnly = rulesOf(...tracked, criteriaSet([QUIZ]));
    given(completed(QUIZ, 'passed')).when(evaluate(quizOnly)).then([courseCompleted]);
  });

  it('requires the course grade to reach the minimum as well, a missing grade failing it', () => {
    const withGrade = rulesOf(...tracked, criteriaSet('all', 60));
    given(...allDone).when(evaluate(withGrade, 60)).then([courseCompleted]);
    given(...allDone).when(evaluate(withGrade, 59.99)).then([]);
    given(...allDone).when(evaluate(withGrade, null)).then([]);
  });

  it('completes on the grade alone when no activity is required', () => {
    given().when(evaluate(rulesOf(criteriaSet([], 50)), 50)).then([courseCompleted]);
  });

  it('completes once: evaluating again records nothing', () => {
    given(...allDone, courseCompleted).when(evaluate(RULES)).then([]);
  });

  it('never completes without criteria, or when nothing at all is required', () => {
    given(...allDone).when(evaluate(rulesOf(...tracked), 100)).then([]);
    given().when(evaluate(rulesOf(criteriaSet('all')), 100)).then([]);
  });

  it('refuses a course grade that is not a number', () => {
    given(...allDone).when(evaluate(RULES, Number.NaN)).thenFails('COMPLETION_GRADE_INVALID');
  });
});

describe('completion: progress', () => {
  it('counts the required activities completed, rounding down', () => {
    // 2 of 3: 66.67 % shown as 66
    expect(progress(given(...allDone.slice(0, 2)).state, RULES)).toEqual({ completed: 2, required: 3, percentage: 66 });
    expect(progress(given(...allDone).state, RULES)).toEqual({ completed: 3, required: 3, percentage: 100 });
    expect(progress(given().state, RULES)).toEqual({ completed: 0, required: 3, percentage: 0 });
  });

  it('counts only required activities when the criteria list them', () => {
    const quizOnly = rulesOf(...tracked, criteriaSet([QUIZ]));
    expect(progress(given(completed(READING, 'viewed')).state, quizOnly)).toEqual({ completed: 0, required: 1, percentage: 0 });
  });

  it('has no percentage when nothing is required', () => {
    expect(progress(given().state, rulesOf())).toEqual({ completed: 0, required: 0, percentage: null });
  });

  it('rounds down exactly: 29 of 100 is 29, not 28', () => {
    const ids = Array.from({ length: 100 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const many = rulesOf(...ids.map((id) => ruleSet(id, 'resource', 'viewed')));
    const state = given(...ids.slice(0, 29).map((id) => completed(id, 'viewed'))).state;
    expect(progress(state, many).percentage).toBe(29);
  });
});

describe('completion events', () => {
  it('go to completion-<uuidV5(courseId:learnerId)>, whatever the case of the ids', () => {
    const id = completionStreamId(COURSE, ANN);
    expect(id).toMatch(/^completion-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(completionStreamId(COURSE.toUpperCase(), ANN.toUpperCase())).toBe(id);
    expect(completionStreamId(ANN, COURSE)).not.toBe(id);
    expect(id).toBe(`completion-${uuidV5(`${COURSE}:${ANN}`, '5b0e7f4e-3c1a-4d52-9a8e-2f6c1d7b9e30')}`);
  });

  it('pass their registry validation as decided, and name the problems of invalid data', () => {
    const validate = (event: CompletionEvent) => COMPLETION_EVENT_TYPES.find((d) => d.type === event.type)!.validate!(event.data);
    for (const event of [...allDone, courseCompleted]) expect(validate(event)).toEqual([]);
    expect(validate({ type: 'ActivityCompleted', data: { courseId: COURSE, learnerId: ANN, activityId: QUIZ, rule: 'failed' as 'passed', at: '1 March' } })).toEqual([
      'rule must be one of viewed, submitted, passed',
      'at must be an ISO-8601 UTC timestamp',
    ]);
  });
});
