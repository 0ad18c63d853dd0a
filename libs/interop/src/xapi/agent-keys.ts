/**
 * Agents the LRS meets are named by email, OpenID or an account elsewhere:
 * personal data, which never goes into clear fields, nor any hash of it.
 *
 *   agent_hash  a keyed hash of the agent's identifier (HMAC under a key
 *               derived from the master key), kept only in xapi_agents
 *               (migration 1733000700000), never in the log;
 *   agent id    a random id given the first time the LRS meets the agent:
 *               what the log (XapiStatementRecorded.agentKey) and the
 *               statement index hold, and, for an agent who is not a
 *               Learnstream user, the data subject their statements are
 *               sealed under.
 *
 * Erasing a learner deletes their rows of xapi_agents (forget): their email,
 * account or old id then finds nothing, and a later statement with the same
 * email gets a new agent id, unlinked to the old statements.
 */
import { createHmac, hkdfSync, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { PG_POOL } from '@learnstream/core';
import { ifiOf } from './statement';
import type pg from 'pg';

/** Namespace of the ids derived for xAPI (event ids). */
export const XAPI_NAMESPACE = '8a0b7f4c-2e3d-4c55-b1a9-6f0e2d7c9b31';

type Queryable = Pick<pg.Pool, 'query'>;

@Injectable()
export class AgentKeys {
  private readonly key: Buffer;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', config.masterKey, Buffer.alloc(0), 'learnstream xapi agents', 32));
  }

  /** The keyed hash of an agent's (or identified group's) identifier; null for an anonymous group. */
  hashOf(agent: unknown): string | null {
    const ifi = ifiOf(agent);
    return ifi === null ? null : createHmac('sha256', this.key).update(ifi).digest('hex');
  }

  /** The agent id of each agent the LRS knows (by hash); unknown agents are absent. */
  async find(hashes: string[], db: Queryable = this.pool): Promise<Map<string, string>> {
    if (!hashes.length) return new Map();
    const { rows } = await db.query('SELECT agent_hash, agent_id FROM xapi_agents WHERE agent_hash = ANY ($1::text[])', [[...new Set(hashes)]]);
    return new Map(rows.map((r: { agent_hash: string; agent_id: string }) => [r.agent_hash, r.agent_id]));
  }

  /** The agent id of each agent, given a new random one when the LRS meets it for the first time. */
  async ensure(agents: { hash: string; learnerId: string | null }[]): Promise<Map<string, string>> {
    const wanted = new Map<string, string | null>();
    for (const a of agents) if (!wanted.has(a.hash) || a.learnerId) wanted.set(a.hash, a.learnerId);
    if (!wanted.size) return new Map();
    const hashes = [...wanted.keys()];
    await this.pool.query(
      `INSERT INTO xapi_agents (agent_hash, agent_id, learner_id) SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[])
       ON CONFLICT (agent_hash) DO UPDATE SET learner_id = coalesce(xapi_agents.learner_id, EXCLUDED.learner_id)`,
      [hashes, hashes.map(() => randomUUID()), hashes.map((h) => wanted.get(h))],
    );
    return this.find(hashes);
  }
}
