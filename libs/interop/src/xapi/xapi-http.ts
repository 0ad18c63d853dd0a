/**
 * What every /xapi request goes through before routing (mounted by the
 * interop module ahead of the application's own body parsers):
 *
 *   headers  X-Experience-API-Version (the negotiated version) and
 *            X-Experience-API-Consistent-Through on every answer, errors
 *            included;
 *   bodies   up to XAPI_BODY_LIMIT: statements as JSON; the document
 *            resources' bodies as bytes, whatever their content type.
 */
import express, { type RequestHandler } from 'express';
import type { Clock } from '@learnstream/domain';
import { answeredVersion, VERSION_HEADER } from './xapi-version';

export const CONSISTENT_HEADER = 'X-Experience-API-Consistent-Through';

const DOCUMENT_PATHS = /^\/(activities\/state|activities\/profile|agents\/profile)\/?$/;

export function xapiMiddleware(bodyLimit: string, clock: Clock): RequestHandler {
  const json = express.json({ limit: bodyLimit });
  const raw = express.raw({ limit: bodyLimit, type: () => true });
  return (req, res, next) => {
    res.setHeader(CONSISTENT_HEADER, clock.nowIso());
    res.setHeader(VERSION_HEADER, answeredVersion(req.header(VERSION_HEADER)));
    const parse = DOCUMENT_PATHS.test(req.path) ? raw : json;
    parse(req, res, next);
  };
}
