/**
 * Per-request context (request id, IP and user agent of the caller). The
 * request-id middleware puts it on the request (requestContextOf); from there
 * it travels explicitly: the actor of a request carries it (CurrentActor), and
 * so event envelopes, error bodies and the access log name the request.
 * No AsyncLocalStorage: in Node 20 one ALS.run() makes a promise hook run for
 * every promise the process creates, about 15 % of a single-event ingest's CPU.
 */
export interface RequestContext {
  readonly requestId: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

const contexts = new WeakMap<object, RequestContext>();

/** Gives `request` (an HTTP request) its context; the request-id middleware does, once per request. */
export function setRequestContext(request: object, context: RequestContext): void {
  contexts.set(request, context);
}

/** The context of an HTTP request (undefined before the request-id middleware ran, or for no request). */
export function requestContextOf(request: object | null | undefined): RequestContext | undefined {
  return request ? contexts.get(request) : undefined;
}

/** The request id of an HTTP request, for error bodies and log lines. */
export function requestIdOf(request: object | null | undefined): string | undefined {
  return requestContextOf(request)?.requestId;
}

/** A request header as one string (the first of repeated ones). */
export function headerOf(request: { headers: Record<string, string | string[] | undefined> }, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
