import { completionRules, type CompletionRulesCommand } from './completion-rules';
import { evolveGradebook, initialGradebookState } from './gradebook.state';
import { completionRulesFromJson, completionRulesToJson, gradebookFromJson, gradebookToJson } from './state-json';
import { ANN, BEN, COURSE, graded, overridden, PART, Q1, released, structure } from './testing/gradebook.fixtures';

describe('state as JSON (the grades projection’s storage)', () => {
  it('gives back the same gradebook state, order included', () => {
    const state = [...structure, graded(Q1, ANN, 7), graded(PART, BEN, 9, 'manual'), overridden(Q1, BEN, 4), overridden('course', ANN, 88), released(Q1)].reduce(
      evolveGradebook,
      initialGradebookState(),
    );
    const json = JSON.parse(JSON.stringify(gradebookToJson(state)));
    const back = gradebookFromJson(json);
    expect(back).toEqual(state);
    expect([...back.items.keys()]).toEqual([...state.items.keys()]);
  });

  it('gives back the same completion rules', () => {
    const commands: CompletionRulesCommand[] = [
      { type: 'SetActivityCompletionRule', courseId: COURSE, activityId: Q1, kind: 'quiz', rule: 'passed' },
      { type: 'SetActivityCompletionRule', courseId: COURSE, activityId: PART, kind: 'resource', rule: 'viewed' },
      { type: 'SetCourseCompletion', courseId: COURSE, requireAll: [Q1], minimumCourseGradePercentage: 50 },
    ];
    let rules = completionRules.initialState();
    for (const command of commands) rules = completionRules.decide(command, rules).reduce(completionRules.evolve, rules);
    expect(completionRulesFromJson(JSON.parse(JSON.stringify(completionRulesToJson(rules))))).toEqual(rules);
  });
});
