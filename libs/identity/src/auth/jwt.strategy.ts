/**
 * passport-jwt: verifies the bearer token's signature and expiry, then checks
 * that its session is still open. The key is a KeyObject made once: given a
 * Buffer, jsonwebtoken builds one on every request (7–9% of the server's CPU
 * under load). A token it has verified is remembered (VerifiedTokens): the
 * guard checks its next requests without passport.
 */
import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { FastifyRequest as Request } from 'fastify';
import type { Actor } from '@learnstream/access';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { AuthService, type AccessClaims } from './auth.service';
import { VerifiedTokens } from './verified-tokens';

/** The bearer token of a request, read as passport-jwt reads it (null when there is none). */
export const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly auth: AuthService,
    private readonly verified: VerifiedTokens,
  ) {
    super({ jwtFromRequest: bearerToken, secretOrKey: createSecretKey(config.auth.jwtSecret) as unknown as Buffer, algorithms: ['HS256'], ignoreExpiration: false, passReqToCallback: true });
  }

  /**
   * What passport puts on request.user; false (401) when the session was
   * revoked. jsonwebtoken checks `exp` only when it is there: a token without
   * one (which we never issue) would never expire, so it is refused here.
   */
  async validate(request: Request, claims: AccessClaims & { exp?: unknown }): Promise<Actor | false> {
    if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return false;
    const token = bearerToken(request);
    if (token) this.verified.remember(token, claims);
    return (await this.auth.actorOf(claims)) ?? false;
  }
}
