/**
 * What every /xapi request goes through (registered by the interop module
 * while the app is created: a pre-router, an onRequest hook, a body reader):
 *
 *   headers  X-Experience-API-Version (the negotiated version) and
 *            X-Experience-API-Consistent-Through on every answer, errors
 *            included;
 *   alternate request syntax (1.0.3 Communication 1.3; gone in 2.0, so 400 there): a POST with `?method=X`
 *            and a form body becomes the request X it describes: the form's
 *            Authorization, X-Experience-API-Version, Content-Type,
 *            Content-Length, If-Match and If-None-Match are its headers,
 *            `content` its body, every other field a parameter; `method`
 *            with any other query parameter, or not on a POST, is 400;
 *   bodies   up to XAPI_BODY_LIMIT: statements as JSON, or multipart/mixed
 *            kept as bytes (statements with attachments: attachments.ts);
 *            the document resources' bodies as bytes, whatever their type.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { addBodyRoute, addPreRouter, ApiError, decodeBody, headerOf, mediaTypeOf, parseFormBody, pathOf, readBodyBytes, sendRawEdgeError } from '@learnstream/core';
import type { Clock } from '@learnstream/domain';
import { answeredVersion, negotiate, VERSION_HEADER, type XapiVersion } from './xapi-version';

export const CONSISTENT_HEADER = 'X-Experience-API-Consistent-Through';

/** Bytes of a body kept as bytes (documents, multipart/mixed): beside request.body, which stays empty (the input guard walks JSON, not bytes). */
const RAW = Symbol('xapi raw body');
/** The content of an alternate-syntax request (its form's `content`), put on the raw request before routing; null: none. */
const CONTENT = Symbol('xapi alternate content');
type WithRaw = { [RAW]?: Buffer };
type WithContent = IncomingMessage & { [CONTENT]?: Buffer | null };

export function rawBodyOf(req: FastifyRequest): Buffer | undefined {
  return (req as unknown as WithRaw)[RAW];
}

function keepRaw(req: FastifyRequest, body: Buffer): undefined {
  (req as unknown as WithRaw)[RAW] = body;
  return undefined;
}

const XAPI_PATH = /^\/xapi(\/|$)/;
const DOCUMENT_PATHS = /^\/xapi\/(activities\/state|activities\/profile|agents\/profile)\/?$/;
const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'];
const FORM_HEADERS = ['authorization', 'x-experience-api-version', 'content-type', 'content-length', 'if-match', 'if-none-match'];

const invalidBody = () => new ApiError(400, 'XAPI_INVALID_BODY', 'the body could not be read (JSON that does not parse, or a broken encoding)');

/** An LRS body: documents and multipart/mixed as bytes, JSON parsed; 413 past the limit, else 400 XAPI_INVALID_BODY. */
async function readXapiBody(request: FastifyRequest, payload: Readable, bodyLimit: string): Promise<unknown> {
  const raw = request.raw as WithContent;
  const path = pathOf(request.url);
  const { type, charset } = mediaTypeOf(raw);
  const alternate = raw[CONTENT];
  // Documents and multipart/mixed are kept as bytes, as is an alternate-syntax content that is not JSON.
  const asBytes = DOCUMENT_PATHS.test(path) || type?.startsWith('multipart/') === true || (alternate !== undefined && type !== 'application/json');
  let bytes: Buffer;
  if (alternate !== undefined) {
    payload.resume();
    if (alternate === null) return undefined;
    bytes = alternate;
  } else if (asBytes || type === 'application/json') {
    try {
      bytes = await readBodyBytes(raw, payload, bodyLimit);
    } catch (error) {
      throw error instanceof ApiError && error.getStatus() === 413 ? error : invalidBody();
    }
  } else {
    // Statements in another type are not read (the handler finds no statement).
    payload.resume();
    return undefined;
  }
  if (asBytes) return keepRaw(request, bytes);
  let text: string;
  try {
    text = decodeBody(bytes, charset, { utfOnly: true });
  } catch {
    throw invalidBody();
  }
  if (alternate === undefined && text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw alternate !== undefined ? new ApiError(400, 'XAPI_INVALID_BODY', 'content is not valid JSON') : invalidBody();
  }
}

