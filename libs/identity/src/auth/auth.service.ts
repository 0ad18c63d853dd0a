/**
 * Sign-in, token refresh, sign-out, password change and impersonation. Each
 * attempt is an event on the user's stream with the request's IP and user
 * agent (encrypted); an unknown username's failure goes to the security stream.
 */
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { envelopeFor, type Actor } from '@learnstream/access';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { retryOnConflict, type RequestContext } from '@learnstream/core';
import { DomainError, Clock } from '@learnstream/domain';
import { EventLog } from '@learnstream/event-store';
import { decideImpersonation, decideLogin, decideLogout, decidePasswordChange, type LoginOutcome } from '../account';
import { SECURITY_STREAM } from '../account.events';
import { AccountsRepository } from '../accounts.repository';
import { PasswordHasher } from '../passwords';
import { assertPassword } from '../profile';
import { UsernameIndex } from '../username-index';
import { SessionStore, type ActiveSession } from './session-store';
import { SignInLimiter } from './sign-in-limiter';

export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string | null;
  userId: string;
  sessionId: string;
}

/** JWT claims: subject, session, and the real actor of an impersonation. */
export interface AccessClaims {
  sub: string;
  sid: string;
  act?: string;
}

const FAILURES: Record<Exclude<LoginOutcome, 'signed_in'>, [number, string, string]> = {
  bad_password: [401, 'INVALID_CREDENTIALS', 'the username or password is wrong'],
  unknown_user: [401, 'INVALID_CREDENTIALS', 'the username or password is wrong'],
  locked: [403, 'ACCOUNT_LOCKED', 'the account is locked'],
  password_expired: [403, 'PASSWORD_EXPIRED', 'the password has expired: change it with POST /api/v1/auth/password'],
  password_change_required: [403, 'PASSWORD_CHANGE_REQUIRED', 'a new password must be chosen: POST /api/v1/auth/password'],
};

/** A fixed account id no account is given: what an unknown username's LoginFailed names (and reads, when the first admin was renamed away). */
const NO_ACCOUNT = '00000000-0000-4000-8000-00000000dead';

export class AuthError extends DomainError {
  constructor(readonly httpStatus: number, code: string, message: string) {
    super('forbidden', code, message);
  }
  override get status(): number {
    return this.httpStatus;
  }
}

@Injectable()
export class AuthService {
  constructor(
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jwt: JwtService,
    private readonly accounts: AccountsRepository,
    private readonly usernames: UsernameIndex,
    private readonly passwords: PasswordHasher,
    private readonly sessions: SessionStore,
    private readonly log: EventLog,
    private readonly limiter: SignInLimiter,
  ) {}

  private tokens(session: { sessionId: string; userId: string; realActorId: string | null }, refreshToken: string | null): TokenPair {
    const claims: AccessClaims = { sub: session.userId, sid: session.sessionId, ...(session.realActorId && { act: session.realActorId }) };
    return {
      accessToken: this.jwt.sign(claims, { secret: this.config.auth.jwtSecret, expiresIn: this.config.auth.accessTokenTtlSeconds, algorithm: 'HS256' }),
      tokenType: 'Bearer',
      expiresIn: this.config.auth.accessTokenTtlSeconds,
      refreshToken,
      userId: session.userId,
      sessionId: session.sessionId,
    };
  }

  /**
   * Checks a username and password; records the attempt; throws the failure.
   * Returns the user id. A wrong password and an unknown username answer the
   * same, after the same work (an argon2 verification, one append), and count
   * the same against the (username, client) pair (SignInLimiter).
   */
  private async attempt(username: string, password: string, sessionId: string, purpose: 'login' | 'password', request: RequestContext | null): Promise<string> {
    const client = request?.ip ?? null;
    await this.limiter.before(username, client);
    try {
      return await this.verify(username, password, sessionId, purpose, request);
    } catch (error) {
      if (error instanceof AuthError && error.code === 'INVALID_CREDENTIALS') await this.limiter.failed(username, client);
      throw error;
    }
  }

  /** An account whose stream an unknown username's sign-in reads instead (see verify). */
  private standInId: Promise<string> | null = null;
  private standIn(): Promise<string> {
    this.standInId ??= this.usernames.find(this.config.auth.adminUsername).then((id) => id ?? NO_ACCOUNT);
    return this.standInId;
  }

