/**
 * Moodle log imports over HTTP, for admins (import-jobs.controller.ts):
 *
 *   upload    the file is the request body, streamed to IMPORT_DIR; a job row
 *             (interop_import_jobs) is created and the import runs in the
 *             background of this process, as the uploader (the importer checks
 *             that they may manage the school, or are a platform admin);
 *   progress  rows read, imported, rejected, the rate of this run and the time
 *             left (from the bytes read), updated after each batch;
 *   rejected  each row not imported, with its line and reason (its fields
 *             sealed under the job's own data subject), downloadable as CSV;
 *   cancel    stops at the next batch boundary (status `cancelled`);
 *   resume    a cancelled, interrupted (the server stopped) or failed job
 *             goes on from the file's checkpoint: nothing is imported twice;
 *   delete    the file, the job, its rejected rows and the job's key go.
 *
 * A job that was running when the process stopped is `interrupted` at the
 * next start. A transient database error (a terminated backend, a refused or
 * exhausted connection) does not fail a job: the import starts again from its
 * checkpoint (its appends are idempotent) until the database has been
 * unavailable for JOB_RETRY_MS without a batch getting through.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AccessPolicy, ForbiddenError, type Actor } from '@learnstream/access';
import { PG_POOL } from '@learnstream/core/headless';
import { isTransientDatabaseError, retryTransient } from '@learnstream/database';
import { DomainError, uuidV5 } from '@learnstream/domain';
import { KeyStore, PersonalDataCipher, personal } from '@learnstream/personal-data';
import { INTEROP_OPTIONS, type InteropOptions } from '../interop.options';
import { IMPORT_NAMESPACE } from './moodle-log';
import { checkImportOptions, MoodleLogImporter, type ImportProgress, type MoodleLogImportSummary, type RejectedRow } from './moodle-log-importer';
import type { Readable } from 'node:stream';
import type pg from 'pg';

export interface ImportJobOptions {
  schoolId: string | null;
  createMissing: boolean;
  site?: string;
  timeZone?: string;
  year?: number;
  moodleCourse?: number;
}

/** How long a job waits for an unavailable database (no batch getting through) before it fails. */
const JOB_RETRY_MS = 60_000;

