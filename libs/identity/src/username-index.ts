/**
 * Usernames are personal data, so the index that makes them unique and finds
 * an account at sign-in holds only an HMAC of the username (keyed from the
 * master key), never the username itself.
 *
 * A claim is taken before the account's first event is appended and given
 * back if the append fails. A process that dies between the two leaves a
 * claim with no account: such a claim older than a minute may be taken over.
 */
import { Inject, Injectable } from '@nestjs/common';
import { createHmac, hkdfSync } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { PG_POOL } from '@learnstream/core/headless';
import { DomainError } from '@learnstream/domain';
import { EVENT_STORE, type EventStore } from '@learnstream/event-store';
import type pg from 'pg';
import { normaliseUsername } from './profile';

@Injectable()
export class UsernameIndex {
  private readonly key: Buffer;

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', config.masterKey, Buffer.alloc(0), 'learnstream username index', 32));
  }

  private hmac(username: string): Buffer {
    return createHmac('sha256', this.key).update(normaliseUsername(username)).digest();
  }

  async find(username: string): Promise<string | null> {
    const { rows } = await this.pool.query('SELECT user_id FROM username_index WHERE username_hmac = $1', [this.hmac(username)]);
    return rows[0]?.user_id ?? null;
  }

  /** Claims the username for `userId`, or fails with USERNAME_TAKEN (409). */
  async claim(username: string, userId: string): Promise<void> {
    const hmac = this.hmac(username);
    const taken = () => new DomainError('conflict', 'USERNAME_TAKEN', 'this username is taken', [{ field: 'username', message: 'this username is taken' }]);
    const inserted = await this.pool.query('INSERT INTO username_index (username_hmac, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [hmac, userId]);
    if (inserted.rowCount === 1) return;
    const { rows } = await this.pool.query(`SELECT user_id, claimed_at < now() - interval '1 minute' AS stale FROM username_index WHERE username_hmac = $1`, [hmac]);
    if (!rows[0]?.stale || (await this.store.streamRevision(`user-${rows[0].user_id}`)) !== null) throw taken();
    const moved = await this.pool.query('UPDATE username_index SET user_id = $1, claimed_at = now() WHERE username_hmac = $2 AND user_id = $3', [userId, hmac, rows[0].user_id]);
    if (moved.rowCount !== 1) throw taken();
  }

  /** The accounts of these usernames that exist, by normalised username. */
  async findMany(usernames: string[]): Promise<Map<string, string>> {
    const byHmac = new Map(usernames.map((u) => [this.hmac(u).toString('hex'), normaliseUsername(u)]));
    const { rows } = await this.pool.query<{ hmac: string; user_id: string }>(
      `SELECT encode(username_hmac, 'hex') AS hmac, user_id FROM username_index WHERE username_hmac = ANY ($1::bytea[])`,
      [[...byHmac.keys()].map((h) => Buffer.from(h, 'hex'))],
    );
    return new Map(rows.map((r) => [byHmac.get(r.hmac)!, r.user_id]));
  }

  /** Claims many usernames in one statement; the user ids whose claim was taken (the others were taken already). */
  async claimMany(claims: { username: string; userId: string }[]): Promise<Set<string>> {
    if (!claims.length) return new Set();
    const { rows } = await this.pool.query<{ user_id: string }>(
      'INSERT INTO username_index (username_hmac, user_id) SELECT * FROM unnest($1::bytea[], $2::uuid[]) ON CONFLICT DO NOTHING RETURNING user_id',
      [claims.map((c) => this.hmac(c.username)), claims.map((c) => c.userId)],
    );
    return new Set(rows.map((r) => r.user_id));
  }

  async releaseMany(userIds: string[]): Promise<void> {
    if (userIds.length) await this.pool.query('DELETE FROM username_index WHERE user_id = ANY ($1::uuid[])', [userIds]);
  }

  async release(userId: string): Promise<void> {
    await this.pool.query('DELETE FROM username_index WHERE user_id = $1', [userId]);
  }
}
