import { ParseUUIDPipe } from '@nestjs/common';
import { Args, ID } from '@nestjs/graphql';
import { ApiError } from '@learnstream/core';

/**
 * An `ID!` argument that must be a UUID: anything else is VALIDATION_FAILED
 * naming the argument, never a 500 from the database (REST's UUID_PARAM).
 */
export function IdArg(name: string, options: { nullable?: boolean } = {}): ParameterDecorator {
  const pipe = new ParseUUIDPipe({
    optional: options.nullable,
    exceptionFactory: () => new ApiError(400, 'VALIDATION_FAILED', `${name} must be a UUID`, [{ field: name, message: 'must be a UUID' }]),
  });
  return Args(name, { type: () => ID, nullable: options.nullable }, pipe);
}
