/**
 * GraphQL errors carry the same stable codes as REST (`toErrorBody`, mapped
 * once in libs/core), so a client switches on one vocabulary whichever API
 * it calls:
 *   errors[].extensions = { code, status, details?, requestId }
 * `status` is the HTTP status REST would answer; the GraphQL response itself
 * stays 200 when the operation ran (see GraphqlApiModule).
 * Extensions are rebuilt here rather than copied, so no stack trace or
 * internal detail ever reaches the client.
 * Apollo's formatError does not see the request: `requestIds` (a plugin, which
 * does) adds the request id to each error of the answer and logs the failures.
 */
import { Logger } from '@nestjs/common';
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { requestIdOf, toErrorBody } from '@learnstream/core';

/**
 * Apollo's codes for a request that does not fit the schema: bad input, like a REST body that fails validation.
 * An automatic persisted query whose hash the server does not hold (a stranger's, or one evicted from the cache)
 * is one too: Apollo's message (`PersistedQueryNotFound`, which APQ clients match to send the query) is kept.
 */
const REQUEST_ERRORS = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);

const logger = new Logger('GraphQL');

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const { locations, path } = formatted;
  if (original instanceof GraphQLError && REQUEST_ERRORS.has(String(formatted.extensions?.code))) {
    // Raised by GraphQL itself before any resolver ran: its message says what does not fit the schema.
    return { message: formatted.message, locations, path, extensions: { code: 'VALIDATION_FAILED', status: 400 } };
  }
  const { status, body, retryAfterSeconds } = toErrorBody(original);
  const { code, message, details } = body.error;
  return { message, locations, path, extensions: { code, status, ...(details !== undefined && { details }), ...(retryAfterSeconds && { retryAfterSeconds }) } };
}

/** Logs an error of a GraphQL operation that is not the caller's: a failure (500), or the database unavailable. */
export function logError(error: GraphQLError, requestId: string | undefined): void {
  const original = unwrapResolverError(error);
  if (original instanceof GraphQLError && REQUEST_ERRORS.has(String(error.extensions?.code))) return;
  const { status, body } = toErrorBody(original, requestId);
  const path = error.path;
  if (body.error.code === 'DATABASE_UNAVAILABLE') logger.warn({ msg: 'GraphQL operation refused: database unavailable', path, requestId, error: original instanceof Error ? original.message : String(original) });
  else if (status >= 500) logger.error({ msg: 'GraphQL operation failed', path, requestId, err: original instanceof Error ? { message: original.message, stack: original.stack } : original });
}

/** The request id of the HTTP request on each error of the answer, and on the log line of each failure. */
export const requestIds: ApolloServerPlugin<{ req: object }> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, errors, response }) {
        const requestId = requestIdOf(contextValue.req);
        for (const error of errors ?? []) logError(error, requestId);
        if (response.body.kind !== 'single' || !response.body.singleResult.errors || requestId === undefined) return;
        response.body.singleResult.errors = response.body.singleResult.errors.map((e) => ({ ...e, extensions: { ...e.extensions, requestId } }));
      },
    };
  },
};
