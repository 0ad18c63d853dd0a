/**
 * Who an import runs as. The CLI has no signed-in user: the operator names
 * one with --as <userId>, else the first platform admin is used. The access
 * policy then decides as for any request of that user: the import goes
 * through the same policy as everything else.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AccessPolicy, type Actor } from '@learnstream/access';
import { PG_POOL } from '@learnstream/core/headless';
import { DomainError } from '@learnstream/domain';
import type pg from 'pg';

@Injectable()
export class ImporterActor {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    private readonly policy: AccessPolicy,
  ) {}

  async resolve(userId?: string): Promise<Actor> {
    let id = userId?.toLowerCase();
    if (!id) {
      const { rows } = await this.pool.query(`SELECT user_id FROM accounts WHERE 'platform_admin' = ANY (platform_roles) AND status = 'active' ORDER BY created_at LIMIT 1`);
      if (!rows[0]) throw new DomainError('invalid', 'NO_IMPORTER', 'no platform admin to run the import as: name a user with --as <userId>');
      id = rows[0].user_id as string;
    }
    const facts = await this.policy.person(id);
    if (!facts.exists) throw new DomainError('invalid', 'NO_IMPORTER', `no account ${id} to run the import as`);
    return { userId: id, realActorId: null, sessionId: randomUUID(), platformRoles: facts.platformRoles, request: null };
  }
}
