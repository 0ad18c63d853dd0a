/** A feature's pure business rules (STYLE.md): no Nest, no I/O, no clock; time comes in the command. */
export interface Decider<Command, Event, State> {
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  decide: (command: Command, state: State) => Event[];
}