/**
 * The alternate request syntax, before routing: the form is read (up to the
 * limit) and the request becomes the one it describes; the content is left
 * on the request for the body reader.
 */
function alternateSyntax(bodyLimit: string, clock: Clock, defaultVersion: XapiVersion) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const rawUrl = req.url ?? '/';
    if (!XAPI_PATH.test(pathOf(rawUrl)) || !rawUrl.includes('method=')) return next();
    const url = new URL(rawUrl, 'http://lrs.invalid');
    const method = url.searchParams.get('method');
    if (method === null) return next();
    const headers = () => ({ [CONSISTENT_HEADER]: clock.nowIso(), [VERSION_HEADER]: answeredVersion(headerOf(req, VERSION_HEADER), defaultVersion) });
    const refuse = (message: string, code = 'XAPI_INVALID_PARAMETER', status = 400) => sendRawEdgeError(res, status, code, message, headers());
    if (req.method !== 'POST') return refuse('the alternate request syntax (method=…) is a POST');
    if ([...url.searchParams.keys()].some((k) => k !== 'method')) return refuse('the alternate request syntax takes method as its only query parameter: the others go in the form');
    if (!METHODS.includes(method.toUpperCase())) return refuse(`method must be one of ${METHODS.join(', ')}`);
    if (!(headerOf(req, 'content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) return refuse('the alternate request syntax sends its form as application/x-www-form-urlencoded');
    readBodyBytes(req, req, bodyLimit).then(
      (bytes) => {
        let fields: Record<string, string | string[]>;
        try {
          fields = parseFormBody(decodeBody(bytes, mediaTypeOf(req).charset));
        } catch {
          return refuse('the form could not be read', 'XAPI_INVALID_BODY');
        }
        const params = new URLSearchParams();
        let content: string | undefined;
        for (const [name, value] of Object.entries(fields)) {
          if (typeof value !== 'string') return refuse(`${name} must be given once`);
          if (name === 'content') content = value;
          else if (FORM_HEADERS.includes(name.toLowerCase())) req.headers[name.toLowerCase()] = value;
          else params.append(name, value);
        }
        if (negotiate(headerOf(req, VERSION_HEADER)) === '2.0.0') return refuse('xAPI 2.0 has no alternate request syntax');
        req.method = method.toUpperCase();
        req.url = `${url.pathname}${params.size ? `?${params}` : ''}`;
        // The content's type is the form's Content-Type field; without one, JSON.
        if ((headerOf(req, 'content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) req.headers['content-type'] = 'application/json';
        const contentBytes = content === undefined ? null : Buffer.from(content, 'utf8');
        (req as WithContent)[CONTENT] = contentBytes;
        // The body Fastify sees is the content (its reader takes it from the request): said by its length.
        req.headers['content-length'] = String(contentBytes?.length ?? 0);
        delete req.headers['transfer-encoding'];
        if (contentBytes === null || req.method === 'GET' || req.method === 'HEAD') req.headers['content-length'] = '0';
        if (contentBytes !== null && !req.headers['content-type']) req.headers['content-type'] = 'application/json';
        next();
      },
      (error: unknown) =>
        error instanceof ApiError && error.getStatus() === 413 ? refuse(error.message, 'PAYLOAD_TOO_LARGE', 413) : refuse('the form could not be read', 'XAPI_INVALID_BODY'),
    );
  };
}

/** Registers what every /xapi request goes through on the application's Fastify instance. */
export function registerXapiHttp(fastify: FastifyInstance | undefined, bodyLimit: string, clock: Clock, defaultVersion: XapiVersion): void {
  if (!fastify || typeof fastify.addHook !== 'function') return;
  addPreRouter(fastify, alternateSyntax(bodyLimit, clock, defaultVersion));
  fastify.addHook('onRequest', (request, reply, done) => {
    if (XAPI_PATH.test(pathOf(request.url))) {
      reply.header(CONSISTENT_HEADER, clock.nowIso());
      reply.header(VERSION_HEADER, answeredVersion(headerOf(request.raw, VERSION_HEADER), defaultVersion));
    }
    done();
  });
  addBodyRoute(fastify, { path: XAPI_PATH, limit: bodyLimit, read: (request, payload) => readXapiBody(request, payload, bodyLimit) });
}