/** A row of `interop_import_jobs` (bigint columns come back as strings). */
interface ImportJobRow {
  job_id: string;
  kind: ImportJobView['kind'];
  school_id: string | null;
  created_by: string;
  file_name: string;
  file_path: string;
  file_size: string;
  options: unknown;
  status: ImportJobView['status'];
  rows_read: string;
  imported: string;
  rejected: string;
  bytes_read: string;
  run_started_at: Date | null;
  run_rows: string;
  summary: unknown;
  error: ImportJobView['error'];
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export interface ImportJobView {
  jobId: string;
  kind: 'moodle-logs';
  schoolId: string | null;
  fileName: string;
  fileSize: number;
  status: 'queued' | 'running' | 'cancelled' | 'interrupted' | 'done' | 'failed';
  rowsRead: number;
  imported: number;
  rejected: number;
  /** Rows per second of the current (or last) run. */
  rowsPerSecond: number | null;
  /** Seconds left, from the bytes read so far (null when not running). */
  etaSeconds: number | null;
  percent: number;
  summary: unknown;
  error: { code: string; message: string } | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  links: { self: string; rejected: string; cancel: string; resume: string };
}

const MAX_BYTES = 2 * 1024 ** 3;
const notFound = (jobId: string) => new DomainError('not_found', 'IMPORT_JOB_NOT_FOUND', `no import job ${jobId}`);

/** The data subject a job's rejected rows are sealed under. */
const jobSubject = (jobId: string) => uuidV5(`import-job:${jobId}`, IMPORT_NAMESPACE);

@Injectable()
export class ImportJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ImportJobs.name);
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(INTEROP_OPTIONS) private readonly options: InteropOptions,
    private readonly importer: MoodleLogImporter,
    private readonly policy: AccessPolicy,
    private readonly cipher: PersonalDataCipher,
    private readonly keys: KeyStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.pool.query(`UPDATE interop_import_jobs SET status = 'interrupted', updated_at = now() WHERE status IN ('queued', 'running')`);
  }

  /** Stops every running job at its next batch boundary (the checkpoint says where to resume). */
  async onApplicationShutdown(): Promise<void> {
    for (const job of this.running.values()) job.controller.abort();
    await Promise.allSettled([...this.running.values()].map((j) => j.done));
  }

  /** Who may see and steer imports into a school: its managers and platform admins; without a school, platform admins. */
  private async authorise(actor: Actor, schoolId: string | null): Promise<void> {
    const allowed = schoolId ? await this.policy.can(actor, { action: 'school.manage', schoolId }) : await this.policy.can(actor, { action: 'ops' });
    // The message never names the school: a refused caller may have come with a job id only (tenant boundary suite).
    if (!allowed) throw new ForbiddenError(schoolId ? 'only the admins of the school and platform admins may import into it or see its imports' : 'only a platform admin may import without a school');
  }

  async upload(actor: Actor, body: Readable, fileName: string, options: ImportJobOptions): Promise<ImportJobView> {
    await this.authorise(actor, options.schoolId);
    checkImportOptions(options);
    const jobId = randomUUID();
    await mkdir(this.options.importDir, { recursive: true, mode: 0o700 });
    const path = join(this.options.importDir, `${jobId}.upload`);
    let size = 0;
    try {
      body.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BYTES) body.destroy(new DomainError('invalid', 'IMPORT_TOO_LARGE', `an import file may have at most ${MAX_BYTES} bytes`));
      });
      await pipeline(body, createWriteStream(path, { mode: 0o600 }));
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
    if (size === 0) {
      await rm(path, { force: true });
      throw new DomainError('invalid', 'IMPORT_INVALID', 'the request body is empty: send the file as the body');
    }
    await this.pool.query(
      `INSERT INTO interop_import_jobs (job_id, kind, school_id, created_by, file_name, file_path, file_size, options, status)
       VALUES ($1, 'moodle-logs', $2, $3, $4, $5, $6, $7, 'queued')`,
      [jobId, options.schoolId, actor.userId, fileName, path, size, JSON.stringify(options)],
    );
    this.run(actor, jobId);
    return this.get(actor, jobId);
  }

  async get(actor: Actor, jobId: string): Promise<ImportJobView> {
    const row = await this.row(jobId);
    await this.authorise(actor, row.school_id);
    return this.view(row);
  }

  async list(actor: Actor, schoolId: string | null): Promise<ImportJobView[]> {
    await this.authorise(actor, schoolId);
    const { rows } = await this.pool.query(`SELECT * FROM interop_import_jobs WHERE school_id IS NOT DISTINCT FROM $1 ORDER BY created_at DESC LIMIT 100`, [schoolId]);
    return rows.map((r) => this.view(r));
  }

  async cancel(actor: Actor, jobId: string): Promise<ImportJobView> {
    const row = await this.row(jobId);
    await this.authorise(actor, row.school_id);
    const job = this.running.get(jobId);
    if (job) {
      await this.pool.query(`UPDATE interop_import_jobs SET status = 'cancelled', updated_at = now() WHERE job_id = $1`, [jobId]);
      job.controller.abort();
      await job.done;
    } else if (row.status === 'queued' || row.status === 'running') {
      await this.pool.query(`UPDATE interop_import_jobs SET status = 'cancelled', updated_at = now() WHERE job_id = $1`, [jobId]);
    }
    return this.get(actor, jobId);
  }

  async resume(actor: Actor, jobId: string): Promise<ImportJobView> {
    const row = await this.row(jobId);
    await this.authorise(actor, row.school_id);
    if (!['cancelled', 'interrupted', 'failed'].includes(row.status) || this.running.has(jobId)) {
      throw new DomainError('conflict', 'IMPORT_JOB_NOT_RESUMABLE', `job ${jobId} is ${row.status}: only a cancelled, interrupted or failed job can be resumed`);
    }
    await this.pool.query(`UPDATE interop_import_jobs SET status = 'queued', error = NULL, updated_at = now() WHERE job_id = $1`, [jobId]);
    this.run(actor, jobId);
    return this.get(actor, jobId);
  }

  async remove(actor: Actor, jobId: string): Promise<void> {
    const row = await this.row(jobId);
    await this.authorise(actor, row.school_id);
    if (this.running.has(jobId)) throw new DomainError('conflict', 'IMPORT_JOB_RUNNING', `job ${jobId} is running: cancel it first`);
    await this.keys.destroySubjectKeys(jobSubject(jobId), `import job ${jobId} deleted`);
    await this.pool.query('DELETE FROM interop_import_jobs WHERE job_id = $1', [jobId]);
    await rm(row.file_path, { force: true });
  }

  /** The rejected rows, in file order, opened (their fields), for the CSV download. */
  async *rejectedRows(actor: Actor, jobId: string): AsyncGenerator<{ line: number; reason: string; fields: string[] }> {
    const row = await this.row(jobId);
    await this.authorise(actor, row.school_id);
    let after = -1;
    for (;;) {
      const { rows } = await this.pool.query('SELECT line, reason, fields FROM interop_import_rejections WHERE job_id = $1 AND line > $2 ORDER BY line, reason LIMIT 500', [jobId, after]);
      if (!rows.length) return;
      const opened = await this.cipher.openMany<string[]>(rows.map((r) => r.fields));
      for (let i = 0; i < rows.length; i++) yield { line: Number(rows[i].line), reason: rows[i].reason, fields: opened[i].doc ?? [] };
      after = Number(rows[rows.length - 1].line);
    }
  }

  /** Waits for a job started by this process to stop (tests, shutdown). */
  async settled(jobId: string): Promise<void> {
    await this.running.get(jobId)?.done;
  }

  private run(actor: Actor, jobId: string): void {
    const controller = new AbortController();
    const done = this.execute(actor, jobId, controller.signal).finally(() => this.running.delete(jobId));
    this.running.set(jobId, { controller, done });
  }

  private async execute(actor: Actor, jobId: string, signal: AbortSignal): Promise<void> {
    /** The job's own bookkeeping, retried while the database is unavailable. */
    const sql = (text: string, values: unknown[]) => retryTransient(() => this.pool.query(text, values), { maxWaitMs: JOB_RETRY_MS });
    const row = (await sql('SELECT * FROM interop_import_jobs WHERE job_id = $1', [jobId])).rows[0] as ImportJobRow;
    const options = row.options as ImportJobOptions;
    await sql(`UPDATE interop_import_jobs SET status = 'running', run_started_at = now(), run_rows = 0, updated_at = now() WHERE job_id = $1`, [jobId]);
    const subject = jobSubject(jobId);
    let pending: RejectedRow[] = [];
    const flushRejected = async () => {
      if (!pending.length) return;
      const batch = pending;
      pending = [];
      const sealed = await this.cipher.seal(batch.map((r) => personal(subject, r.fields)));
      await this.pool.query(
        `INSERT INTO interop_import_rejections (job_id, line, reason, fields) SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::jsonb[]) ON CONFLICT DO NOTHING`,
        [jobId, batch.map((r) => r.line), batch.map((r) => r.reason), sealed.map((s) => JSON.stringify(s))],
      );
    };
    const onProgress = async (p: ImportProgress) => {
      await flushRejected();
      await this.pool.query(
        `UPDATE interop_import_jobs SET rows_read = $2, rejected = (SELECT count(*) FROM interop_import_rejections WHERE job_id = $1), bytes_read = $3, run_rows = $4, updated_at = now() WHERE job_id = $1`,
        [jobId, p.rowsInFile, p.bytes, p.rows],
      );
    };
    /** Progress is saved in order, one update after the other; the last is awaited before the final one. */
    let progress = Promise.resolve();
    try {
      const summary = await this.resumingOnTransient(jobId, signal, (onBatch) => this.importer.import({
        file: row.file_path,
        as: actor.userId,
        schoolId: options.schoolId,
        createMissing: options.createMissing,
        site: options.site,
        timeZone: options.timeZone,
        year: options.year,
        moodleCourse: options.moodleCourse,
        signal,
        onProgress: (p) => {
          onBatch();
          progress = progress.then(() => onProgress(p)).catch((error) => this.logger.warn({ msg: 'import job progress not saved', jobId, error: String(error) }));
        },
        onRejected: (r) => {
          pending.push(r);
        },
      }));
      await progress;
      await flushRejected();
      const imported = Object.values(summary.counts.imported).reduce((a, b) => a + b, 0);
      const status = summary.status === 'interrupted' ? 'cancelled' : 'done';
      await sql(
        `UPDATE interop_import_jobs SET status = CASE WHEN status = 'cancelled' OR $2 = 'cancelled' THEN 'cancelled' ELSE $2 END, rows_read = $3, imported = $4,
           rejected = (SELECT count(*) FROM interop_import_rejections WHERE job_id = $1), bytes_read = CASE WHEN $2 = 'done' THEN file_size ELSE bytes_read END,
           summary = $5, updated_at = now(), finished_at = CASE WHEN $2 = 'done' THEN now() END WHERE job_id = $1`,
        [jobId, status, summary.counts.rows, imported, JSON.stringify(summary)],
      );
    } catch (error) {
      await progress;
      await flushRejected().catch(() => undefined);
      const e = error instanceof DomainError ? { code: error.code, message: error.message } : { code: 'IMPORT_FAILED', message: error instanceof Error ? error.message : String(error) };
      this.logger.warn({ msg: 'import job failed', jobId, error: e });
      // A job cancelled meanwhile stays cancelled (resumable all the same).
      await sql(`UPDATE interop_import_jobs SET status = CASE WHEN status = 'cancelled' THEN 'cancelled' ELSE 'failed' END, error = $2, updated_at = now() WHERE job_id = $1`, [jobId, JSON.stringify(e)]);
    }
  }

  /**
   * Runs the import, and again from its checkpoint after a transient database
   * error, as long as a batch got through in the last JOB_RETRY_MS (`onBatch`
   * is called after each). A cancellation or any other error ends it.
   */
  private async resumingOnTransient(jobId: string, signal: AbortSignal, run: (onBatch: () => void) => Promise<MoodleLogImportSummary>): Promise<MoodleLogImportSummary> {
    let lastBatch = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await run(() => (lastBatch = Date.now()));
      } catch (error) {
        if (signal.aborted || !isTransientDatabaseError(error) || Date.now() - lastBatch > JOB_RETRY_MS) throw error;
        this.logger.warn({ msg: 'import job: database unavailable, going on from the checkpoint', jobId, attempt, error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 100 * attempt)));
      }
    }
  }

  private async row(jobId: string): Promise<ImportJobRow> {
    const { rows } = await this.pool.query<ImportJobRow>('SELECT * FROM interop_import_jobs WHERE job_id = $1', [jobId]);
    if (!rows[0]) throw notFound(jobId);
    return rows[0];
  }

  private view(r: ImportJobRow): ImportJobView {
    const base = `/api/v1/imports/${r.job_id}`;
    const runSeconds = r.run_started_at ? (new Date(r.updated_at).getTime() - new Date(r.run_started_at).getTime()) / 1000 : 0;
    const rate = runSeconds > 0 && Number(r.run_rows) > 0 ? Number(r.run_rows) / runSeconds : null;
    const fraction = Number(r.file_size) ? Math.min(1, Number(r.bytes_read) / Number(r.file_size)) : 0;
    const eta = r.status === 'running' && runSeconds > 0 && fraction > 0 ? Math.round((runSeconds * (1 - fraction)) / fraction) : null;
    return {
      jobId: r.job_id,
      kind: r.kind,
      schoolId: r.school_id,
      fileName: r.file_name,
      fileSize: Number(r.file_size),
      status: r.status,
      rowsRead: Number(r.rows_read),
      imported: Number(r.imported),
      rejected: Number(r.rejected),
      rowsPerSecond: rate === null ? null : Math.round(rate),
      etaSeconds: eta,
      percent: Math.round(fraction * 1000) / 10,
      summary: r.summary ?? null,
      error: r.error ?? null,
      createdAt: new Date(r.created_at).toISOString(),
      updatedAt: new Date(r.updated_at).toISOString(),
      finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
      links: { self: base, rejected: `${base}/rejected`, cancel: `${base}/cancel`, resume: `${base}/resume` },
    };
  }
}
