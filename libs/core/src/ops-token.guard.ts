import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './http-errors';

/**
 * Guards the operations API: a signed-in platform admin, or the bearer token
 * from configuration (OPS_TOKEN) for scripts and monitoring. The route is
 * marked public for the global sign-in guard, which still identifies a caller
 * with a valid access token. Missing or wrong token: 401; a signed-in user who
 * is not a platform admin: 403. Never a silent pass.
 */
@Injectable()
export class OpsTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.expected = Buffer.from(config.opsToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: { platformRoles?: string[] } }>();
    if (request.user) {
      if (request.user.platformRoles?.includes('platform_admin')) return true;
      throw new ApiError(403, 'FORBIDDEN', 'the operations API is for platform admins');
    }
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (.+)$/i.exec(header);
    if (!match) throw new ApiError(401, 'UNAUTHENTICATED', 'this endpoint needs a platform admin\'s access token or Authorization: Bearer <OPS_TOKEN>');
    const given = Buffer.from(match[1]);
    if (given.length !== this.expected.length || !timingSafeEqual(given, this.expected)) {
      throw new ApiError(401, 'UNAUTHENTICATED', 'the token is neither a platform admin\'s access token nor the operations token');
    }
    return true;
  }
}
