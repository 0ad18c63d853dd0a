/**
 * Appending one activity event asks the key store two things: which of the
 * ids it names are erased people (KeyStore.erasedAmong, one query) and the
 * actor's key of the month to seal IP and user agent (getOrCreateKeys, whose
 * freshness check is one query: see key-store.ts, "the key cache"). At
 * thousands of events a second that is two queries an event, most of
 * ingestion's database work.
 *
 * This view of the KeyStore coalesces both: while one lookup of a kind is in
 * flight, the calls of that kind that arrive wait and then go together in the
 * next one (one query for all of them, so about one of each per group commit).
 * Each call's query still starts after the call itself did, so the key store's
 * promises hold: a call never uses a key destroyed, nor misses an erasure
 * recorded, by a transaction that committed before it started. If a joint
 * call fails (an erased subject among them), each call is made again on its
 * own, so one subject's error stays theirs.
 *
 * Everything else goes straight to the KeyStore.
 */
import type { DataKey, KeyRequest, KeyStore } from '@learnstream/personal-data';

interface Waiting<Q, R> {
  asked: Q;
  resolve: (answer: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Calls of `one` that arrive while another is in flight are answered by one
 * call of `all` with every question of the batch; the calls of the same tick
 * join at once. A failed joint call is made again call by call.
 */
function coalesced<Q, R>(all: (asked: Q[]) => Promise<R[]>, one: (asked: Q) => Promise<R>): (asked: Q) => Promise<R> {
  let waiting: Waiting<Q, R>[] = [];
  let busy = false;

  const run = async (): Promise<void> => {
    while (waiting.length) {
      const batch = waiting;
      waiting = [];
      try {
        const answers = await all(batch.map((w) => w.asked));
        batch.forEach((w, i) => w.resolve(answers[i]));
      } catch {
        await Promise.all(batch.map((w) => one(w.asked).then(w.resolve, w.reject)));
      }
    }
    busy = false;
  };

  return (asked) =>
    new Promise((resolve, reject) => {
      waiting.push({ asked, resolve, reject });
      if (!busy) {
        busy = true;
        setImmediate(() => void run());
      }
    });
}

export function coalescingKeys(keys: KeyStore): KeyStore {
  const getOrCreateKeys = coalesced<readonly KeyRequest[], DataKey[]>(
    async (batch) => {
      const flat = await keys.getOrCreateKeys(batch.flat());
      let k = 0;
      return batch.map((requests) => flat.slice(k, (k += requests.length)));
    },
    (requests) => keys.getOrCreateKeys(requests),
  );
  const erasedAmong = coalesced<string[], Map<string, string | null>>(
    async (batch) => {
      const erased = await keys.erasedAmong(batch.flat());
      // Each caller gets what the key store answers for its own ids (lower case, UUIDs only).
      return batch.map((ids) => new Map(ids.flatMap((id) => (erased.has(id.toLowerCase()) ? [[id.toLowerCase(), erased.get(id.toLowerCase())!] as const] : []))));
    },
    (ids) => keys.erasedAmong(ids),
  );

  return new Proxy(keys, {
    get(target, prop) {
      if (prop === 'getOrCreateKeys') return getOrCreateKeys;
      if (prop === 'getOrCreateKey') return async (subjectId: string, scope: KeyRequest['scope']) => (await getOrCreateKeys([{ subjectId, scope }]))[0];
      if (prop === 'erasedAmong') return (ids: Iterable<string>) => erasedAmong([...ids]);
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
