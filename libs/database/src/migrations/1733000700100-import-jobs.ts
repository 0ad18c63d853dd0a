import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * HTTP imports of Moodle logs (libs/interop/src/moodle/import-jobs.ts):
 *
 *   interop_import_jobs        one row per uploaded file: who, which school,
 *                              the options, status and progress (rows read,
 *                              imported, rejected), kept up to date as it runs.
 *   interop_import_rejections  the rows a job did not import, with the line and
 *                              the reason; the row's fields are sealed under the
 *                              job's own data subject (a file's rows name
 *                              people), shredded when the job is deleted.
 */
export class ImportJobs1733000700100 implements MigrationInterface {
  name = 'ImportJobs1733000700100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE interop_import_jobs (
        job_id uuid PRIMARY KEY,
        kind text NOT NULL,
        school_id uuid,
        created_by uuid NOT NULL,
        file_name text NOT NULL,
        file_path text NOT NULL,
        file_size bigint NOT NULL,
        options jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL CHECK (status IN ('queued', 'running', 'cancelled', 'interrupted', 'done', 'failed')),
        rows_read bigint NOT NULL DEFAULT 0,
        imported bigint NOT NULL DEFAULT 0,
        rejected bigint NOT NULL DEFAULT 0,
        bytes_read bigint NOT NULL DEFAULT 0,
        run_started_at timestamptz,
        run_rows bigint NOT NULL DEFAULT 0,
        summary jsonb,
        error jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX interop_import_jobs_school_idx ON interop_import_jobs (school_id, created_at)`);
    await q.query(`
      CREATE TABLE interop_import_rejections (
        job_id uuid NOT NULL REFERENCES interop_import_jobs (job_id) ON DELETE CASCADE,
        line bigint NOT NULL,
        reason text NOT NULL,
        fields jsonb NOT NULL,
        PRIMARY KEY (job_id, line, reason)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE interop_import_rejections, interop_import_jobs');
  }
}
