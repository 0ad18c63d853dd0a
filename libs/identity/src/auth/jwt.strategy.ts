/** passport-jwt: verifies the bearer token's signature and expiry, then checks that its session is still open. */
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
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: config.auth.jwtSecret, algorithms: ['HS256'], ignoreExpiration: false });
  }

  /** What passport puts on request.user; false (401) when the session was revoked. */
  async validate(claims: AccessClaims): Promise<Actor | false> {
    return (await this.auth.actorOf(claims)) ?? false;
  }
}
