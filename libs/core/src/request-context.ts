/**
 * Per-request context (request id, origin of the call), carried through async
 * calls with AsyncLocalStorage so that logs and event envelopes can name the
 * request without passing it around.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequest(): RequestContext | undefined {
  return requestContext.getStore();
}
