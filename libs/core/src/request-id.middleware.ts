import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { setRequestContext, type RequestContext } from './request-context';

const VALID_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Gives each request an id (the caller's X-Request-Id when it is sane, else a
 * UUID), echoes it back, puts the request's context on it (requestContextOf)
 * and writes one access-log line, naming the request, when the response is finished — unless `accessLog` is
 * false (the log's level is above info: the line would be dropped anyway),
 * when nothing is timed, listened for or built.
 */
export function requestIdMiddleware(logger = new Logger('Http'), accessLog = true) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const given = req.header('x-request-id');
    const requestId = given && VALID_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const context: RequestContext = { requestId, ip: req.ip ?? null, userAgent: req.header('user-agent') ?? null };
    setRequestContext(req, context);
    if (!accessLog) return next();
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.log({
        msg: 'request',
        requestId,
        method: req.method,
        path: req.originalUrl.split('?')[0],
        status: res.statusCode,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
      });
    });
    next();
  };
}
