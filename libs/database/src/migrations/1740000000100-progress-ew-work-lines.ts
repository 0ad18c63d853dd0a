import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each row of progress_ew_work keeps its line of the class report's work text
 * ready-made (issue 15: the class report's p95 ≤ 30 ms on a 1,000,000-event
 * term). The report read a course's work as one text, each row's line built
 * at every read (`assessment learner kind at grade max_grade attempt_number`,
 * courseFactsRead / eachWorkRow): for the 1,294 rows of term1m's biggest
 * course, 4.4–5.8 ms of the database's time per report, of which building the
 * lines was ~3 ms (the aggregate of the stored lines: 1.6–2.2 ms, same text).
 *
 *   line  a generated column (STORED): the line, written by PostgreSQL with
 *         the row (the progress-early-warning projection's inserts, a
 *         rebuild's), from the row's own fields, so that it never disagrees
 *         with them. Filled here for the rows there are (the table is
 *         rewritten: ~0.8 s for term1m's 61,000 rows).
 *
 * progress_ew_work_line() is the line's one definition: uuids, the kind, the
 * time in milliseconds since the epoch (floor) and the numbers as PostgreSQL
 * writes them (float8 in its shortest exact form at extra_float_digits ≥ 1,
 * the default; an empty field for NULL). It is declared IMMUTABLE for the
 * generated column: the epoch of a timestamptz does not depend on the time
 * zone, and the other casts are immutable.
 */
export class ProgressEwWorkLines1740000000100 implements MigrationInterface {
  name = 'ProgressEwWorkLines1740000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION progress_ew_work_line(assessment_id uuid, learner_id uuid, kind text, at timestamptz, grade float8, max_grade float8, attempt_number integer)
      RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN concat(assessment_id, ' ', learner_id, ' ', kind, ' ', floor(extract(epoch FROM at) * 1000)::float8, ' ', grade, ' ', max_grade, ' ', attempt_number)`);
    await q.query(`
      ALTER TABLE progress_ew_work ADD COLUMN line text NOT NULL
        GENERATED ALWAYS AS (progress_ew_work_line(assessment_id, learner_id, kind, at, grade, max_grade, attempt_number)) STORED`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE progress_ew_work DROP COLUMN line');
    await q.query('DROP FUNCTION progress_ew_work_line(uuid, uuid, text, timestamptz, float8, float8, integer)');
  }
}
