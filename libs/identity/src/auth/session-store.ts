/**
 * Sign-in sessions and their rotating refresh tokens. Operational state, not
 * events (the events record sign-in, sign-out and impersonation): a session is
 * revoked at logout, password change and lock, and every request checks it, so
 * revocation takes effect at once, not when the access token expires.
 *
 * Refresh tokens are random, stored as SHA-256 hashes, and used once: each use
 * returns a new one. A used token presented again means it was stolen (or
 * replayed), and the whole session is revoked.
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { coalescedReads, PG_POOL } from '@learnstream/core';
import { DomainError } from '@learnstream/domain';
import { revokedSession, revokedUser, SessionRevocations, type PlatformRole } from '@learnstream/access';
import type pg from 'pg';

const hash = (token: string) => createHash('sha256').update(token).digest();

export interface ActiveSession {
  sessionId: string;
  userId: string;
  realActorId: string | null;
  platformRoles: PlatformRole[];
}

const invalid = (code: string, message: string) => new DomainError('invalid', code, message);

/** How long a checked session is trusted without asking the database again, while revocations are pushed. */
export const SESSION_CACHE_MS = 2000;
const SESSION_CACHE_MAX = 10_000;
/**
 * Sessions in use are checked again together before their entry runs out: an
 * entry served once it is older than two of these intervals joins the next
 * check, which asks the database for all of them in one statement, at most
 * once per this interval (a few statements a second however many sessions are
 * busy, none when none are). A session asked for at least every 1.5 s is thus
 * never read on its own.
 */
export const SESSION_RECHECK_MS = 250;
/** Life left below which a served entry is due for the joint check. */
const RECHECK_BELOW_MS = SESSION_CACHE_MS - 2 * SESSION_RECHECK_MS;

interface CachedSession {
  session: ActiveSession;
  expiresAt: number;
  until: number;
}

const SESSION_SQL = `SELECT s.session_id, s.user_id, s.real_actor_id, coalesce(a.platform_roles, '{}') AS platform_roles, s.expires_at
   FROM auth_sessions s LEFT JOIN accounts a ON a.user_id = s.user_id
  WHERE s.session_id = ANY($1::uuid[]) AND s.revoked_at IS NULL AND s.expires_at > now()`;

interface SessionRow {
  session_id: string;
  user_id: string;
  real_actor_id: string | null;
  platform_roles: PlatformRole[];
  expires_at: Date;
}

