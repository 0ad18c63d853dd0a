/**
 * What every /xapi request goes through before routing (mounted by the
 * interop module ahead of the application's own body parsers):
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
import express, { type Request, type RequestHandler, type Response } from 'express';
import { sendEdgeError, utf8Body } from '@learnstream/core';
import type { Clock } from '@learnstream/domain';
import { answeredVersion, negotiate, VERSION_HEADER, type XapiVersion } from './xapi-version';

export const CONSISTENT_HEADER = 'X-Experience-API-Consistent-Through';

/** Bytes of a body kept as bytes (documents, multipart/mixed): beside req.body, which stays empty (the input guard walks JSON, not bytes). */
const RAW = Symbol('xapi raw body');
type WithRaw = Request & { [RAW]?: Buffer };

export function rawBodyOf(req: Request): Buffer | undefined {
  return (req as WithRaw)[RAW];
}

function keepRaw(req: Request, body: unknown): void {
  (req as WithRaw)[RAW] = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
  req.body = undefined;
}

const DOCUMENT_PATHS = /^\/(activities\/state|activities\/profile|agents\/profile)\/?$/;
const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'];
const FORM_HEADERS = ['authorization', 'x-experience-api-version', 'content-type', 'content-length', 'if-match', 'if-none-match'];

/** body-parser's errors in the LRS's answers: 413 past the limit, else 400. */
function parsed(parse: RequestHandler): (req: Request, res: Response, next: (error?: unknown) => void) => void {
  return (req, res, next) =>
    parse(req, res, (error?: unknown) => {
      if (!error) return next();
      const e = error as { type?: string; limit?: number };
      if (e.type === 'entity.too.large') return sendEdgeError(res, 413, 'PAYLOAD_TOO_LARGE', `the body is larger than ${e.limit} bytes`);
      sendEdgeError(res, 400, 'XAPI_INVALID_BODY', 'the body could not be read (JSON that does not parse, or a broken encoding)');
    });
}

export function xapiMiddleware(bodyLimit: string, clock: Clock, defaultVersion: XapiVersion): RequestHandler {
  const json = parsed(express.json({ limit: bodyLimit, verify: utf8Body }));
  const raw = parsed(express.raw({ limit: bodyLimit, type: () => true }));
  const multipart = parsed(express.raw({ limit: bodyLimit, type: 'multipart/*' }));
  const form = parsed(express.urlencoded({ extended: false, limit: bodyLimit, parameterLimit: 1000 }));

  const parseBody = (req: Request, res: Response, next: () => void) => {
    const bytes = () => {
      keepRaw(req, req.body);
      next();
    };
    if (DOCUMENT_PATHS.test(req.path)) return raw(req, res, bytes);
    if ((req.header('content-type') ?? '').toLowerCase().startsWith('multipart/')) return multipart(req, res, bytes);
    json(req, res, next);
  };

  return (req, res, next) => {
    res.setHeader(CONSISTENT_HEADER, clock.nowIso());
    res.setHeader(VERSION_HEADER, answeredVersion(req.header(VERSION_HEADER), defaultVersion));
    const url = new URL(req.originalUrl, 'http://lrs.invalid');
    const method = url.searchParams.get('method');
    if (method === null) return parseBody(req, res, next);

    // The alternate request syntax.
    if (req.method !== 'POST') return sendEdgeError(res, 400, 'XAPI_INVALID_PARAMETER', 'the alternate request syntax (method=…) is a POST');
    if ([...url.searchParams.keys()].some((k) => k !== 'method')) return sendEdgeError(res, 400, 'XAPI_INVALID_PARAMETER', 'the alternate request syntax takes method as its only query parameter: the others go in the form');
    if (!METHODS.includes(method.toUpperCase())) return sendEdgeError(res, 400, 'XAPI_INVALID_PARAMETER', `method must be one of ${METHODS.join(', ')}`);
    const type = (req.header('content-type') ?? '').toLowerCase();
    if (!type.startsWith('application/x-www-form-urlencoded')) return sendEdgeError(res, 400, 'XAPI_INVALID_PARAMETER', 'the alternate request syntax sends its form as application/x-www-form-urlencoded');
    form(req, res, () => {
      const fields = (req.body ?? {}) as Record<string, unknown>;
      const params = new URLSearchParams();
      let content: string | undefined;
      for (const [name, value] of Object.entries(fields)) {
        if (typeof value !== 'string') return sendEdgeError(res, 400, 'XAPI_INVALID_PARAMETER', `${name} must be given once`);
        if (name === 'content') content = value;
        else if (FORM_HEADERS.includes(name.toLowerCase())) req.headers[name.toLowerCase()] = value;
        else params.append(name, value);
      }
      res.setHeader(VERSION_HEADER, answeredVersion(req.header(VERSION_HEADER), defaultVersion));
      if (negotiate(req.header(VERSION_HEADER)) === '2.0.0') return sendEdgeError(res, 400, 'XAPI_INVALID_PARAMETER', 'xAPI 2.0 has no alternate request syntax');
      req.method = method.toUpperCase();
      req.url = `${url.pathname.replace(/^\/xapi/, '')}${params.size ? `?${params}` : ''}`;
      // The content's type is the form's Content-Type field; without one, JSON.
      if ((req.header('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) req.headers['content-type'] = 'application/json';
      const bodyType = (req.header('content-type') ?? 'application/json').toLowerCase();
      if (content === undefined) req.body = undefined;
      else if (DOCUMENT_PATHS.test(req.path) || bodyType.startsWith('multipart/')) keepRaw(req, Buffer.from(content, 'utf8'));
      else if (bodyType.startsWith('application/json')) {
        try {
          req.body = JSON.parse(content);
        } catch {
          return sendEdgeError(res, 400, 'XAPI_INVALID_BODY', 'content is not valid JSON');
        }
      } else keepRaw(req, Buffer.from(content, 'utf8'));
      next();
    });
  };
}
