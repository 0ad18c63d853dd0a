import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * External ids (Moodle's idnumber) on activities (quizzes, assignments,
 * offline tests): `course_activities.id_number`, the placement's, one column
 * for every kind, unique in the school (platform-wide courses, school NULL,
 * are one "school"). The read model is inline: a second activity of the
 * school with the same id is refused in the append's transaction (409 IDNUMBER_TAKEN).
 */
export class ActivityIdNumbers1735040000300 implements MigrationInterface {
  name = 'ActivityIdNumbers1735040000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE course_activities ADD COLUMN id_number text`);
    await q.query(`CREATE UNIQUE INDEX course_activities_school_id_number_key ON course_activities (school_id, id_number) NULLS NOT DISTINCT WHERE id_number IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX course_activities_school_id_number_key`);
    await q.query(`ALTER TABLE course_activities DROP COLUMN id_number`);
  }
}