@Injectable()
export class SessionStore implements OnModuleInit {
  /**
   * Sessions checked in the last SESSION_CACHE_MS, trusted only while
   * revocations are pushed (SessionRevocations.live): a revocation drops its
   * entries the moment it arrives, on every process.
   */
  private readonly cache = new Map<string, CachedSession>();
  /** Bumped by every revocation: a check that read the database across one is not cached. */
  private revocations = 0;
  /** Sessions served once due (RECHECK_BELOW_MS), for the next joint check. */
  private readonly due = new Set<string>();
  private recheck: NodeJS.Timeout | null = null;
  /** Statements sent: by requests' checks (`reads`, those that miss at the same time together), by joint rechecks (`rechecks`); for tests and diagnostics. */
  readonly statements = { reads: 0, rechecks: 0 };
  /**
   * Sessions not in the cache, read together with those of the other requests
   * that miss at the same time (coalesced-reads.ts): once the cache has run
   * out (a pause, a restart) each busy session is not a statement of its own.
   */
  private readonly read = coalescedReads<SessionRow>(async (ids) => {
    this.statements.reads += 1;
    const { rows } = await this.pool.query<SessionRow>(SESSION_SQL, [ids]);
    return new Map(rows.map((r) => [r.session_id, r]));
  });

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    private readonly pushed: SessionRevocations,
  ) {}

  async onModuleInit(): Promise<void> {
    this.pushed.onRevocation((payload) => this.forget(payload));
    await this.pushed.start();
  }

  private forget(payload: string | null): void {
    this.revocations += 1;
    if (payload === null) return this.cache.clear();
    for (const [id, entry] of this.cache) {
      if (payload === revokedSession(id) || payload === revokedUser(entry.session.userId)) this.cache.delete(id);
    }
  }

  newSessionId(): string {
    return randomUUID();
  }

  /** Opens a session; impersonation sessions get no refresh token (they end with the access token). */
  async open(sessionId: string, userId: string, realActorId: string | null, ttlSeconds: number): Promise<string | null> {
    await this.pool.query(`INSERT INTO auth_sessions (session_id, user_id, real_actor_id, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))`, [
      sessionId,
      userId,
      realActorId,
      ttlSeconds,
    ]);
    if (realActorId) return null;
    return this.issueRefresh(this.pool, sessionId, ttlSeconds);
  }

  private async issueRefresh(db: pg.Pool | pg.PoolClient, sessionId: string, ttlSeconds: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await db.query(`INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`, [hash(token), sessionId, ttlSeconds]);
    return token;
  }

  /** Uses a refresh token once: returns the session and the next token. */
  async rotate(token: string, ttlSeconds: number): Promise<{ session: ActiveSession; refreshToken: string }> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(
        `SELECT t.session_id, t.used_at, t.expires_at < now() AS expired, s.revoked_at FROM refresh_tokens t JOIN auth_sessions s USING (session_id)
          WHERE t.token_hash = $1 FOR UPDATE OF t`,
        [hash(token)],
      );
      const row = rows[0];
      if (!row) throw invalid('REFRESH_TOKEN_INVALID', 'the refresh token is not valid');
      if (row.revoked_at) throw invalid('SESSION_REVOKED', 'the session has ended: sign in again');
      if (row.used_at) {
        await client.query(`UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'refresh_token_reused' WHERE session_id = $1`, [row.session_id]);
        await client.query('COMMIT');
        // This process drops it at once (the NOTIFY reaches the others; here it could come after the client's next request).
        this.forget(revokedSession(row.session_id));
        throw invalid('REFRESH_TOKEN_REUSED', 'the refresh token was already used: the session is revoked, sign in again');
      }
      if (row.expired) throw invalid('REFRESH_TOKEN_EXPIRED', 'the refresh token has expired: sign in again');
      await client.query('UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1', [hash(token)]);
      await client.query(`UPDATE auth_sessions SET expires_at = now() + make_interval(secs => $2) WHERE session_id = $1`, [row.session_id, ttlSeconds]);
      const refreshToken = await this.issueRefresh(client, row.session_id, ttlSeconds);
      await client.query('COMMIT');
      const session = await this.active(row.session_id);
      if (!session) throw invalid('SESSION_REVOKED', 'the session has ended: sign in again');
      return { session, refreshToken };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The session if it is open and unexpired, with the user's current platform roles. */
  async active(sessionId: string): Promise<ActiveSession | null> {
    const now = Date.now();
    const cached = this.cache.get(sessionId);
    if (cached && cached.until > now && cached.expiresAt > now && this.pushed.live) {
      if (cached.until - now < RECHECK_BELOW_MS) this.recheckSoon(sessionId);
      return cached.session;
    }
    if (cached) this.cache.delete(sessionId);
    const seen = this.revocations;
    const asked = Date.now();
    const r = (await this.read([sessionId])).get(sessionId.toLowerCase());
    if (!r) return null;
    // Cached only if no revocation arrived while the database was read (it may be this session's).
    if (seen === this.revocations) this.remember(sessionId, r, asked);
    return toSession(r);
  }

  /** Caches a session read from the database at `asked` (trusted SESSION_CACHE_MS from then), while revocations are pushed. */
  private remember(sessionId: string, r: SessionRow, asked: number): void {
    if (!this.pushed.live) return;
    const until = asked + SESSION_CACHE_MS;
    const cached = this.cache.get(sessionId);
    if (cached && cached.until >= until) return;
    if (!cached && this.cache.size >= SESSION_CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(sessionId, { session: toSession(r), expiresAt: new Date(r.expires_at).getTime(), until });
  }

  private recheckSoon(sessionId: string): void {
    this.due.add(sessionId);
    if (this.recheck) return;
    this.recheck = setTimeout(() => void this.recheckDue().finally(() => (this.recheck = null)), SESSION_RECHECK_MS);
    this.recheck.unref();
  }

  /**
   * Checks the due sessions in one statement: those still open are trusted
   * for another SESSION_CACHE_MS (with their current roles and expiry), the
   * others are dropped (their next request asks for itself, and is refused).
   * Nothing is renewed when a revocation arrived meanwhile, nor when the
   * database did not answer: the entries then run out as before.
   */
  private async recheckDue(): Promise<void> {
    const ids = [...this.due].filter((id) => this.cache.has(id));
    this.due.clear();
    if (!ids.length) return;
    const seen = this.revocations;
    const asked = Date.now();
    this.statements.rechecks += 1;
    const rows = await this.pool.query<SessionRow>(SESSION_SQL, [ids]).then(
      (r) => r.rows,
      () => null,
    );
    if (!rows || seen !== this.revocations) return;
    const open = new Map(rows.map((r) => [r.session_id, r]));
    for (const id of ids) {
      const r = open.get(id.toLowerCase());
      if (!r) this.cache.delete(id);
      else if (this.cache.has(id)) this.remember(id, r, asked);
    }
  }

  /** Revokes a session; every process hears of it (a trigger on auth_sessions notifies, whoever revokes). */
  async revoke(sessionId: string, reason: string): Promise<void> {
    await this.pool.query('UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2 WHERE session_id = $1 AND revoked_at IS NULL', [sessionId, reason]);
    // Dropped once revoked (and counted: a read of the session in flight meanwhile is not cached).
    this.forget(revokedSession(sessionId));
  }

  /**
   * Drops this process's cached sessions of a user whose sessions a command has
   * just ended (the accounts read model revokes them in the append's transaction;
   * the push reaches every process at commit, this one included, a moment later).
   */
  forgetUser(userId: string): void {
    this.forget(revokedUser(userId));
  }
}

const toSession = (r: SessionRow): ActiveSession => ({ sessionId: r.session_id, userId: r.user_id, realActorId: r.real_actor_id, platformRoles: r.platform_roles });
