/**
 * Appending one activity event asks the key store two things: which of the
 * ids it names are erased people (KeyStore.erasedAmong) and the actor's key of
 * the month to seal IP and user agent (getOrCreateKeys, whose freshness check
 * is one query: see key-store.ts, "the key cache"). At thousands of events a
 * second that would be two queries an event, most of ingestion's database work.
 *
 * This view of the KeyStore coalesces both: while one lookup is in flight, the
 * calls that arrive wait and then go together in the next one, a single
 * KeyStore.lookUp (one query for the freshness check and the erasure check of
 * all of them while their keys are cached): about one query per group commit.
 * Each call's query still starts after the call itself did, so the key store's
 * promises hold: a call never uses a key destroyed, nor misses an erasure
 * recorded, by a transaction that committed before it started. If a joint
 * call fails (an erased subject among them), each call is made again on its
 * own, so one subject's error stays theirs.
 *
 * Everything else goes straight to the KeyStore.
 */
import { coalesced } from '@learnstream/core';
import type { DataKey, KeyRequest, KeyStore } from '@learnstream/personal-data';

interface Asked {
  ids: readonly string[];
  requests: readonly KeyRequest[];
}

interface Answer {
  erased: Map<string, string | null>;
  keys: DataKey[];
}

export function coalescingKeys(keys: KeyStore): KeyStore {
  const lookUp = coalesced<Asked, Answer>(async (batch) => {
    const all = await keys.lookUp(
      batch.flatMap((w) => w.ids),
      batch.flatMap((w) => w.requests),
    );
    let k = 0;
    // Each caller gets what the key store answers for its own ids (lower case, UUIDs only) and its own keys.
    return batch.map((w) => ({
      erased: new Map(w.ids.flatMap((id) => (all.erased.has(id.toLowerCase()) ? [[id.toLowerCase(), all.erased.get(id.toLowerCase())!] as const] : []))),
      keys: all.keys.slice(k, (k += w.requests.length)),
    }));
  });

  return new Proxy(keys, {
    get(target, prop) {
      if (prop === 'lookUp') return (ids: Iterable<string>, requests: readonly KeyRequest[]) => lookUp({ ids: [...ids], requests });
      if (prop === 'getOrCreateKeys') return async (requests: readonly KeyRequest[]) => (await lookUp({ ids: [], requests })).keys;
      if (prop === 'getOrCreateKey') return async (subjectId: string, scope: KeyRequest['scope']) => (await lookUp({ ids: [], requests: [{ subjectId, scope }] })).keys[0];
      if (prop === 'erasedAmong') return async (ids: Iterable<string>) => (await lookUp({ ids: [...ids], requests: [] })).erased;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
