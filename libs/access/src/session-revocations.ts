/**
 * Session revocations, pushed to every process (PostgreSQL LISTEN/NOTIFY):
 * a trigger on `auth_sessions` notifies `learnstream_sessions` with
 * `s:<session id>` whenever a session is revoked or deleted, whoever does it
 * (logout, password change, lock, a withdrawn role, cancellation, erasure),
 * and each process hears it on its one LISTEN connection (PG_LISTENER, shared
 * with the event store's notifications).
 *
 * Two users: the session check's short cache (an entry is dropped the moment
 * its revocation arrives) and long-lived responses (the live course log),
 * which end when the session behind them ends instead of noticing at their
 * next poll.
 *
 * Withdrawn access comes the same way (`a:<user id>`: a course_staff row or a
 * school membership of the user ended or changed, migration
 * 1735010000100): watchers of that user are told (`access`) and ask the
 * access policy again at once.
 *
 * While the LISTEN connection is down (`live` false), nothing may rely on a
 * push: the session cache is emptied and bypassed, and watchers are told
 * (`reset`) so they check for themselves; the connection is retried.
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { PG_LISTENER } from '@learnstream/core/headless';
import { query, type PgListener } from '@learnstream/database';
import type { DataSource } from 'typeorm';

export const SESSIONS_CHANNEL = 'learnstream_sessions';

/** The NOTIFY payload of a revocation: one session, or every session of a user. */
export const revokedSession = (sessionId: string) => `s:${sessionId}`;
export const revokedUser = (userId: string) => `u:${userId}`;
/** The NOTIFY payload of access withdrawn from a user (a course or a school taken from them). */
export const accessWithdrawn = (userId: string) => `a:${userId}`;

/** What a watcher is told: its session (or user) was revoked, its user lost some access, or pushes may have been lost. */
export type RevocationSignal = 'revoked' | 'access' | 'reset';

interface Watcher {
  sessionId: string;
  userId: string;
  notify: (signal: RevocationSignal) => void;
}

@Injectable()
export class SessionRevocations implements OnApplicationShutdown {
  private listening: Promise<() => void> | null = null;
  private subscribed = false;
  private readonly watchers = new Set<Watcher>();
  private readonly listeners = new Set<(payload: string | null) => void>();
  private readonly offLost: () => void;

  constructor(
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    @Inject(PG_LISTENER) private readonly listener: PgListener,
  ) {
    this.offLost = listener.onLost(() => {
      // Pushes may have been missed: every cache and watcher must check for itself.
      for (const l of this.listeners) l(null);
      for (const w of this.watchers) w.notify('reset');
    });
  }

  /** True while revocations are being received: a cache may then rely on them. */
  get live(): boolean {
    return this.subscribed && this.listener.live;
  }

  /** Starts listening (idempotent); resolves once listening or once the attempt failed (it is retried). */
  async start(): Promise<void> {
    this.listening ??= this.listener.listen(SESSIONS_CHANNEL, (payload) => this.received(payload)).then((off) => {
      this.subscribed = true;
      return off;
    });
    await this.listening;
  }

  private received(payload: string): void {
    for (const l of this.listeners) l(payload);
    for (const w of this.watchers) {
      if (payload === revokedSession(w.sessionId) || payload === revokedUser(w.userId)) w.notify('revoked');
      else if (payload === accessWithdrawn(w.userId)) w.notify('access');
    }
  }

  /** Whether the session is still open (asked when pushes may have been lost). */
  async isOpen(sessionId: string): Promise<boolean> {
    const rows = await query<{ found: number }>(this.dataSource, 'SELECT 1 AS found FROM auth_sessions WHERE session_id = $1 AND revoked_at IS NULL AND expires_at > now()', [sessionId]);
    return rows.length > 0;
  }

  /** Called with each revocation's payload, and with null when pushes may have been lost. */
  onRevocation(listener: (payload: string | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `notify` when this session (or every session of its user) is revoked; returns the unsubscribe. */
  watch(session: { sessionId: string; userId: string }, notify: (signal: RevocationSignal) => void): () => void {
    const watcher: Watcher = { sessionId: session.sessionId, userId: session.userId, notify };
    this.watchers.add(watcher);
    void this.start();
    return () => this.watchers.delete(watcher);
  }

  async onApplicationShutdown(): Promise<void> {
    this.offLost();
    (await this.listening)?.();
  }
}
