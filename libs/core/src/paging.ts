/**
 * One paging convention for every list: `limit`, an opaque `cursor` (the
 * `nextCursor` of the page before), and in the answer `nextCursor` (null on
 * the last page), `next` (the same request's path with that cursor: follow it
 * as it is) and, where it is cheap, `total`.
 */
import { DomainError } from '@learnstream/domain';

/** A keyset cursor: the sort key of a page's last row, opaque to clients. */
export function encodeKeyCursor(key: readonly (string | number | boolean | null)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The sort key a cursor holds; a cursor this list did not give is 400 VALIDATION_FAILED. */
export function decodeKeyCursor(cursor: string, arity: number): (string | number | boolean | null)[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === arity && key.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) return key as (string | number | boolean | null)[];
  } catch {
    // not JSON: refused below
  }
  throw new DomainError('invalid', 'VALIDATION_FAILED', 'cursor is not a cursor this list gave', [{ field: 'cursor', message: 'pass the nextCursor of the page before, as it is' }]);
}

/** The request's own path and query with `cursor` set to the next page's (and any `offset` dropped); null on the last page. */
export function nextLink(originalUrl: string, nextCursor: string | null): string | null {
  if (nextCursor === null) return null;
  const url = new URL(originalUrl, 'http://learnstream.invalid');
  url.searchParams.delete('offset');
  url.searchParams.set('cursor', nextCursor);
  return `${url.pathname}${url.search}`;
}
