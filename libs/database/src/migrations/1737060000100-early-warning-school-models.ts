import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Early warning trained on a school's own history (libs/progress, projection `progress-early-warning`,
 * event EarlyWarningModelTrained on `early_warning-<schoolId>`):
 *
 *   progress_ew_models   the school's latest model (weights, means, standard deviations, thresholds with the
 *                        precision and recall they had on the school's held-out courses), as JSON, with who
 *                        trained it when and on how many courses and learners. The class reports of the
 *                        school's courses score with it; without a row, with the bundled model.
 *
 * Aggregate weights only: no learner's id or figure. Tenant-isolated as the other progress tables.
 */
export class EarlyWarningSchoolModels1737060000100 implements MigrationInterface {
  name = 'EarlyWarningSchoolModels1737060000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE progress_ew_models (
        school_id uuid PRIMARY KEY,
        model jsonb NOT NULL,
        courses int NOT NULL,
        learners int NOT NULL,
        trained_by uuid NOT NULL,
        trained_at timestamptz NOT NULL
      )`);
    await q.query(`GRANT SELECT ON progress_ew_models TO learnstream_reader`);
    await q.query(`ALTER TABLE progress_ew_models ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE progress_ew_models FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY tenant_isolation ON progress_ew_models TO learnstream_reader USING (ls_scope_all() OR school_id = ANY (ls_school_ids()))`);
    await q.query(`
      DO $$ BEGIN
        EXECUTE format('CREATE POLICY owner_access ON progress_ew_models TO %I USING (true) WITH CHECK (true)',
          (SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'progress_ew_models'));
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE progress_ew_models`);
  }
}
