import { ParseUUIDPipe, type PipeTransform } from '@nestjs/common';
import { Args, ID } from '@nestjs/graphql';
import { ApiError } from '@learnstream/core';

const lowerCase: PipeTransform = { transform: (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value) };

/**
 * An `ID` argument that must be a UUID (else VALIDATION_FAILED naming it, as
 * IdArg), handed on in lower case: stream names and the deciders compare ids
 * in lower case, as REST's path pipes give them (courses' `ID`, the course log's `id`).
 */
export function UuidArg(name: string, options: { nullable?: boolean; description?: string } = {}): ParameterDecorator {
  const uuid = new ParseUUIDPipe({
    optional: options.nullable,
    exceptionFactory: () => new ApiError(400, 'VALIDATION_FAILED', `${name} must be a UUID`, [{ field: name, message: 'must be a UUID' }]),
  });
  return Args(name, { type: () => ID, nullable: options.nullable, description: options.description }, uuid, lowerCase);
}

/** Top-level fields are nullable: one refused field nulls itself, not the whole response. */
export const nullable = { nullable: true } as const;
