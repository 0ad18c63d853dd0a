/**
 * Which request the test app is serving, for specs that count the work one
 * request does (its SQL statements, its argon2 verifications). The server
 * keeps no ambient request context (no AsyncLocalStorage on the request path,
 * issue 15), so the test process enters its own around the HTTP server's
 * request handler, keyed by X-Request-Id; deferred work (DeferredWork) runs
 * under `<id>:deferred`, as it is not part of the request's answer.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { DeferredWork, type RequestContext } from '../../libs/core/src';
import type { TestApp } from './test-app';

export interface RequestTrace {
  /** The X-Request-Id of the request whose work is running now, if any. */
  requestIdNow(): string | undefined;
  restore(): void;
}

export function traceRequests(t: TestApp): RequestTrace {
  const trace = new AsyncLocalStorage<string | undefined>();
  const server = t.app.getHttpServer() as Server;
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  const traced = (req: IncomingMessage, res: ServerResponse) => {
    const id = req.headers['x-request-id'];
    trace.run(typeof id === 'string' ? id : undefined, () => handlers.forEach((handle) => handle.call(server, req, res)));
  };
  server.on('request', traced);
  const deferred = t.app.get(DeferredWork);
  const run = deferred.run;
  const untraced = run.bind(deferred);
  deferred.run = <By extends { readonly request: RequestContext | null }>(what: string, by: By, work: (later: By) => Promise<void>): void => {
    const id = trace.getStore();
    untraced(what, by, (later: By) => trace.run(id === undefined ? undefined : `${id}:deferred`, () => work(later)));
  };
  return {
    requestIdNow: () => trace.getStore(),
    restore: () => {
      server.removeListener('request', traced);
      handlers.forEach((handle) => server.on('request', handle));
      deferred.run = run;
    },
  };
}
