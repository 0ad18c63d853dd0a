/**
 * Response DTOs (OpenAPI): the shapes the handlers answer with, as classes so
 * that @nestjs/swagger can put them in /docs-json. TypeScript reflects
 * `string | null` and unions as Object, so nullable and enum properties name
 * their type here; the contract test (test/e2e/contract.e2e.spec.ts) checks
 * real answers against these schemas, with no undeclared property allowed.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiProperty, getSchemaPath, type ApiPropertyOptions } from '@nestjs/swagger';

type PropertyType = StringConstructor | NumberConstructor | BooleanConstructor | (() => abstract new (...args: never[]) => unknown);

/**
 * `type` as @nestjs/swagger wants it: it tells a lazy type (`() => Class`) from a class by the function's name,
 * `type`, which an arrow function gets only when written as the value of a `type` property.
 */
const typeOf = (type: PropertyType) => (typeof type === 'function' && !('prototype' in type && type.prototype) ? { type: () => (type as () => unknown)() } : { type });

/** A property that may be null. */
export const ApiNullable = (type: PropertyType, options: ApiPropertyOptions = {}) => ApiProperty({ ...typeOf(type), nullable: true, ...options } as ApiPropertyOptions);

/** A property holding one of `values`. */
export const ApiOneOf = (values: readonly string[], options: ApiPropertyOptions = {}) => ApiProperty({ enum: [...values], ...options } as ApiPropertyOptions);

/** An array of `type` (strings by default). */
export const ApiList = (type: PropertyType = String, options: ApiPropertyOptions = {}) => ApiProperty({ ...typeOf(type), isArray: true, ...options } as ApiPropertyOptions);

/** An object of counts (or other numbers) by name: `{ [name]: number }`. */
export const ApiCounts = (options: ApiPropertyOptions = {}) => ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, ...options } as ApiPropertyOptions);

/** A 200 answering `type` as JSON, or a CSV file (`?format=csv`, `Accept: text/csv`). */
export const ApiJsonOrCsvResponse = (type: abstract new (...args: never[]) => unknown, description: string) =>
  applyDecorators(
    ApiExtraModels(type),
    ApiOkResponse({
      description,
      content: {
        'application/json': { schema: { $ref: getSchemaPath(type) } },
        'text/csv': { schema: { type: 'string', description: 'a CSV file (UTF-8, a header row; `?bom=true` starts it with a byte-order mark)' } },
      },
    }),
  );