  private async verify(username: string, password: string, sessionId: string, purpose: 'login' | 'password', request: RequestContext | null): Promise<string> {
    const now = this.clock.now();
    const userId = await this.usernames.find(username);
    if (!userId) {
      // The same work as a wrong password of an existing account: the read of an account's stream (the
      // first platform admin's, whose id is looked up once per process), an argon2 verification (of a
      // decoy hash), one append without an expected revision. Nothing read is used.
      await this.accounts.load(await this.standIn());
      await this.passwords.verify(null, password);
      await this.log.append(
        SECURITY_STREAM,
        // It names an account as a wrong password's does (NO_ACCOUNT): the log checks the ids a read names against the erasures the same way.
        [{ type: 'LoginFailed', data: { userId: null, reason: 'unknown_user', at: now.toISOString() }, envelope: envelopeFor(null, { action: 'failed', crud: 'r', object: { type: 'user', id: NO_ACCOUNT }, request }) }],
        { expectedRevision: 'any' },
      );
      throw new AuthError(...FAILURES.unknown_user);
    }
    const outcome = await retryOnConflict(async () => {
      const { state, revision } = await this.accounts.load(userId);
      const matches = await this.passwords.verify(state.passwordHash, password);
      const decided = decideLogin(state, { passwordMatches: matches, sessionId, now, policy: this.config.auth });
      // Changing a password proves the current one: an expired or temporary password is what it is for.
      const changeAllowed = purpose === 'password' && (decided.outcome === 'password_expired' || decided.outcome === 'password_change_required');
      const events = purpose === 'password' && (decided.outcome === 'signed_in' || changeAllowed) ? [] : decided.events;
      const signedIn = decided.outcome === 'signed_in' || changeAllowed;
      // A failure records LoginFailed whatever the account's revision (it decides nothing), as an unknown username's does.
      await this.accounts.append(userId, signedIn ? revision : 'any', events, signedIn ? { userId, realActorId: null, request } : null, {
        action: decided.outcome === 'signed_in' ? 'loggedin' : 'failed',
        crud: 'r',
        request,
      });
      return changeAllowed ? 'signed_in' : decided.outcome;
    });
    if (outcome !== 'signed_in') throw new AuthError(...FAILURES[outcome]);
    return userId;
  }

  /** Signs in; `request`: the request it came in (its IP counts the failures, and goes into the events). */
  async login(username: string, password: string, request: RequestContext | null): Promise<TokenPair> {
    const sessionId = this.sessions.newSessionId();
    const userId = await this.attempt(username, password, sessionId, 'login', request);
    const refreshToken = await this.sessions.open(sessionId, userId, null, this.config.auth.refreshTokenTtlSeconds);
    return this.tokens({ sessionId, userId, realActorId: null }, refreshToken);
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const { session, refreshToken: next } = await this.sessions.rotate(refreshToken, this.config.auth.refreshTokenTtlSeconds).catch((e: DomainError) => {
      throw new AuthError(401, e.code, e.message);
    });
    return this.tokens(session, next);
  }

  async logout(actor: Actor): Promise<void> {
    await this.sessions.revoke(actor.sessionId, 'logout');
    await retryOnConflict(async () => {
      const { state, revision } = await this.accounts.load(actor.userId);
      const events = decideLogout(state, { sessionId: actor.sessionId, realActorId: actor.realActorId, now: this.clock.now() });
      await this.accounts.append(actor.userId, revision, events, actor, { action: 'loggedout', crud: 'r' });
    });
  }

  /** A new password, proven by the current one (works for expired and temporary passwords too). Ends every session. */
  async changePassword(username: string, currentPassword: string, newPassword: string, request: RequestContext | null): Promise<void> {
    assertPassword(newPassword, username, this.config.auth.passwordMinLength);
    if (newPassword === currentPassword) throw new DomainError('invalid', 'WEAK_PASSWORD', 'the new password must differ from the current one');
    const userId = await this.attempt(username, currentPassword, this.sessions.newSessionId(), 'password', request);
    const passwordHash = await this.passwords.hash(newPassword);
    await retryOnConflict(async () => {
      const { state, revision } = await this.accounts.load(userId);
      const events = decidePasswordChange(state, { passwordHash, reason: 'self', now: this.clock.now() });
      return this.accounts.append(userId, revision, events, { userId, realActorId: null, request }, { action: 'updated', crud: 'u' });
    });
    this.sessions.forgetUser(userId); // ended with PasswordChanged, in its transaction (the accounts read model)
  }

  /** A platform admin acts as a user, for support, with a stated reason the user can see later. */
  async impersonate(admin: Actor, userId: string, reason: string): Promise<TokenPair> {
    const sessionId = this.sessions.newSessionId();
    await retryOnConflict(async () => {
      const { state, revision } = await this.accounts.load(userId);
      const events = decideImpersonation(state, { sessionId, by: admin.userId, reason, now: this.clock.now() });
      // Recorded as done by the admin, about the user.
      return this.accounts.append(userId, revision, events, admin, { action: 'impersonated', crud: 'r' });
    });
    await this.sessions.open(sessionId, userId, admin.userId, this.config.auth.accessTokenTtlSeconds);
    return this.tokens({ sessionId, userId, realActorId: admin.userId }, null);
  }

  /** Resolves the claims of a verified access token to the caller, or null when the session has ended. */
  async actorOf(claims: AccessClaims): Promise<Actor | null> {
    const session: ActiveSession | null = await this.sessions.active(claims.sid);
    if (!session || session.userId !== claims.sub) return null;
    return { userId: session.userId, realActorId: session.realActorId, sessionId: session.sessionId, platformRoles: session.platformRoles, request: null };
  }
}

