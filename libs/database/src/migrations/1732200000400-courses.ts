import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Course read models: the catalogue, sections and resources, course staff and
 * enrolments (what the access policy reads to know who teaches and who
 * learns a course). Tenant-isolated like the directory (migration 0300);
 * platform-wide courses (school_id NULL) are visible to every signed-in reader.
 */
export class Courses1732200000400 implements MigrationInterface {
  name = 'Courses1732200000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE courses (
        course_id uuid PRIMARY KEY,
        school_id uuid,
        code text NOT NULL,
        title text NOT NULL,
        summary text,
        subject text NOT NULL,
        grade_level text,
        self_enrolment boolean NOT NULL DEFAULT false,
        enrolment_key_hash text,
        enrolment_starts_at timestamptz,
        enrolment_ends_at timestamptz,
        archived_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX courses_school_idx ON courses (school_id)`);
    await q.query(`
      CREATE TABLE course_sections (
        section_id uuid PRIMARY KEY,
        course_id uuid NOT NULL,
        school_id uuid,
        title text NOT NULL,
        position integer NOT NULL
      )`);
    await q.query(`CREATE INDEX course_sections_course_idx ON course_sections (course_id)`);
    await q.query(`
      CREATE TABLE course_resources (
        resource_id uuid PRIMARY KEY,
        course_id uuid NOT NULL,
        school_id uuid,
        section_id uuid NOT NULL,
        kind text NOT NULL,
        title text NOT NULL,
        content jsonb NOT NULL,
        visible boolean NOT NULL,
        position integer NOT NULL
      )`);
    await q.query(`CREATE INDEX course_resources_course_idx ON course_resources (course_id)`);
    await q.query(`
      CREATE TABLE course_activities (
        activity_id uuid PRIMARY KEY,
        course_id uuid NOT NULL,
        school_id uuid,
        section_id uuid,
        kind text NOT NULL
      )`);
    await q.query(`CREATE INDEX course_activities_course_idx ON course_activities (course_id)`);
    await q.query(`
      CREATE TABLE course_staff (
        course_id uuid NOT NULL,
        user_id uuid NOT NULL,
        school_id uuid,
        role text NOT NULL CHECK (role IN ('teacher', 'non_editing_teacher')),
        assigned_at timestamptz NOT NULL,
        PRIMARY KEY (course_id, user_id)
      )`);
    await q.query(`CREATE INDEX course_staff_user_idx ON course_staff (user_id)`);
    await q.query(`
      CREATE TABLE course_enrolments (
        course_id uuid NOT NULL,
        learner_id uuid NOT NULL,
        school_id uuid,
        status text NOT NULL CHECK (status IN ('active', 'unenrolled')),
        method text NOT NULL,
        enrolled_at timestamptz NOT NULL,
        unenrolled_at timestamptz,
        starts_at timestamptz,
        ends_at timestamptz,
        PRIMARY KEY (course_id, learner_id)
      )`);
    await q.query(`CREATE INDEX course_enrolments_learner_idx ON course_enrolments (learner_id)`);

    const tables = ['courses', 'course_sections', 'course_resources', 'course_activities', 'course_staff', 'course_enrolments'];
    await q.query(`GRANT SELECT ON ${tables.join(', ')} TO learnstream_reader`);
    for (const table of tables) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY tenant_isolation ON ${table} TO learnstream_reader USING (ls_scope_all() OR school_id IS NULL OR school_id = ANY (ls_school_ids()))`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE course_enrolments, course_staff, course_activities, course_resources, course_sections, courses`);
  }
}
