/**
 * Name-based UUIDs (RFC 9562 version 5, SHA-1, from the `uuid` package): the
 * same name in the same namespace always gives the same UUID, so a stream keyed
 * by two ids (a learner in a course) has an id any writer can compute without a lookup.
 */
import { parse, v5 } from 'uuid';

/** The RFC 4122 namespace for domain names, used by the RFC's test vector. */
export const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

/** Namespaces parsed once (they are a few constants; a bulk import derives an id per row in the same one). */
const parsed = new Map<string, Uint8Array>();
const MAX_PARSED = 256;

/** Throws a TypeError when `namespace` is not a UUID. */
export function uuidV5(name: string, namespace: string): string {
  let bytes = parsed.get(namespace);
  if (!bytes) {
    bytes = parse(namespace);
    if (parsed.size < MAX_PARSED) parsed.set(namespace, bytes);
  }
  return v5(name, bytes);
}
