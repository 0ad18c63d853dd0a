import { Args, ID } from '@nestjs/graphql';
import { idPipe } from '@learnstream/core';

/**
 * An `ID!` argument that must be a UUID (not the nil UUID): anything else is
 * VALIDATION_FAILED naming the argument, never a 500 from the database (REST's UUID_PARAM).
 */
export function IdArg(name: string, options: { nullable?: boolean } = {}): ParameterDecorator {
  return Args(name, { type: () => ID, nullable: options.nullable }, idPipe(name, { optional: options.nullable }));
}
