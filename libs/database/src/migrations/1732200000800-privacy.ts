import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Privacy (libs/privacy): data-subject requests, the flags every report
 * respects, the access audit, the index of each person's events, and the
 * erasure receipts.
 *
 *   privacy_requests          one row per request (export, rectification,
 *                             erasure, restriction, objection): status,
 *                             deadline, decision. `details` and
 *                             `decision_reason` are the subject's personal
 *                             data, decrypted; null once they are erased.
 *   subject_flags             per person: restricted (and why: a request, a
 *                             cancelled account, a legal hold),
 *                             analytics_excluded (restricted, or analytics
 *                             consent withdrawn), profiling_objected (an
 *                             objection, or profiling consent withdrawn),
 *                             consents per purpose, the legal hold, the
 *                             cancellation and when it is to be shredded.
 *                             Readable by learnstream_reader (ids and flags
 *                             only), so that reports filter it under
 *                             row-level security.
 *   personal_data_access_log  one row per read of someone else's personal data
 *                             and person read (PersonalDataAccessed, and the
 *                             learner profile's LearnerProfileViewed).
 *   subject_events            per person, every event that involves them: as
 *                             the actor, the real actor, the related user, or
 *                             as the subject of a sealed value in its data. The
 *                             export reads their events through it.
 *   erasure_receipts          one row per erasure and projection, written by the
 *                             projection runner in the transaction in which
 *                             the projection forgot the person.
 *
 * The privacy tables are read by the privacy feature after its own checks
 * (the subject, their parent, the DPO), never by learnstream_reader, except
 * subject_flags.
 */
export class Privacy1732200000800 implements MigrationInterface {
  name = 'Privacy1732200000800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE privacy_requests (
        request_id uuid PRIMARY KEY,
        subject_id uuid NOT NULL,
        type text NOT NULL CHECK (type IN ('export', 'rectification', 'erasure', 'restriction', 'objection')),
        status text NOT NULL CHECK (status IN ('pending', 'approved', 'deferred', 'completed', 'rejected', 'withdrawn')),
        filed_by uuid,
        filed_as text NOT NULL CHECK (filed_as IN ('self', 'parent', 'school_admin', 'dpo', 'system')),
        details jsonb,
        filed_at timestamptz NOT NULL,
        due_at timestamptz NOT NULL,
        decided_by uuid,
        decided_at timestamptz,
        decision_reason text,
        completed_at timestamptz,
        outcome text,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX privacy_requests_subject_idx ON privacy_requests (subject_id, filed_at DESC)`);
    await q.query(`CREATE INDEX privacy_requests_filed_by_idx ON privacy_requests (filed_by, filed_at DESC)`);
    await q.query(`CREATE INDEX privacy_requests_open_idx ON privacy_requests (due_at) WHERE status IN ('pending', 'approved', 'deferred')`);

    await q.query(`
      CREATE TABLE subject_flags (
        user_id uuid PRIMARY KEY,
        restricted boolean NOT NULL DEFAULT false,
        restriction_reasons text[] NOT NULL DEFAULT '{}',
        analytics_excluded boolean NOT NULL DEFAULT false,
        profiling_objected boolean NOT NULL DEFAULT false,
        consents jsonb NOT NULL DEFAULT '{}',
        legal_hold_id uuid,
        legal_hold_reason text,
        legal_hold_since timestamptz,
        legal_hold_until timestamptz,
        cancelled_at timestamptz,
        shred_after timestamptz,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX subject_flags_restricted_idx ON subject_flags (user_id) WHERE restricted`);
    await q.query(`CREATE INDEX subject_flags_analytics_idx ON subject_flags (user_id) WHERE analytics_excluded`);
    await q.query(`CREATE INDEX subject_flags_shred_idx ON subject_flags (shred_after) WHERE shred_after IS NOT NULL`);
    await q.query(`GRANT SELECT ON subject_flags TO learnstream_reader`);

    await q.query(`
      CREATE TABLE personal_data_access_log (
        event_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        reader_id uuid NOT NULL,
        real_reader_id uuid,
        what text NOT NULL,
        purpose text NOT NULL,
        course_id uuid,
        school_id uuid,
        occurred_at timestamptz NOT NULL,
        PRIMARY KEY (event_id, subject_id)
      )`);
    await q.query(`CREATE INDEX personal_data_access_log_subject_idx ON personal_data_access_log (subject_id, occurred_at DESC)`);
    await q.query(`CREATE INDEX personal_data_access_log_reader_idx ON personal_data_access_log (reader_id, occurred_at)`);

    await q.query(`
      CREATE TABLE subject_events (
        user_id uuid NOT NULL,
        event_id uuid NOT NULL,
        stream_id text NOT NULL,
        event_type text NOT NULL,
        occurred_at timestamptz NOT NULL,
        position_commit bigint NOT NULL,
        position_prepare bigint NOT NULL,
        involvement text[] NOT NULL,
        PRIMARY KEY (user_id, event_id)
      )`);
    await q.query(`CREATE INDEX subject_events_user_position_idx ON subject_events (user_id, position_commit, position_prepare)`);

    await q.query(`
      CREATE TABLE erasure_receipts (
        request_id uuid NOT NULL,
        user_id uuid NOT NULL,
        projection text NOT NULL,
        event_id uuid NOT NULL,
        acknowledged_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (request_id, projection)
      )`);
    await q.query(`CREATE INDEX erasure_receipts_user_idx ON erasure_receipts (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE erasure_receipts, subject_events, personal_data_access_log, subject_flags, privacy_requests`);
  }
}
