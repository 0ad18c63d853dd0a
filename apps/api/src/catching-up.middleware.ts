/**
 * While the inline read models catch up at start-up (a long log, see
 * InlineProjections), the server listens but refuses what would read them —
 * the API, GraphQL and the LRS — with 503 CATCHING_UP and Retry-After, never
 * with a wrong 401/403/404. Still answered: /health (which says why it is not
 * up yet), the operations token's projection status, the documentation and
 * the dashboard's files.
 */
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendEdgeError } from '@learnstream/core';
import type { InlineProjections } from '@learnstream/projections';

/** Retry-After (seconds) of a 503 CATCHING_UP. */
export const CATCHING_UP_RETRY_AFTER_SECONDS = 5;

const REFUSED = /^\/(api|graphql|xapi)(\/|$)/;

export function catchingUpMiddleware(inline: InlineProjections, opsToken: string): RequestHandler {
  const expected = Buffer.from(`Bearer ${opsToken}`);
  const isOps = (req: Request) => {
    const given = Buffer.from(req.header('authorization') ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  return (req: Request, res: Response, next: NextFunction) => {
    if (!inline.catchingUp || !REFUSED.test(req.path)) return next();
    if (req.method === 'GET' && req.path.replace(/\/$/, '') === '/api/v1/admin/projections' && isOps(req)) return next();
    res.setHeader('Retry-After', String(CATCHING_UP_RETRY_AFTER_SECONDS));
    sendEdgeError(res, 503, 'CATCHING_UP', 'the server is starting: its read models are catching up with the log; retry shortly');
  };
}
