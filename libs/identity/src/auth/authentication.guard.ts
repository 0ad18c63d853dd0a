/**
 * Global guard: every route needs a valid access token of an open session,
 * unless it is marked @Public(). Forgetting a decorator closes a route, never
 * opens it. On public routes a token, when sent and valid, still identifies
 * the caller (the operations API accepts a platform admin or the ops token).
 *
 * A session check that could not reach the database says nothing about the
 * token: it is rethrown (503 DATABASE_UNAVAILABLE, with Retry-After), never a
 * 401 that would make the client throw valid tokens away.
 *
 * A token passport-jwt verified before (VerifiedTokens) skips passport: its
 * claims are taken as verified and its session is checked as passport's
 * `validate` checks it (AuthService.actorOf), with the same answers.
 */
import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { httpRequestOf, PUBLIC_ROUTE } from '@learnstream/access';
import { ApiError } from '@learnstream/core';
import { isTransientDatabaseError } from '@learnstream/database';
import { AuthService } from './auth.service';
import { bearerToken } from './jwt.strategy';
import { VerifiedTokens } from './verified-tokens';

const EXPIRED = 'the access token has expired: refresh it';
const NOT_VALID = 'the access token is not valid or its session has ended';

@Injectable()
export class AuthenticationGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly verified: VerifiedTokens,
    private readonly auth: AuthService,
  ) {
    super();
  }

  override getRequest(context: ExecutionContext) {
    return httpRequestOf(context);
  }

  /** @Public() of each (class, handler), read once: the metadata does not change after start-up. */
  private readonly publicRoutes = new WeakMap<object, WeakMap<object, boolean>>();

  private isPublic(context: ExecutionContext): boolean {
    const [type, handler] = [context.getClass(), context.getHandler()];
    let handlers = this.publicRoutes.get(type);
    if (!handlers) this.publicRoutes.set(type, (handlers = new WeakMap()));
    let isPublic = handlers.get(handler);
    if (isPublic === undefined) handlers.set(handler, (isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [handler, type]) === true));
    return isPublic;
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.isPublic(context);
    if (!isPublic) return (await this.known(context)) || ((await super.canActivate(context)) as boolean);
    const request = httpRequestOf(context);
    if (request?.headers?.authorization) {
      try {
        if (!(await this.known(context))) await super.canActivate(context);
      } catch (error) {
        // A public route: an invalid or foreign bearer token (the ops token) is simply no sign-in.
        if (isTransientDatabaseError(error)) throw error;
      }
    }
    return true;
  }

  /**
   * A token verified before: true with request.user set, or a 401 (expired, or
   * its session ended); false for a token not seen (passport then decides).
   */
  private async known(context: ExecutionContext): Promise<boolean> {
    const request = httpRequestOf(context);
    const token = request ? bearerToken(request) : null;
    const known = token ? this.verified.lookup(token) : undefined;
    if (!known) return false;
    if (known === 'expired') throw new ApiError(401, 'UNAUTHENTICATED', EXPIRED);
    const actor = await this.auth.actorOf(known.claims);
    if (!actor) throw new ApiError(401, 'UNAUTHENTICATED', NOT_VALID);
    request.user = actor;
    return true;
  }

  override handleRequest<T>(error: unknown, user: T, info: unknown): T {
    // The session check failed (the database): not the caller's fault, and not a 401.
    if (error && !(error instanceof ApiError)) throw error;
    if (error || !user) {
      const reason = info instanceof Error ? info.message : 'sign in first';
      const message = /expired/i.test(reason) ? EXPIRED : /No auth token/i.test(reason) ? 'sign in first (Authorization: Bearer <token>)' : NOT_VALID;
      throw new ApiError(401, 'UNAUTHENTICATED', message);
    }
    return user;
  }
}
