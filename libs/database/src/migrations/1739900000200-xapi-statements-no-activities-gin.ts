import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The GIN index over xapi_statements.activity_ids goes (issue 15: the catch-up
 * of all projections; the LRS's index of the LMS's events is written for every
 * event of a school's course). No query can use it: the only reader of
 * activity_ids, GET /xapi/statements?related_activities=true, asks
 * `$activity = ANY (activity_ids)`, which a GIN index does not serve (it serves
 * @>, <@, && and =); that filter runs over the school's statements in `stored`
 * order, as it did with the index. Each row wrote one GIN entry per activity
 * id (its object's and its course's).
 */
export class XapiStatementsNoActivitiesGin1739900000200 implements MigrationInterface {
  name = 'XapiStatementsNoActivitiesGin1739900000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX xapi_statements_activities_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX xapi_statements_activities_idx ON xapi_statements USING gin (activity_ids)`);
  }
}
