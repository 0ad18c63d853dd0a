/**
 * passport-jwt: verifies the bearer token's signature and expiry, then checks
 * that its session is still open. The key is a KeyObject made once: given a
 * Buffer, jsonwebtoken builds one on every request (7–9% of the server's CPU
 * under load).
 */
import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { Actor } from '@learnstream/access';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { AuthService, type AccessClaims } from './auth.service';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly auth: AuthService,
  ) {
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: createSecretKey(config.auth.jwtSecret) as unknown as Buffer, algorithms: ['HS256'], ignoreExpiration: false });
  }

  /**
   * What passport puts on request.user; false (401) when the session was
   * revoked. jsonwebtoken checks `exp` only when it is there: a token without
   * one (which we never issue) would never expire, so it is refused here.
   */
  async validate(claims: AccessClaims & { exp?: unknown }): Promise<Actor | false> {
    if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return false;
    return (await this.auth.actorOf(claims)) ?? false;
  }
}
