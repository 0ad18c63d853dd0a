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
import { PG_POOL } from '@learnstream/core';
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

  async release(userId: string): Promise<void> {
    await this.pool.query('DELETE FROM username_index WHERE user_id = $1', [userId]);
  }
}
