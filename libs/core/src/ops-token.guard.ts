import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import type { Request } from 'express';
import { ApiError } from './http-errors';

/**
 * Guards the operations API with a bearer token from configuration (OPS_TOKEN).
 * A bridge until platform administrators sign in (identity issue): then this
 * becomes a role check. Missing or wrong token: 401, never a silent pass.
 */
@Injectable()
export class OpsTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.expected = Buffer.from(config.opsToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().header('authorization') ?? '';
    const match = /^Bearer (.+)$/i.exec(header);
    if (!match) throw new ApiError(401, 'UNAUTHENTICATED', 'this endpoint needs Authorization: Bearer <OPS_TOKEN>');
    const given = Buffer.from(match[1]);
    if (given.length !== this.expected.length || !timingSafeEqual(given, this.expected)) {
      throw new ApiError(401, 'UNAUTHENTICATED', 'the operations token is not valid');
    }
    return true;
  }
}
