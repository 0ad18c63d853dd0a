import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { requestContextOf, type RequestContext } from '@learnstream/core/headless';
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

/** The actor of each request, bound to it: one object a request (the access policy caches facts per actor object). */
const boundActors = new WeakMap<object, { of: Actor; actor: Actor }>();

/**
 * The signed-in caller (set by the authentication guard), bound to this
 * request (Actor.request): a copy, as the guard's actor may be shared between
 * requests; the same copy for every resolver of a GraphQL operation.
 */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const request = httpRequestOf(context);
  const actor = request?.user;
  if (!actor) throw new Error('CurrentActor used on a public route');
  let bound = boundActors.get(request);
  if (bound?.of !== actor) boundActors.set(request, (bound = { of: actor, actor: { ...actor, request: requestContextOf(request) ?? null } }));
  return bound.actor;
});

/** The context of the request (its id, IP, user agent), for what a public route records with no actor. */
export const CurrentRequest = createParamDecorator((_: unknown, context: ExecutionContext): RequestContext | null => requestContextOf(httpRequestOf(context)) ?? null);
