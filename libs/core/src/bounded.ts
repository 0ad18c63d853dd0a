/**
 * Request-body checks shared by every DTO (REST, and the GraphQL inputs that
 * extend the same classes): numbers within the bounds of libs/domain's
 * NUMBER_BOUNDS, and ids that are UUIDs but not the nil or max UUID. One
 * message per field, stable: "<field> must be a number from 0 to 100000",
 * "<field> must be a UUID" (the nil UUID is none). The bounds also go into the
 * OpenAPI description (minimum, maximum).
 */
import { applyDecorators, type PipeTransform } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ValidateBy, buildMessage, type ValidationOptions } from 'class-validator';
import { NUMBER_BOUNDS, RESERVED_UUIDS, boundMessage, isUuid, withinBound, type BoundKind, type NumberBound } from '@learnstream/domain';
import { ApiError } from './http-errors';

/** A finite number within the named bound (min/max may be narrowed for a field). */
export function Bounded(kind: BoundKind, narrowed: Partial<Pick<NumberBound, 'min' | 'max'>> = {}, options?: ValidationOptions): PropertyDecorator {
  const bound = { ...NUMBER_BOUNDS[kind], ...narrowed };
  return applyDecorators(
    ValidateBy(
      {
        name: 'bounded',
        constraints: [bound.min, bound.max],
        validator: { validate: (v: unknown) => withinBound(v, bound), defaultMessage: buildMessage((each) => each + boundMessage('$property', bound), options) },
      },
      options,
    ),
    ApiProperty({ minimum: bound.min, maximum: bound.max, ...(bound.integer && { type: 'integer' }) }),
  );
}

/** The same message as before the nil UUID was refused: clients match on it. */
export const ID_MESSAGE = 'must be a UUID';

/** A UUID naming something: any version, never the nil or the max UUID. */
export function isId(v: unknown): v is string {
  return isUuid(v) && !RESERVED_UUIDS.has(v.toLowerCase());
}

/** A body field that is an id (`{ each: true }` for a list of ids). */
export function IsId(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isId', validator: { validate: (v: unknown) => isId(v), defaultMessage: buildMessage((each) => `${each}$property ${ID_MESSAGE}`, options) } }, options);
}

/** A pipe for an id argument (a path parameter, a GraphQL ID): a 400 VALIDATION_FAILED naming it otherwise, never a 500 or a 404. */
export function idPipe(name: string | null, options: { optional?: boolean } = {}): PipeTransform<unknown, unknown> {
  return {
    transform(value: unknown) {
      if (options.optional && (value === undefined || value === null)) return value;
      if (isId(value)) return value;
      if (name === null) throw new ApiError(400, 'VALIDATION_FAILED', `the id in the path ${ID_MESSAGE}`);
      throw new ApiError(400, 'VALIDATION_FAILED', `${name} ${ID_MESSAGE}`, [{ field: name, message: ID_MESSAGE }]);
    },
  };
}
