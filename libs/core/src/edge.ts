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
import { maxHeaderSize, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { createGunzip, createInflate, createBrotliDecompress } from 'node:zlib';
import { isUtf8 } from 'node:buffer';
import { parse as parseQuery } from 'node:querystring';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, preValidationHookHandler } from 'fastify';
import helmet from 'helmet';
import getRawBody from 'raw-body';
import contentType from 'content-type';
import iconv from 'iconv-lite';
import type { Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG, type AppConfig, type HttpEdgeConfig } from '@learnstream/config';
import { ApiError } from './http-errors';
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

/** Our error shape as JSON text. */
function errorJson(code: string, message: string, details: unknown, requestId: string | undefined): string {
  return JSON.stringify({ error: { code, message, ...(details !== undefined && { details }), requestId } });
}

/** Our error shape, for the few answers given before Nest's exception filter is in reach (hooks). */
export function sendEdgeError(reply: FastifyReply, status: number, code: string, message: string, details?: unknown): FastifyReply {
  if (reply.sent) return reply;
  return reply.code(status).type('application/json; charset=utf-8').send(errorJson(code, message, details, requestIdOf(reply.request)));
}

/** The same on a raw response, before Fastify has the request (the LRS's alternate request syntax, rewritten before routing). */
export function sendRawEdgeError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const body = errorJson(code, message, undefined, undefined);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * A request Node's HTTP parser refuses before Fastify has it: a URL and headers past
 * `maxHeaderSize` (a long list of ids in a query string), a request line or header that
 * is not HTTP, a Content-Length beside Transfer-Encoding or twice. Fastify's own answer
 * (`{ "error": "Bad Request", "statusCode": 400 }`) is not our shape: a client reading
 * `error.code` found none. Fastify's `clientErrorHandler`, on the socket.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', `the request's URL and headers are longer than ${maxHeaderSize} bytes: send a long list in a body`]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'the request did not arrive in time']
        : [400, 'Bad Request', 'VALIDATION_FAILED', 'the request is not valid HTTP/1.1'];
  const body = errorJson(code, message, undefined, undefined);
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(error);
}

/**
 * The one global input rule: after the body is parsed, before the handler
 * (Fastify's preValidation). Every body is read by the parser below (or a
 * route's own reader registered with it), so every one meets it.
 */
export function inputGuardHook(config: Pick<HttpEdgeConfig, 'maxInputDepth'>): preValidationHookHandler {
  return (request, reply, done) => {
    const bad = findBadInput(request.query, 'query', config.maxInputDepth) ?? findBadInput(request.body, 'body', config.maxInputDepth);
    if (bad) {
      sendEdgeError(reply, 400, 'VALIDATION_FAILED', bad.message, [bad]);
      return;
    }
    done();
  };
}

/** Personal data must not sit in shared or browser caches: every answer of the JSON/CSV API says so. */
export const noStoreHook: onRequestHookHandler = (request, reply, done) => {
  const path = pathOf(request.url);
  if (path === '/api/v1' || path.startsWith('/api/v1/')) reply.header('Cache-Control', 'no-store');
  done();
};

// ---- Bodies ----

/**
 * A route whose body is read otherwise than an ordinary route's: a larger
 * limit (bulk uploads, the activity batch), CSV as text, a body left unread
 * for the handler to stream (an import's upload), or a reader of its own (the LRS).
 * Registered by the route's module while the app is created (addBodyRoute).
 */
export interface BodyRoute {
  /** Matched against the request's path (without its query). */
  path: RegExp;
  /** Bytes, or a size such as '10mb'. */
  limit?: number | string;
  /** text/csv and application/csv bodies are read as text. */
  csv?: boolean;
  /** A body other than JSON or a form is not read: the handler streams `request.raw`. */
  stream?: boolean;
  /** Reads the body itself (from `payload`, already inflated; `limit` applies). */
  read?: (request: FastifyRequest, payload: Readable) => Promise<unknown>;
}

const BODY_ROUTES = new WeakMap<object, BodyRoute[]>();

/** `/api/v1/courses/:id/enrolments/bulk` as a pattern of the path. */
export function pathPattern(path: string): RegExp {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+');
  return new RegExp(`^${escaped}/?$`);
}

/** Registers `route` on the application's Fastify instance (the first route that matches a path reads its body). */
export function addBodyRoute(instance: object | undefined, route: BodyRoute): void {
  if (!instance) return;
  const routes = BODY_ROUTES.get(instance) ?? [];
  routes.push(route);
  BODY_ROUTES.set(instance, routes);
}

