/**
 * While the inline read models catch up at start-up (a long log, see
 * InlineProjections), the server listens but refuses what would read them —
 * the API, GraphQL and the LRS — with 503 CATCHING_UP and Retry-After, never
 * with a wrong 401/403/404. Still answered: /health (which says why it is not
 * up yet), the operations token's projection status, the documentation and
 * the dashboard's files.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { pathOf, sendEdgeError } from '@learnstream/core';
import type { InlineProjections } from '@learnstream/projections';

/** Retry-After (seconds) of a 503 CATCHING_UP. */
export const CATCHING_UP_RETRY_AFTER_SECONDS = 5;

const REFUSED = /^\/(api|graphql|xapi)(\/|$)/;

export function catchingUpHook(inline: InlineProjections, opsToken: string): onRequestHookHandler {
  const expected = Buffer.from(`Bearer ${opsToken}`);
  const isOps = (request: FastifyRequest) => {
    const given = Buffer.from(request.headers.authorization ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  return (request, reply, done) => {
    if (!inline.catchingUp) return done();
    const path = pathOf(request.url);
    if (!REFUSED.test(path)) return done();
    if (request.method === 'GET' && path.replace(/\/$/, '') === '/api/v1/admin/projections' && isOps(request)) return done();
    reply.header('Retry-After', String(CATCHING_UP_RETRY_AFTER_SECONDS));
    sendEdgeError(reply, 503, 'CATCHING_UP', 'the server is starting: its read models are catching up with the log; retry shortly');
  };
}
