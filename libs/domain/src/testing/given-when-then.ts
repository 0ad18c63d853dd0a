/**
 * Given/when/then for pure deciders (STYLE.md): given past events, when a
 * command is decided, then these events, or this error code.
 *
 *   spec(decider).given(e1, e2).when(cmd).then([e3])
 *   spec(decider).given(e1).when(cmd).thenFails('ENROLMENT_EXISTS')
 */
import type { Decider } from '../decider';
import { DomainError } from '../domain-error';

export function spec<Command, Event, State>(decider: Decider<Command, Event, State>) {
  return {
    given(...events: Event[]) {
      const state = events.reduce(decider.evolve, decider.initialState());
      return {
        when(command: Command) {
          const run = () => decider.decide(command, state);
          return {
            then(expected: Event[]) {
              expect(run()).toEqual(expected);
            },
            thenFails(code: string) {
              let error: unknown;
              try {
                run();
              } catch (e) {
                error = e;
              }
              expect(error).toBeInstanceOf(DomainError);
              expect((error as DomainError).code).toBe(code);
            },
            /** The produced events, for assertions the `then` form cannot express. */
            events: run,
          };
        },
        state,
      };
    },
  };
}
