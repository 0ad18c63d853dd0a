import { EventRegistry } from '@learnstream/event-store';
import * as grades from './index';

describe('@learnstream/grades', () => {
  it('exports its deciders, computations and event types, which register together', () => {
    expect(typeof grades.gradebook.decide).toBe('function');
    expect(typeof grades.completion.decide).toBe('function');
    expect(typeof grades.completionRules.decide).toBe('function');
    expect(typeof grades.computeCourseGrades).toBe('function');
    expect(typeof grades.visibleToLearner).toBe('function');
    expect(typeof grades.progress).toBe('function');
    const all = [...grades.GRADEBOOK_EVENT_TYPES, ...grades.COMPLETION_RULES_EVENT_TYPES, ...grades.COMPLETION_EVENT_TYPES];
    const registry = new EventRegistry().register(...all);
    expect(all.map((d) => registry.get(d.type))).toEqual(all);
    expect(all).toHaveLength(18);
  });
});
