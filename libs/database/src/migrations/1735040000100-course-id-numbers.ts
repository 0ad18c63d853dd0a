import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * External ids (Moodle's idnumber) on courses: `courses.id_number`, unique in
 * its school (platform-wide courses, school NULL, are one "school"). The
 * courses read model is inline: the unique index refuses, in the append's own
 * transaction, a second course of the school with the same id, and the
 * command answers 409 IDNUMBER_TAKEN.
 */
export class CourseIdNumbers1735040000100 implements MigrationInterface {
  name = 'CourseIdNumbers1735040000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE courses ADD COLUMN id_number text`);
    await q.query(`CREATE UNIQUE INDEX courses_school_id_number_key ON courses (school_id, id_number) NULLS NOT DISTINCT WHERE id_number IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX courses_school_id_number_key`);
    await q.query(`ALTER TABLE courses DROP COLUMN id_number`);
  }
}
