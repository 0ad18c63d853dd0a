/**
 * Request limits per client address, with express-rate-limit, counted in
 * PostgreSQL by default (RATE_LIMIT_STORE=postgres: PostgresRateStore, one
 * table every process shares, so N replicas allow each limit once), or in
 * memory per process (RATE_LIMIT_STORE=memory: N replicas allow N times).
 * @nestjs/throttler would be the Nest idiom, but it is CommonJS requiring the
 * ESM-only Nest 12, which jest cannot load.
 *
 * - Every request: RATE_LIMIT_PER_MINUTE per client address (0 = off),
 *   checked before the body is even read. /health is exempt: probes poll it
 *   and it must answer while a client is limited.
 * - Sign-in (@SignInRoute: login, refresh, register, password change, REST and
 *   GraphQL): SIGNIN_RATE_LIMIT_PER_MINUTE per client address, counted per
 *   call, so each login mutation of one GraphQL request counts (guards run per
 *   root field). The lockout of a (username, client) pair and the slow-down of
 *   a username are the sign-in's own (libs/identity/src/auth/sign-in-limiter.ts).
 *
 * The client address is Fastify's `request.ip`, which honours TRUST_PROXY
 * (create-app.ts). express-rate-limit is framework-free but for its request
 * and response types: it is handed the client's address and the raw response
 * (for its RateLimit headers), and its refusal goes on as our error (429).
 */
import { Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Request, Response } from 'express';
import { MemoryStore, rateLimit, type Options, type RateLimitRequestHandler, type Store } from 'express-rate-limit';
import type pg from 'pg';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { PG_POOL } from './core.module';
import { ApiError } from './http-errors';
import { pathOf } from './edge';
import { PostgresRateStore } from './postgres-rate-store';

const SIGN_IN_ROUTE = 'learnstream:sign-in-route';

/** Marks a route or resolver as a sign-in attempt: it meets the stricter sign-in limit too. */
export const SignInRoute = () => SetMetadata(SIGN_IN_ROUTE, true);

const TOO_MANY = 'too many requests from this client: slow down and try again later';

/**
 * The store of one limit (`name` keeps its keys apart from the others'): the
 * shared PostgreSQL table, or this process's memory (RATE_LIMIT_STORE).
 * Initialised for `windowMs` (express-rate-limit initialises it again itself).
 */
export function rateStore(config: AppConfig, pool: pg.Pool, name: string, windowMs: number): Store & Required<Pick<Store, 'get' | 'shutdown'>> {
  if (config.http.rateLimitStore === 'memory') return memoryStore(windowMs);
  const store = new PostgresRateStore(pool, config.auth.jwtSecret, name);
  store.init({ windowMs });
  return store;
}

/** What express-rate-limit reads of a request (its address; no Express needed) and the raw response it sets headers on. */
function limiterArgs(request: FastifyRequest, reply: FastifyReply | undefined): [Request, Response] {
  const req = { ip: request.ip, method: request.method, headers: request.headers, path: pathOf(request.url), app: { get: () => undefined } };
  // Its RateLimit headers go on the reply (Express's setHeader and append, over Fastify's header).
  const res = {
    get headersSent() {
      return reply?.sent ?? false;
    },
    getHeader: (name: string) => reply?.getHeader(name),
    setHeader: (name: string, value: string | number) => void reply?.header(name, value),
    append: (name: string, value: string) => {
      const before = reply?.getHeader(name);
      void reply?.header(name, before === undefined ? value : `${String(before)}, ${value}`);
    },
  };
  return [req as unknown as Request, res as unknown as Response];
}

/** Runs an express-rate-limit limiter for a request: resolves when it passes, rejects with its refusal. */
function limit(limiter: RateLimitRequestHandler, request: FastifyRequest, reply: FastifyReply | undefined): Promise<void> {
  const [req, res] = limiterArgs(request, reply);
  return new Promise<void>((resolve, reject) => void limiter(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
}

/** The limit on every request of a client address (none when RATE_LIMIT_PER_MINUTE is 0): an onRequest hook, before the body is read. */
export function clientRateLimit(config: AppConfig, pool: pg.Pool): onRequestHookHandler[] {
  const perMinute = config.http.rateLimitPerMinute;
  if (perMinute === 0) return [];
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    store: rateStore(config, pool, 'client', 60_000),
    // The database down: requests pass this limit (they meet 503 DATABASE_UNAVAILABLE further on).
    passOnStoreError: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Its checks are of Express's settings ('trust proxy'): the address is Fastify's, which honours TRUST_PROXY.
    validate: false,
    handler: (_req, _res, next) => next(new ApiError(429, 'TOO_MANY_REQUESTS', TOO_MANY)),
  });
  return [
    (request, reply, done) => {
      if (pathOf(request.url) === '/health') return done();
      limit(limiter, request, reply).then(() => done(), (error: Error) => done(error));
    },
  ];
}

/** Builds an in-memory store with express-rate-limit's fixed window, for limits that are not a middleware. */
export function memoryStore(windowMs: number): MemoryStore {
  const store = new MemoryStore();
  store.init({ windowMs } as Options);
  return store;
}

/** The sign-in limit per client address, applied per sign-in call (REST route or GraphQL root field). */
@Injectable()
export class SignInRateGuard implements CanActivate {
  private readonly limiter: RateLimitRequestHandler;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(PG_POOL) pool: pg.Pool) {
    this.limiter = rateLimit({
      windowMs: 60_000,
      limit: config.auth.signIn.perClientPerMinute,
      store: rateStore(config, pool, 'signin', 60_000),
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      identifier: 'signin',
      // One GraphQL request may hold several login mutations: each counts, on purpose.
      validate: false,
      handler: (_req, _res, next) => next(new ApiError(429, 'TOO_MANY_REQUESTS', 'too many sign-in attempts from this client: try again later')),
    });
  }

  /** @SignInRoute() of each handler, read once: the metadata does not change after start-up. */
  private readonly signInRoutes = new WeakMap<object, boolean>();

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const handler = context.getHandler();
    let signIn = this.signInRoutes.get(handler);
    if (signIn === undefined) this.signInRoutes.set(handler, (signIn = Reflect.getMetadata(SIGN_IN_ROUTE, handler) === true));
    if (!signIn) return true;
    if (context.getType<string>() === 'graphql') {
      const { req, reply } = context.getArgs<[unknown, unknown, { req: FastifyRequest; reply?: FastifyReply }]>()[2];
      await limit(this.limiter, req, reply);
    } else await limit(this.limiter, context.switchToHttp().getRequest<FastifyRequest>(), context.switchToHttp().getResponse<FastifyReply>());
    return true;
  }
}
