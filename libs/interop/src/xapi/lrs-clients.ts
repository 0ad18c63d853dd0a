/**
 * LRS clients: the credentials a learning tool uses on /xapi (HTTP Basic,
 * the client id as user name and a secret). Each belongs to one school: what
 * it writes is that school's, and it reads that school's statements only.
 *
 * The secret is 32 random bytes shown once at creation; the table keeps its
 * SHA-256 only (a random 256-bit secret needs no slow hash: there is nothing
 * to guess), compared in constant time. Creating and revoking a client are
 * the school admin's actions, recorded as events on `xapi_client-<id>`.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AccessPolicy, envelopeFor, type Actor } from '@learnstream/access';
import { PG_POOL, type RequestContext } from '@learnstream/core';
import { DomainError, isUuid } from '@learnstream/domain';
import { EventLog } from '@learnstream/event-store';
import type pg from 'pg';
import { xapiClientStreamId } from '../interop.events';

export interface LrsClient {
  clientId: string;
  schoolId: string;
  name: string;
}

/** An LRS client in the request it calls in (CurrentLrsClient): the request goes into the envelopes of what it records and reads. */
export interface RequestingLrsClient extends LrsClient {
  readonly request: RequestContext | null;
}

export interface LrsClientView extends LrsClient {
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
}

const hash = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();

@Injectable()
export class LrsClients {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    private readonly log: EventLog,
    private readonly policy: AccessPolicy,
  ) {}

  /** A new client of the school; its secret is returned now and never again. */
  async create(actor: Actor, schoolId: string, name: string): Promise<LrsClient & { secret: string }> {
    await this.policy.require(actor, { action: 'school.manage', schoolId });
    const trimmed = typeof name === 'string' ? name.trim() : '';
    if (!trimmed || trimmed.length > 100) throw new DomainError('invalid', 'VALIDATION_FAILED', 'name must be 1 to 100 characters', [{ field: 'name', message: 'must be 1 to 100 characters' }]);
    const clientId = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    await this.pool.query('INSERT INTO xapi_clients (client_id, school_id, name, secret_hash, created_by) VALUES ($1, $2, $3, $4, $5)', [clientId, schoolId, trimmed, hash(secret), actor.userId]);
    await this.log.append(xapiClientStreamId(clientId), [
      {
        type: 'XapiClientCreated',
        data: { clientId, schoolId, name: trimmed, by: actor.userId },
        envelope: envelopeFor(actor, { action: 'created', crud: 'c', object: { type: 'xapi_client', id: clientId }, schoolId }),
      },
    ]);
    return { clientId, schoolId, name: trimmed, secret };
  }

  async list(actor: Actor, schoolId: string): Promise<LrsClientView[]> {
    await this.policy.require(actor, { action: 'school.manage', schoolId });
    const { rows } = await this.pool.query('SELECT client_id, school_id, name, created_at, created_by, revoked_at FROM xapi_clients WHERE school_id = $1 ORDER BY created_at', [schoolId]);
    return rows.map((r) => ({ clientId: r.client_id, schoolId: r.school_id, name: r.name, createdAt: r.created_at.toISOString(), createdBy: r.created_by, revokedAt: r.revoked_at?.toISOString() ?? null }));
  }

  async revoke(actor: Actor, schoolId: string, clientId: string): Promise<void> {
    await this.policy.require(actor, { action: 'school.manage', schoolId });
    const { rowCount } = await this.pool.query('UPDATE xapi_clients SET revoked_at = now() WHERE client_id = $1 AND school_id = $2 AND revoked_at IS NULL', [clientId, schoolId]);
    if (!rowCount) {
      const { rows } = await this.pool.query('SELECT 1 FROM xapi_clients WHERE client_id = $1 AND school_id = $2', [clientId, schoolId]);
      if (!rows.length) throw new DomainError('not_found', 'XAPI_CLIENT_NOT_FOUND', `no LRS client ${clientId} in this school`);
      return;
    }
    await this.log.append(xapiClientStreamId(clientId), [
      { type: 'XapiClientRevoked', data: { clientId, schoolId, by: actor.userId }, envelope: envelopeFor(actor, { action: 'revoked', crud: 'd', object: { type: 'xapi_client', id: clientId }, schoolId }) },
    ]);
  }

  /** The client these credentials belong to, or null (unknown, wrong secret, revoked). */
  async authenticate(clientId: string, secret: string): Promise<LrsClient | null> {
    if (!isUuid(clientId) || !secret) return null;
    const { rows } = await this.pool.query('SELECT client_id, school_id, name, secret_hash FROM xapi_clients WHERE client_id = $1 AND revoked_at IS NULL', [clientId]);
    const row = rows[0];
    const given = hash(secret);
    // Compared even when there is no such client, so that timing does not tell which ids exist.
    const expected: Buffer = row?.secret_hash ?? Buffer.alloc(32);
    const matches = timingSafeEqual(given, expected) && Boolean(row);
    return matches ? { clientId: row.client_id, schoolId: row.school_id, name: row.name } : null;
  }
}
