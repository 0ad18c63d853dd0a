import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The LRS's agent index, apart from the log (libs/interop/src/xapi/agent-keys.ts):
 *
 *   xapi_agents   agent_hash (HMAC of an agent's identifier: email, OpenID,
 *                 account) → agent_id, a random id that the log and
 *                 xapi_statements use instead of the hash, and the learner
 *                 it is, if any. Erasing the learner deletes their rows: their
 *                 email or account then finds nothing, and a new statement with
 *                 the same email gets a new agent id, unlinked to the old ones.
 *                 Not rebuilt from the log (the log holds no hash).
 */
export class XapiAgents1733000700000 implements MigrationInterface {
  name = 'XapiAgents1733000700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE xapi_agents (
        agent_hash text PRIMARY KEY,
        agent_id uuid NOT NULL UNIQUE,
        learner_id uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX xapi_agents_learner_idx ON xapi_agents (learner_id) WHERE learner_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE xapi_agents');
  }
}
