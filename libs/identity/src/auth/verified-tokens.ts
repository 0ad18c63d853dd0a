/**
 * Access tokens whose signature passport-jwt has verified, by the token's
 * text, until they expire: a later request with the same token skips
 * passport and jsonwebtoken (header and payload decoding, the HMAC) — most of
 * the authentication guard's cost on a busy route.
 *
 * Only the signature's verdict is kept, which never changes for a given
 * token (the secret is fixed for the life of the process). Whether the
 * session is still open is asked on every request, as before
 * (AuthService.actorOf → SessionStore: its short cache is dropped the moment
 * a revocation is pushed), so a revoked session is refused just as fast.
 * Expiry is checked as jsonwebtoken checks it (`exp` in whole seconds,
 * against the wall clock jsonwebtoken reads, no tolerance); a token with
 * `nbf` is not kept (we issue none), so it meets jsonwebtoken every time.
 */
import { Injectable } from '@nestjs/common';
import type { AccessClaims } from './auth.service';

/** Tokens kept at most; past it the oldest is dropped (a few MB of memory at most). */
export const VERIFIED_TOKENS_MAX = 10_000;

interface Verified {
  claims: AccessClaims;
  exp: number;
}

export type VerifiedLookup = { claims: AccessClaims } | 'expired' | undefined;

@Injectable()
export class VerifiedTokens {
  private readonly byToken = new Map<string, Verified>();

  /** `nowMs`: the wall clock jsonwebtoken reads (a test gives its own). */
  constructor(private readonly nowMs: () => number = Date.now) {}

  /** Called with a token passport-jwt has just verified and its claims. */
  remember(token: string, claims: AccessClaims & { exp?: unknown; nbf?: unknown }): void {
    if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp) || claims.nbf !== undefined) return;
    if (this.byToken.size >= VERIFIED_TOKENS_MAX) this.byToken.delete(this.byToken.keys().next().value!);
    const { sub, sid, act } = claims;
    this.byToken.set(token, { claims: { sub, sid, ...(act && { act }) }, exp: claims.exp });
  }

  /** The claims of a token verified before; 'expired' once its `exp` has passed; undefined for a token not seen (or dropped). */
  lookup(token: string): VerifiedLookup {
    const known = this.byToken.get(token);
    if (!known) return undefined;
    if (Math.floor(this.nowMs() / 1000) >= known.exp) {
      this.byToken.delete(token);
      return 'expired';
    }
    return { claims: known.claims };
  }

  get size(): number {
    return this.byToken.size;
  }
}
