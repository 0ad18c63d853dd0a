/**
 * The HTTP edge: what every request meets before any controller, resolver or
 * command sees it.
 *
 * - Bodies are bounded in size before they are parsed (body-parser's limit) and
 *   in nesting depth as soon as they are (JSON.parse itself is not recursive in
 *   V8; what came after it was: 40,000 nested arrays used to answer 500).
 * - One rule for every string a client sends, wherever it sends it (REST and
 *   xAPI bodies, GraphQL documents and variables, query strings): no NUL
 *   character and no unpaired UTF-16 surrogate. PostgreSQL cannot store the
 *   first (text) and the second is not Unicode; both used to fail half-way
 *   through a command or in a projection. Object keys are strings too, and
 *   none may be `__proto__` (or `constructor.prototype`).
 * - No number beyond ±(2^53 − 1): JSON allows 1e308, which no count, weight,
 *   score or duration of ours means, and past which integers are not exact.
 *   The DTOs bound each field more tightly where they know better.
 * - Security headers (helmet), no `X-Powered-By`, and `Cache-Control: no-store`
 *   on the JSON/CSV API, which carries personal data.
 */
import type { RequestHandler, Response } from 'express';
import express from 'express';
import helmet from 'helmet';
import type { Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG, type AppConfig, type HttpEdgeConfig } from '@learnstream/config';
import { isUtf8 } from 'node:buffer';
import { requestIdOf } from './request-context';

export interface BadInput {
  /** Where: `body.items[3].title`, `query.q`, `body` (too deep). */
  field: string;
  message: string;
}

/** `"abc"` is fine; a NUL or a lone surrogate is not. */
export function badString(value: string): string | null {
  if (value.includes('\u0000')) return 'must not contain a NUL character';
  // String.prototype.isWellFormed (Node 20; ES2024, past this project's `lib`).
  if (!(value as string & { isWellFormed(): boolean }).isWellFormed()) return 'must be well-formed Unicode (no unpaired surrogate)';
  return null;
}

/**
 * `__proto__`, and `constructor` holding a `prototype` (the rule of
 * secure-json-parse): JSON.parse makes them plain own keys, but copied with
 * Object.assign or a spread into a new object they set its prototype. No
 * field of ours has those names.
 */
function prototypeKey(key: string, value: unknown): boolean {
  return key === '__proto__' || (key === 'constructor' && value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, 'prototype'));
}

/**
 * The first thing wrong in a parsed input, or null. Walks iteratively and
 * stops at `maxDepth`, so neither depth nor width can exhaust the stack.
 */
export function findBadInput(root: unknown, name: string, maxDepth: number): BadInput | null {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: root, path: name, depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = badString(value);
      if (problem) return { field: path, message: `${path} ${problem}` };
      continue;
    }
    if (typeof value === 'number' && !(Math.abs(value) <= Number.MAX_SAFE_INTEGER)) {
      return { field: path, message: `${path} must be a number between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}` };
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxDepth) return { field: path, message: `${name} is nested deeper than ${maxDepth} levels` };
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i -= 1) stack.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 });
      continue;
    }
    for (const key of Object.keys(value)) {
      const problem = badString(key);
      if (problem) return { field: path, message: `a field name in ${path} ${problem}` };
      if (prototypeKey(key, (value as Record<string, unknown>)[key])) return { field: `${path}.${key}`, message: `${path}.${key}: no field is called that (it would reach an object's prototype)` };
      stack.push({ value: (value as Record<string, unknown>)[key], path: `${path}.${key}`, depth: depth + 1 });
    }
  }
  return null;
}

/** Our error shape, for the few answers given before Nest's exception filter is in reach. */
export function sendEdgeError(res: Response, status: number, code: string, message: string, details?: unknown): void {
  if (res.headersSent) return;
  res.status(status).json({ error: { code, message, ...(details !== undefined && { details }), requestId: requestIdOf(res.req) } });
}

/**
 * The one global input rule: after the body parsers, before routing. Every
 * parser (ours below, the activity route's, any a module mounts while the app
 * is created) has run by then.
 */
export function inputGuardMiddleware(config: Pick<HttpEdgeConfig, 'maxInputDepth'>): RequestHandler {
  return (req, res, next) => {
    const bad = findBadInput(req.query, 'query', config.maxInputDepth) ?? findBadInput(req.body, 'body', config.maxInputDepth);
    if (bad) return sendEdgeError(res, 400, 'VALIDATION_FAILED', bad.message, [bad]);
    next();
  };
}

/**
 * body-parser's `verify`: a body said (or taken by default) to be UTF-8 must
 * be UTF-8. The decoder would put U+FFFD for every byte that is not, and a
 * name from a CSV saved in a legacy code page (Thai Excel's windows-874) would
 * be stored as question marks; refused instead (400), naming the fix: the
 * charset in Content-Type, which the parser then decodes.
 */
const NOT_UTF8 = 'body.not.utf8';
export function utf8Body(_req: unknown, _res: unknown, body: Buffer, encoding: string): void {
  if (/^utf-?8$/i.test(encoding) && !isUtf8(body)) throw Object.assign(new Error('the body is not valid UTF-8'), { type: NOT_UTF8 });
}

