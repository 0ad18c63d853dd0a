/**
 * Sealing an event's IP and user agent asks the key store for the actor's key
 * of the month, and every such call first reads the key store's destruction
 * token (one query: see key-store.ts, "the key cache"). At thousands of events
 * a second that is two queries an event, most of ingestion's database work.
 *
 * This view of the KeyStore coalesces getOrCreateKey(s) calls: while one
 * lookup is in flight, the calls that arrive wait and then go together in
 * the next one (one freshness check for all of them). Each call's check still
 * starts after the call itself did, so the key store's promise holds: a call
 * never uses a key destroyed by a transaction that committed before it
 * started. If the joint call fails (an erased subject among them), each call
 * is made again on its own, so one subject's error stays theirs.
 *
 * Everything else goes straight to the KeyStore.
 */
import type { DataKey, KeyRequest, KeyStore } from '@learnstream/personal-data';

interface Waiting {
  requests: readonly KeyRequest[];
  resolve: (keys: DataKey[]) => void;
  reject: (error: unknown) => void;
}

export function coalescingKeys(keys: KeyStore): KeyStore {
  let waiting: Waiting[] = [];
  let busy = false;

  const run = async (): Promise<void> => {
    busy = true;
    while (waiting.length) {
      const batch = waiting;
      waiting = [];
      try {
        const all = await keys.getOrCreateKeys(batch.flatMap((w) => w.requests));
        let k = 0;
        for (const w of batch) {
          w.resolve(all.slice(k, k + w.requests.length));
          k += w.requests.length;
        }
      } catch {
        await Promise.all(batch.map((w) => keys.getOrCreateKeys(w.requests).then(w.resolve, w.reject)));
      }
    }
    busy = false;
  };

  const getOrCreateKeys = (requests: readonly KeyRequest[]): Promise<DataKey[]> =>
    new Promise((resolve, reject) => {
      waiting.push({ requests, resolve, reject });
      if (!busy) {
        busy = true;
        // Those of the same tick join at once.
        setImmediate(() => void run());
      }
    });

  return new Proxy(keys, {
    get(target, prop) {
      if (prop === 'getOrCreateKeys') return getOrCreateKeys;
      if (prop === 'getOrCreateKey') return async (subjectId: string, scope: KeyRequest['scope']) => (await getOrCreateKeys([{ subjectId, scope }]))[0];
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
