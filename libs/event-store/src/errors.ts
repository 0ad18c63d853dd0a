/** Errors of the event store with stable codes; mapped once to HTTP in the api app. */
export class EventStoreError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The stream was not at the revision the writer expected (optimistic concurrency). */
export class WrongExpectedRevisionError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly expected: string,
    readonly actual: bigint | null,
  ) {
    super('CONCURRENCY_CONFLICT', `stream ${streamId}: expected revision ${expected}, actual ${actual === null ? 'no stream' : actual}`);
  }
}

/** An event failed validation before it was appended; nothing was written. */
export class InvalidEventError extends EventStoreError {
  constructor(message: string, readonly details: string[] = []) {
    super('INVALID_EVENT', details.length ? `${message}: ${details.join('; ')}` : message);
  }
}

export function expectedToString(e: 'any' | 'no_stream' | 'stream_exists' | bigint): string {
  return typeof e === 'bigint' ? e.toString() : e;
}
