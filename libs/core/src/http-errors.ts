/**
 * Domain errors carry a stable `code`; they are mapped to HTTP here, once.
 * Every error response has the same shape:
 *   { "error": { "code": "…", "message": "…", "details": [...], "requestId": "…" } }
 */
import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError } from '@learnstream/domain';
import { classifyDatabaseError, sqlStateOf } from '@learnstream/database';
import { requestIdOf } from './request-context';

/** HTTP status of each stable error code raised below the controllers. */
export const ERROR_STATUS: Record<string, number> = {
  INVALID_EVENT: HttpStatus.BAD_REQUEST,
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  CONCURRENCY_CONFLICT: HttpStatus.CONFLICT,
  DUPLICATE_EVENT_ID: HttpStatus.CONFLICT,
  UNKNOWN_PROJECTION: HttpStatus.NOT_FOUND,
  DEAD_LETTER_NOT_FOUND: HttpStatus.NOT_FOUND,
  SUBJECT_ERASED: HttpStatus.GONE,
  INVALID_PERSONAL_DATA: HttpStatus.BAD_REQUEST,
  UNAUTHENTICATED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
};

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId?: string };
}

/** An error with a stable code, thrown by controllers and guards. */
export class ApiError extends HttpException {
  constructor(status: number, readonly code: string, message: string, readonly details?: unknown) {
    super({ code, message, details }, status);
  }
}

const HTTP_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
};

/** Retry-After (seconds) of a 503 DATABASE_UNAVAILABLE: projections and pools retry well within it. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

export interface MappedError {
  status: number;
  body: ErrorBody;
  /** For a Retry-After header. */
  retryAfterSeconds?: number;
}

/** `exception` in our error shape; `requestId` names the request it ended (the filter and GraphQL have it). */
export function toErrorBody(exception: unknown, requestId?: string): MappedError {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse() as string | { code?: string; message?: unknown; details?: unknown };
    const code = (typeof response === 'object' && response.code) || HTTP_CODES[status] || (status >= 500 ? 'INTERNAL' : 'ERROR');
    let message = typeof response === 'string' ? response : response.message;
    let details = typeof response === 'object' ? response.details : undefined;
    if (Array.isArray(message)) {
      details = message;
      message = 'the request is not valid';
    }
    return { status, body: { error: { code, message: String(message ?? exception.message), ...(details !== undefined && { details }), requestId } } };
  }
  if (exception instanceof DomainError) {
    const { code, message, details } = exception;
    return { status: exception.status, body: { error: { code, message, ...(details !== undefined && { details }), requestId } } };
  }
  const code = (exception as { code?: unknown })?.code;
  // Fastify's own refusals before a handler (a request it cannot route or read): 4xx in our shape.
  const fastifyStatus = (exception as { statusCode?: unknown })?.statusCode;
  if (typeof code === 'string' && code.startsWith('FST_') && typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    const mapped = HTTP_CODES[fastifyStatus] ?? 'BAD_REQUEST';
    return { status: fastifyStatus, body: { error: { code: mapped === 'BAD_REQUEST' ? 'VALIDATION_FAILED' : mapped, message: (exception as Error).message, requestId } } };
  }
  if (typeof code === 'string' && Object.hasOwn(ERROR_STATUS, code)) {
    const e = exception as Error & { details?: unknown };
    return { status: ERROR_STATUS[code], body: { error: { code, message: e.message, ...(e.details !== undefined && { details: e.details }), requestId } } };
  }
  // Database errors, by SQLSTATE class (libs/database): unavailable → 503, the data → 400/409, the rest 500.
  switch (classifyDatabaseError(exception)) {
    case 'transient':
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        body: { error: { code: 'DATABASE_UNAVAILABLE', message: 'the database is unavailable for a moment: retry shortly', requestId } },
        retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
      };
    case 'caller': {
      const state = sqlStateOf(exception);
      if (state === '23505') return { status: HttpStatus.CONFLICT, body: { error: { code: 'CONFLICT', message: 'this conflicts with data already recorded', requestId } } };
      return { status: HttpStatus.BAD_REQUEST, body: { error: { code: 'INVALID_DATA', message: `the data was refused by the database (SQLSTATE ${state})`, requestId } } };
    }
    case 'bug':
      return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error', requestId } } };
  }
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    // Not an HTTP handler (a GraphQL resolver): the error goes on to the transport, which formats it with toErrorBody.
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const { status, body, retryAfterSeconds } = toErrorBody(exception, requestIdOf(http.getRequest<object>()));
    if (body.error.code === 'DATABASE_UNAVAILABLE') this.logger.warn({ msg: 'request refused: database unavailable', requestId: body.error.requestId, error: errorText(exception) });
    else if (status >= 500) this.logger.error({ msg: 'request failed', requestId: body.error.requestId, err: exception instanceof Error ? { message: exception.message, stack: exception.stack } : exception });
    const reply = http.getResponse<FastifyReply>();
    if (reply.sent || reply.raw.headersSent) return;
    if (retryAfterSeconds) reply.header('Retry-After', String(retryAfterSeconds));
    reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
