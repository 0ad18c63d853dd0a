import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Actor } from './actor';

/** Marks a route that needs no sign-in (sign-in itself, health, registration). */
export const PUBLIC_ROUTE = 'learnstream:public';
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The request's underlying HTTP request, for REST and GraphQL alike. */
export function httpRequestOf(context: ExecutionContext): { user?: Actor; headers: Record<string, string | string[] | undefined> } {
  type HttpRequest = { user?: Actor; headers: Record<string, string | string[] | undefined> };
  // GraphQL's resolver arguments are (root, args, context, info); the context holds the request.
  if (context.getType<string>() === 'graphql') return context.getArgs<[unknown, unknown, { req: HttpRequest }]>()[2].req;
  return context.switchToHttp().getRequest<HttpRequest>();
}

/** The signed-in caller (set by the authentication guard). */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const actor = httpRequestOf(context)?.user;
  if (!actor) throw new Error('CurrentActor used on a public route');
  return actor;
});
