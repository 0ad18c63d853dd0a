import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { requestIdOf, setRequestContext, type RequestContext } from './request-context';

const VALID_ID = /^[A-Za-z0-9._:-]{1,100}$/;
const STARTED = Symbol('request started');

/**
 * Gives each request an id (the caller's X-Request-Id when it is sane, else a
 * UUID), echoes it back, puts the request's context on it (requestContextOf)
 * and writes one access-log line, naming the request, when the response is
 * finished — unless `accessLog` is false (the log's level is above info: the
 * line would be dropped anyway), when nothing is timed or built.
 */
export function registerRequestIds(fastify: FastifyInstance, logger = new Logger('Http'), accessLog = true): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const given = request.headers['x-request-id'];
    const requestId = typeof given === 'string' && VALID_ID.test(given) ? given : randomUUID();
    reply.header('X-Request-Id', requestId);
    const ua = request.headers['user-agent'];
    const context: RequestContext = { requestId, ip: request.ip ?? null, userAgent: ua ?? null };
    setRequestContext(request, context);
    if (accessLog) (request as unknown as Record<symbol, bigint>)[STARTED] = process.hrtime.bigint();
    done();
  });
  if (!accessLog) return;
  fastify.addHook('onResponse', (request, reply, done) => {
    const started = (request as unknown as Record<symbol, bigint | undefined>)[STARTED];
    logger.log({
      msg: 'request',
      requestId: requestIdOf(request),
      method: request.method,
      path: request.url.split('?')[0],
      status: reply.statusCode,
      durationMs: started === undefined ? null : Number(process.hrtime.bigint() - started) / 1e6,
    });
    done();
  });
}
