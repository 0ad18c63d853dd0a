import { jest } from '@jest/globals';
import { BadRequestException, Logger } from '@nestjs/common';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ApiError } from '@learnstream/core';
import { DomainError } from '@learnstream/domain';
import { formatError, logError } from './format-error';

/** What Apollo hands formatError for an error thrown by a resolver. */
function fromResolver(original: unknown): [GraphQLFormattedError, unknown] {
  const error = new GraphQLError(original instanceof Error ? original.message : 'error', { path: ['user'], originalError: original as Error });
  return [{ message: error.message, path: ['user'], locations: [{ line: 1, column: 3 }], extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at secret.ts:1'] } }, error];
}

describe('formatError', () => {
  it('gives a domain error its stable code, the REST status and its details', () => {
    const formatted = formatError(...fromResolver(new DomainError('conflict', 'USERNAME_TAKEN', 'the username is taken', [{ field: 'username', message: 'is taken' }])));
    expect(formatted).toEqual({
      message: 'the username is taken',
      path: ['user'],
      locations: [{ line: 1, column: 3 }],
      extensions: { code: 'USERNAME_TAKEN', status: 409, details: [{ field: 'username', message: 'is taken' }] },
    });
  });

  it('maps the errors of guards and pipes (HTTP exceptions) like REST does', () => {
    expect(formatError(...fromResolver(new ApiError(401, 'UNAUTHENTICATED', 'sign in first'))).extensions).toEqual({ code: 'UNAUTHENTICATED', status: 401 });
    const invalid = new BadRequestException({ code: 'VALIDATION_FAILED', message: 'the request is not valid', details: [{ field: 'email', message: 'email must be an email' }] });
    expect(formatError(...fromResolver(invalid)).extensions).toEqual({ code: 'VALIDATION_FAILED', status: 400, details: [{ field: 'email', message: 'email must be an email' }] });
  });

  it('hides the message and stack of an unexpected error; logError logs them, with the request id', () => {
    const log = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const [formatted, error] = fromResolver(new Error('password=hunter2 at db.ts:12'));
    const answer = formatError(formatted, error);
    expect(answer.message).toBe('internal error');
    expect(answer.extensions).toEqual({ code: 'INTERNAL', status: 500 });
    expect(log).not.toHaveBeenCalled();
    logError(error as GraphQLError, 'req-1');
    expect(JSON.stringify(log.mock.calls)).toContain('hunter2');
    expect(log.mock.calls[0][0]).toMatchObject({ requestId: 'req-1', path: ['user'] });
    log.mockRestore();
  });

  it('logs no error of the caller’s (a refusal, a document that does not fit)', () => {
    const log = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    logError(fromResolver(new ApiError(403, 'FORBIDDEN', 'no'))[1] as GraphQLError, 'req-2');
    logError(new GraphQLError('Cannot query field "nope" on type "Query".', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }), 'req-3');
    expect(log).not.toHaveBeenCalled();
    log.mockRestore();
  });

  it('reports a document that does not fit the schema as VALIDATION_FAILED, keeping GraphQL\'s message', () => {
    const error = new GraphQLError('Cannot query field "nope" on type "Query".');
    const formatted = formatError({ message: error.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }, error);
    expect(formatted).toEqual({ message: 'Cannot query field "nope" on type "Query".', extensions: { code: 'VALIDATION_FAILED', status: 400 } });
  });
});
