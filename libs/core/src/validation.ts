/**
 * Request bodies are DTO classes checked by class-validator: one pipe, the
 * app's global one (create-app.ts), also used by a route that builds its body
 * itself (a CSV upload made into the JSON form). A refused body answers 400
 * VALIDATION_FAILED with each problem's field, nested ones by their path
 * (`rows.3.role`: the fourth row's role), so that an upload says which row is wrong.
 */
import { BadRequestException, ValidationPipe, type Type } from '@nestjs/common';
import type { ValidationError } from 'class-validator';

/** Each constraint that failed, with the path of its field from the body. */
function problemsOf(errors: readonly ValidationError[], parent = ''): { field: string; message: string }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    return [...Object.values(e.constraints ?? {}).map((message) => ({ field, message })), ...problemsOf(e.children ?? [], field)];
  });
}

export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new BadRequestException({ code: 'VALIDATION_FAILED', message: 'the request is not valid', details: problemsOf(errors) }),
  });
}

const pipe = validationPipe();

/** `body` checked and transformed as the global pipe does a route's `@Body()` of type `metatype`. */
export async function validatedBody<T>(metatype: Type<T>, body: unknown): Promise<T> {
  return (await pipe.transform(body, { type: 'body', metatype })) as T;
}