const NOT_UTF8_MESSAGE = 'the body is not valid UTF-8: save it as UTF-8, or name its charset in Content-Type (e.g. text/csv; charset=windows-874)';

/** The path of a request URL (without its query). */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * The body's bytes, inflated (Content-Encoding gzip, deflate or br, as
 * body-parser did) and at most `limit` of them: 413 PAYLOAD_TOO_LARGE past it,
 * 415 for an encoding we do not know, 400 when the bytes do not match their
 * Content-Length or the client went away.
 */
export async function readBodyBytes(raw: IncomingMessage, payload: Readable, limit: number | string): Promise<Buffer> {
  const encoding = String(raw.headers['content-encoding'] ?? 'identity').toLowerCase();
  let stream: Readable = payload;
  let length: string | undefined = raw.headers['content-length'];
  if (encoding === 'gzip' || encoding === 'deflate' || encoding === 'br') {
    const inflate = encoding === 'gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : createBrotliDecompress();
    payload.on('error', (e) => inflate.destroy(e));
    stream = payload.pipe(inflate);
    length = undefined;
  } else if (encoding !== 'identity') {
    payload.resume();
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `the body's encoding ${encoding} is not supported (gzip, deflate, br or none)`);
  }
  try {
    return await getRawBody(stream, { length, limit });
  } catch (error) {
    const e = error as { type?: string; limit?: number; code?: string };
    if (e.type === 'entity.too.large') throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `the body is larger than ${e.limit} bytes`);
    if (e.type === 'request.size.invalid') throw new ApiError(400, 'VALIDATION_FAILED', 'the body\'s length does not match its Content-Length');
    if (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR') throw new ApiError(400, 'VALIDATION_FAILED', `the body is not valid ${encoding}`);
    throw new ApiError(400, 'VALIDATION_FAILED', 'the body could not be read');
  }
}

/** The media type and charset of a request (lower case); null type without a Content-Type. */
export function mediaTypeOf(raw: IncomingMessage): { type: string | null; charset: string | null } {
  const header = raw.headers['content-type'];
  if (!header) return { type: null, charset: null };
  try {
    const parsed = contentType.parse(header);
    return { type: parsed.type.toLowerCase(), charset: parsed.parameters.charset?.toLowerCase() ?? null };
  } catch {
    return { type: header.split(';')[0].trim().toLowerCase(), charset: null };
  }
}

/**
 * Bytes as text in their charset (UTF-8 unless Content-Type names another), without a byte-order mark:
 * UTF-8 must be UTF-8 (the decoder would put U+FFFD for every byte that is
 * not, and a name from a CSV saved in a legacy code page would be stored as
 * question marks): refused (400), naming the fix; 415 for a charset we do not know.
 */
export function decodeBody(bytes: Buffer, charset: string | null, { utfOnly = false } = {}): string {
  const name = charset ?? 'utf-8';
  if (name === 'utf-8' || name === 'utf8') {
    if (!isUtf8(bytes)) throw new ApiError(400, 'VALIDATION_FAILED', NOT_UTF8_MESSAGE, [{ field: 'body', message: NOT_UTF8_MESSAGE }]);
    // A byte-order mark first (Windows tools write one) is not text: dropped, as iconv-lite drops it for the other charsets
    // (and body-parser did): JSON with one was "not valid JSON" in UTF-8 only.
    const text = bytes.toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
  if ((utfOnly && !name.startsWith('utf-')) || !iconv.encodingExists(name)) throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'the body\'s charset or encoding is not supported');
  return iconv.decode(bytes, name);
}

/** JSON as body-parser's strict parser took it: an object or an array; an empty body is {}. */
export function parseJsonBody(text: string): unknown {
  // JSON's whitespace is space, tab, line feed and carriage return.
  const first = text.trimStart()[0];
  if (first === undefined) return {};
  if (first !== '{' && first !== '[') throw new ApiError(400, 'VALIDATION_FAILED', 'the body is not valid JSON');
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'VALIDATION_FAILED', 'the body is not valid JSON');
  }
}

const FORM_PARAMETER_LIMIT = 1000;

