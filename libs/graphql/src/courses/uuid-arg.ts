import type { PipeTransform } from '@nestjs/common';
import { Args, ID } from '@nestjs/graphql';
import { idPipe } from '@learnstream/core';

const lowerCase: PipeTransform = { transform: (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value) };

/**
 * An `ID` argument that must be a UUID (else VALIDATION_FAILED naming it, as
 * IdArg), handed on in lower case: stream names and the deciders compare ids
 * in lower case, as REST's path pipes give them (courses' `ID`, the course log's `id`).
 */
export function UuidArg(name: string, options: { nullable?: boolean; description?: string } = {}): ParameterDecorator {
  return Args(name, { type: () => ID, nullable: options.nullable, description: options.description }, idPipe(name, { optional: options.nullable }), lowerCase);
}

/** Top-level fields are nullable: one refused field nulls itself, not the whole response. */
export const nullable = { nullable: true } as const;
