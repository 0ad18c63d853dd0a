/**
 * Calls coalesced (`coalesced`: the key store's lookups of activity, see
 * libs/activity's coalescing-keys.ts), and reads by key coalesced
 * (`coalescedReads`, below): the keys asked while no read is in flight go
 * together in one read at the next turn of the event loop, those asked while
 * one is in flight in the next read after it. So a burst of cache misses (every
 * learner's session and enrolment once their entries ran out, the 32 requests
 * that all find a course's entry expired at once) is a few statements, not one
 * per request queueing for the pool ahead of the group commit.
 *
 * Each read is sent after every call it answers was made: an answer never
 * predates its call (a row committed before the call is seen, as with a read of
 * its own). A joint read that fails is made again call by call, so that one
 * caller's bad key (a malformed id the database refuses) fails only that caller.
 */
export type CoalescedRead<V> = (keys: readonly string[]) => Promise<Map<string, V>>;

interface Waiting<Ask, Answer> {
  ask: Ask;
  resolve: (answer: Answer) => void;
  reject: (error: unknown) => void;
}

/**
 * Calls coalesced: `run` answers the asks of one joint call, each in its
 * place. What is asked while no joint call is in flight goes in one at the
 * next turn of the event loop; what is asked while one is, in the next one
 * after it. A joint call that fails is made again ask by ask, so that one
 * caller's error stays theirs.
 */
export function coalesced<Ask, Answer>(run: (asks: Ask[]) => Promise<Answer[]>): (ask: Ask) => Promise<Answer> {
  let waiting: Waiting<Ask, Answer>[] = [];
  let busy = false;

  const drain = async (): Promise<void> => {
    while (waiting.length) {
      const batch = waiting;
      waiting = [];
      try {
        const answers = await run(batch.map((w) => w.ask));
        batch.forEach((w, i) => w.resolve(answers[i]));
      } catch (error) {
        if (batch.length === 1) batch[0].reject(error);
        else await Promise.all(batch.map((w) => run([w.ask]).then(([answer]) => w.resolve(answer), w.reject)));
      }
    }
    busy = false;
  };

  return (ask) =>
    new Promise((resolve, reject) => {
      waiting.push({ ask, resolve, reject });
      if (!busy) {
        busy = true;
        // Those of the same turn join at once.
        setImmediate(() => void drain());
      }
    });
}

/** Reads by key, coalesced: `read` gets each key of a joint read once and returns what it found (keys not found left out). */
export function coalescedReads<V>(read: (keys: string[]) => Promise<Map<string, V>>): CoalescedRead<V> {
  return coalesced<readonly string[], Map<string, V>>(async (asks) => {
    const found = await read([...new Set(asks.flat())]);
    return asks.map(() => found);
  });
}
