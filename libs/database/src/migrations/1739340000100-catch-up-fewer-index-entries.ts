import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fewer index entries per row of the tables every event writes (issue 15: the
 * catch-up of all projections). Each index of a table costs each insert; these
 * served no query, or served one another's:
 *
 *   progress_timeline  its primary key (user_id, event_id) was only the
 *                      projection's ON CONFLICT target; the timeline is read
 *                      by person in log order (user_id, position), which is
 *                      as unique (one position per event): that is now the
 *                      primary key, and the index that was only for the
 *                      order goes (the profile's ORDER BY … DESC walks it
 *                      backwards).
 *   subject_events     the same: the primary key is (user_id, position), the
 *                      export's order; (user_id, event_id) goes.
 *   xapi_statements    the agent index (school_id, agent_key, stored) holds
 *                      only the rows that have an agent key (a client's
 *                      statements): the LMS's own rows, nearly all of them,
 *                      have none, and a filter by agent names one. The
 *                      UNIQUE (event_id) goes: nothing looks a row up by its
 *                      event, and a statement is kept once by its primary
 *                      key (school_id, statement_id; an LMS row's statement
 *                      id is its event id).
 */
export class CatchUpFewerIndexEntries1739340000100 implements MigrationInterface {
  name = 'CatchUpFewerIndexEntries1739340000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE progress_timeline DROP CONSTRAINT progress_timeline_pkey, ADD PRIMARY KEY (user_id, position_commit, position_prepare)`);
    await q.query(`DROP INDEX progress_timeline_user_position_idx`);
    await q.query(`ALTER TABLE subject_events DROP CONSTRAINT subject_events_pkey, ADD PRIMARY KEY (user_id, position_commit, position_prepare)`);
    await q.query(`DROP INDEX subject_events_user_position_idx`);
    await q.query(`DROP INDEX xapi_statements_agent_idx`);
    await q.query(`CREATE INDEX xapi_statements_agent_idx ON xapi_statements (school_id, agent_key, stored) WHERE agent_key IS NOT NULL`);
    await q.query(`ALTER TABLE xapi_statements DROP CONSTRAINT xapi_statements_event_id_key`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE xapi_statements ADD CONSTRAINT xapi_statements_event_id_key UNIQUE (event_id)`);
    await q.query(`DROP INDEX xapi_statements_agent_idx`);
    await q.query(`CREATE INDEX xapi_statements_agent_idx ON xapi_statements (school_id, agent_key, stored)`);
    await q.query(`CREATE INDEX subject_events_user_position_idx ON subject_events (user_id, position_commit, position_prepare)`);
    await q.query(`ALTER TABLE subject_events DROP CONSTRAINT subject_events_pkey, ADD PRIMARY KEY (user_id, event_id)`);
    await q.query(`CREATE INDEX progress_timeline_user_position_idx ON progress_timeline (user_id, position_commit DESC, position_prepare DESC)`);
    await q.query(`ALTER TABLE progress_timeline DROP CONSTRAINT progress_timeline_pkey, ADD PRIMARY KEY (user_id, event_id)`);
  }
}
