/**
 * Name-based UUIDs (RFC 9562 version 5, SHA-1, from the `uuid` package): the
 * same name in the same namespace always gives the same UUID, so a stream keyed
 * by two ids (a learner in a course) has an id any writer can compute without a lookup.
 */
import { v5 } from 'uuid';

/** The RFC 4122 namespace for domain names, used by the RFC's test vector. */
export const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

/** Throws a TypeError when `namespace` is not a UUID. */
export function uuidV5(name: string, namespace: string): string {
  return v5(name, namespace);
}