/** A form body (application/x-www-form-urlencoded, flat: `extended: false`), at most 1,000 fields. */
export function parseFormBody(text: string): Record<string, string | string[]> {
  let fields = 0;
  for (let i = text.indexOf('&'); i !== -1 && fields <= FORM_PARAMETER_LIMIT; i = text.indexOf('&', i + 1)) fields += 1;
  if (fields >= FORM_PARAMETER_LIMIT) throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `the form has more than ${FORM_PARAMETER_LIMIT} fields`);
  return { ...parseQuery(text) } as Record<string, string | string[]>;
}

/**
 * Every body of every route is read here (Fastify's own parsers are removed):
 * JSON and forms up to HTTP_BODY_LIMIT, in our error shape (400 VALIDATION_FAILED
 * for JSON that does not parse or a body that is not the UTF-8 it says, 413
 * PAYLOAD_TOO_LARGE past the limit, 415 for an unknown charset or encoding);
 * the routes registered with addBodyRoute their own way; a body of any other
 * type is not read (as Express left it): the handler sees no body.
 */
export function registerBodyParsing(fastify: FastifyInstance, config: Pick<HttpEdgeConfig, 'bodyLimit'>): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request: FastifyRequest, payload: IncomingMessage, done: (error: Error | null, body?: unknown) => void) => {
    readBody(fastify, request, payload, config.bodyLimit).then(
      (body) => done(null, body),
      (error: Error) => done(error),
    );
  });
}

async function readBody(fastify: FastifyInstance, request: FastifyRequest, payload: Readable, defaultLimit: string): Promise<unknown> {
  const path = pathOf(request.url);
  const route = BODY_ROUTES.get(fastify)?.find((r) => r.path.test(path));
  if (route?.read) return route.read(request, payload);
  const { type, charset } = mediaTypeOf(request.raw);
  const json = type === 'application/json';
  const form = type === 'application/x-www-form-urlencoded';
  // JSON and forms are read (and meet the input guard) on every route, a streamed one's too.
  if (route?.stream && !json && !form) return undefined;
  const csv = route?.csv === true && (type === 'text/csv' || type === 'application/csv');
  if (!json && !form && !csv) {
    // Not a body any route reads (as with Express, it is not parsed): dropped.
    payload.resume();
    return undefined;
  }
  const bytes = await readBodyBytes(request.raw, payload, route?.limit ?? defaultLimit);
  if (json) return parseJsonBody(decodeBody(bytes, charset, { utfOnly: true }));
  const text = decodeBody(bytes, charset);
  return form ? parseFormBody(text) : text;
}

/**
 * helmet with a CSP that fits what we serve: the dashboard SPA at `/` loads
 * same-origin scripts only; GraphiQL's page (GET /graphql from a browser,
 * outside production) is built with the dashboard and self-hosted too, its
 * stylesheet carrying its fonts as data: URLs; Swagger UI (/docs) gets a
 * relaxed policy. helmet sets its headers on the raw response, which Fastify
 * sends with its own.
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

export function securityHeadersHook(): onRequestHookHandler {
  const common = { strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true }, frameguard: { action: 'deny' as const }, referrerPolicy: { policy: 'no-referrer' as const } };
  const strict = helmet({ contentSecurityPolicy: { useDefaults: true, directives: STRICT_DIRECTIVES }, ...common });
  const graphiql = helmet({ contentSecurityPolicy: { useDefaults: true, directives: { ...STRICT_DIRECTIVES, 'font-src': ["'self'", 'data:'] } }, ...common });
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
    ...common,
  });
  return (request, reply, done) => {
    // The development IDEs' HTML pages (GraphiQL at GET /graphql, Swagger UI at /docs); everything else is strict.
    const page = request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
    const path = page ? pathOf(request.url) : '';
    const headers = page && (path === '/graphql' || path === '/graphql/') ? graphiql : page && path.startsWith('/docs') ? tools : strict;
    headers(request.raw, reply.raw, (error?: unknown) => done(error instanceof Error ? error : undefined));
  };
}

/**
 * Routes whose bodies are larger than an ordinary route's (bulk uploads):
 * JSON and CSV (`text/csv`) up to BULK_BODY_LIMIT, registered while the app
 * is created (a module's provider).
 */
export function bulkBodyParsers(token: string, paths: string[]): Provider {
  return {
    provide: token,
    inject: [HttpAdapterHost, APP_CONFIG],
    useFactory: (host: HttpAdapterHost, config: AppConfig) => {
      const instance = host.httpAdapter?.getInstance?.<object>();
      for (const path of paths) addBodyRoute(instance, { path: pathPattern(path), limit: config.bulk.bodyLimit, csv: true });
      return true;
    },
  };
}
