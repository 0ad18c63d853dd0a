/**
 * What must happen to a request before Fastify routes it: the LRS's alternate
 * request syntax (a POST with ?method=X and a form body that describes the
 * request X) becomes that request — method, URL, headers and body — before
 * routing, as it did ahead of Express's router. Fastify routes a request as
 * soon as it arrives; its server is made here (Fastify's `serverFactory`)
 * so that pre-routers registered by a module (addPreRouter) see the request first.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** Handles the request itself (answers it) or calls `next` (possibly after rewriting it). */
export type PreRouter = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

const ROUTERS = new WeakMap<object, PreRouter[]>();

/** Registers a pre-router on the application's Fastify instance (a module's provider, while the app is created). */
export function addPreRouter(instance: object | undefined, router: PreRouter): void {
  if (!instance) return;
  ROUTERS.set(instance, [...(ROUTERS.get(instance) ?? []), router]);
}

/** Fastify's serverFactory, and `attach` to name the instance whose pre-routers it runs. */
export function preRoutingServer(): { serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) => Server; attach(instance: object): void } {
  let instance: object | undefined;
  return {
    serverFactory: (handler) =>
      createServer((req, res) => {
        const routers = instance ? ROUTERS.get(instance) : undefined;
        if (!routers) return handler(req, res);
        const run = (i: number): void => (i === routers.length ? handler(req, res) : routers[i](req, res, () => run(i + 1)));
        run(0);
      }),
    attach(fastify) {
      instance = fastify;
    },
  };
}