/** body-parser's failures in our error shape: 400 for JSON that does not parse or a body that is not the UTF-8 it says, 413 past the limit, 415 for an unknown charset. */
export function parserErrors(parse: RequestHandler): RequestHandler {
  const parser: RequestHandler = (req, res, next) =>
    parse(req, res, (error?: unknown) => {
      if (!error) return next();
      const e = error as { status?: number; type?: string; limit?: number };
      if (e.type === 'entity.too.large') return sendEdgeError(res, 413, 'PAYLOAD_TOO_LARGE', `the body is larger than ${e.limit} bytes`);
      if (e.type === NOT_UTF8) {
        const message = 'the body is not valid UTF-8: save it as UTF-8, or name its charset in Content-Type (e.g. text/csv; charset=windows-874)';
        return sendEdgeError(res, 400, 'VALIDATION_FAILED', message, [{ field: 'body', message }]);
      }
      if (e.status === 415) return sendEdgeError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'the body\'s charset or encoding is not supported');
      if (e.status && e.status >= 400 && e.status < 500) return sendEdgeError(res, 400, 'VALIDATION_FAILED', 'the body is not valid JSON');
      next(error);
    });
  return parser;
}

/** The JSON and form parsers of every route (Nest's own are turned off: `bodyParser: false`). */
export function bodyParsers(config: Pick<HttpEdgeConfig, 'bodyLimit' | 'maxInputDepth'>): RequestHandler[] {
  return [
    parserErrors(express.json({ limit: config.bodyLimit, verify: utf8Body })),
    parserErrors(express.urlencoded({ extended: false, limit: config.bodyLimit, parameterLimit: 1000, verify: utf8Body })),
  ];
}

/** Personal data must not sit in shared or browser caches: every answer of the JSON/CSV API says so. */
export const noStoreMiddleware: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/**
 * helmet with a CSP that fits what we serve: the dashboard SPA at `/` loads
 * same-origin scripts only; GraphiQL's page (GET /graphql from a browser,
 * outside production) is built with the dashboard and self-hosted too, its
 * stylesheet carrying its fonts as data: URLs; Swagger UI (/docs) gets a
 * relaxed policy.
 */
const STRICT_DIRECTIVES = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'frame-ancestors': ["'none'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
};

export function securityHeaders(): RequestHandler {
  const strict = helmet({
    contentSecurityPolicy: { useDefaults: true, directives: STRICT_DIRECTIVES },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  const graphiql = helmet({
    contentSecurityPolicy: { useDefaults: true, directives: { ...STRICT_DIRECTIVES, 'font-src': ["'self'", 'data:'] } },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  const tools = helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'", "'unsafe-inline'", 'https://unpkg.com', 'https://cdn.jsdelivr.net', 'https://embeddable-sandbox.cdn.apollographql.com'],
        'style-src': ["'self'", "'unsafe-inline'", 'https://unpkg.com', 'https://cdn.jsdelivr.net', 'https://fonts.googleapis.com'],
        'font-src': ["'self'", 'https://fonts.gstatic.com', 'data:'],
        'img-src': ["'self'", 'data:', 'https:'],
        'connect-src': ["'self'", 'https:'],
        'frame-src': ["'self'", 'https://sandbox.embed.apollographql.com', 'https://embeddable-sandbox.cdn.apollographql.com'],
        'frame-ancestors': ["'none'"],
        'object-src': ["'none'"],
      },
    },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  return (req, res, next) => {
    // The development IDEs' HTML pages (GraphiQL at GET /graphql, Swagger UI at /docs); everything else is strict.
    const page = req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
    (page && req.path === '/graphql' ? graphiql : page && req.path.startsWith('/docs') ? tools : strict)(req, res, next);
  };
}

/**
 * Routes whose bodies are larger than an ordinary route's (bulk uploads):
 * their own JSON and CSV (`text/csv`) parsers with `limit`, mounted on the
 * Express app while it is created (a module's provider calls this), so they
 * run before the global parsers, which then skip the parsed body.
 */
export function mountLargeBodyParsers(app: { use?: (path: string, handler: RequestHandler) => unknown } | undefined, paths: string[], limit: string): void {
  if (typeof app?.use !== 'function') return;
  const json = parserErrors(express.json({ limit, verify: utf8Body }));
  const csv = parserErrors(express.text({ type: ['text/csv', 'application/csv'], limit, verify: utf8Body }));
  // Not named jsonParser: Nest would take it for its own and register no JSON parser for the other routes.
  const largeBodyParser: RequestHandler = (req, res, next) => json(req, res, (error?: unknown) => (error ? next(error) : csv(req, res, next)));
  for (const path of paths) app.use(path, largeBodyParser);
}

/** A provider that mounts `mountLargeBodyParsers` for `paths` with BULK_BODY_LIMIT while the app is created (one per module). */
export function bulkBodyParsers(token: string, paths: string[]): Provider {
  return {
    provide: token,
    inject: [HttpAdapterHost, APP_CONFIG],
    useFactory: (host: HttpAdapterHost, config: AppConfig) => {
      mountLargeBodyParsers(host.httpAdapter?.getInstance?.(), paths, config.bulk.bodyLimit);
      return true;
    },
  };
}
