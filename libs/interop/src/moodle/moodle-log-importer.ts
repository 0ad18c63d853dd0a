/**
 * Imports Moodle logs as Moodle users have them (log-files.ts reads the file):
 *
 *   formats    the Logs report download (report-log.ts: CSV with any of
 *              Moodle's delimiters and line endings, .xlsx, .ods, JSON) or a dump of
 *              the logstore_standard_log table (moodle-log.ts);
 *   identity   a row is its Moodle log id when the file has one, else the
 *              SHA-256 of its content (the n-th row with that content): the
 *              event id derives from it, never from the row's position, so a
 *              newer export of the same log (newest first, overlapping the
 *              old one) appends only its new rows, and a re-run appends nothing;
 *   time       each event's occurredAt is the row's time (report times read
 *              in the site's time zone, a missing year from the option);
 *   batches    `batchSize` rows at a time: their Moodle ids resolved in one
 *              go (id map, then placeholders with --create-missing), mapped to
 *              events, their personal data sealed in one call, appended in one
 *              atomic append (on PostgreSQL through the group-commit batcher,
 *              events already in the log skipped), then the checkpoint moved;
 *              pipelined: a batch is mapped while the one before it is
 *              appended, and the one after it parsed (commits and checkpoints
 *              stay in file order);
 *   people     placeholders join the school from the time of their first row
 *              in the file (a pre-pass finds it, keeping the records it read
 *              for the import: the file is parsed once), so historic activity counts
 *              under their role and school on the day it happened; those the
 *              log shows teaching (teaching.ts) join as teachers and become
 *              staff of the courses they taught;
 *   resume     a file is known by the SHA-256 of its first MB: a second run
 *              skips the records its checkpoint says are done; a finished
 *              file appends nothing;
 *   rejected   every row not imported is counted by reason and handed to
 *              `onRejected` with its line and fields.
 *
 * It runs as a user (importer-actor.ts) whom the access policy allows to
 * manage the target school (school.manage), or, without a school, a platform
 * admin (ops).
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { AccessPolicy, ForbiddenError } from '@learnstream/access';
import { PG_POOL } from '@learnstream/core/headless';
import { loadSchool } from '@learnstream/affiliations/headless';
import { retryTransient } from '@learnstream/database';
import { DomainError, Clock } from '@learnstream/domain';
import { AppendBatcher, EventLog, EventRegistry, EventStoreError, PostgresEventStore, type BatchedAppendResult, type NewEvent } from '@learnstream/event-store';
import { PersonalDataCipher, SealedRequests } from '@learnstream/personal-data';
import { IdMap, type IdKind, type IdMapEntry } from './id-map';
import { emptyCounts, fileKeyOf, ImportCheckpoints, type ImportCounts } from './import-checkpoints';
import { ImporterActor } from './importer-actor';
import { formatOf, isUtf8File, readLogFile, readLogFileChunks, RecordReplay, type TableRecord } from './log-files';
import { EMPTY_MAPPING, SITE, type MappingFile } from './mapping-file';
import { columnsOf, moduleNameOf, parseRow, planLogRow, referencedIds, SITE_COURSE, type Columns, type IdLookup, type ImportContext, type MoodleLogRow, type RowResult } from './moodle-log';
import { Placeholders, type PlaceholderContext } from './placeholders';
import { teachingEvidence, TeachingEvidenceLog } from './teaching';
import { isReportLogHeader, nameCourseId, nameUserId, parseReportRow, validTimeZone, YearFollower } from './report-log';
import type pg from 'pg';

export interface MoodleLogImportOptions {
  file: string;
  mapping?: MappingFile;
  /** The school placeholders join and rows without a course belong to. */
  schoolId?: string | null;
  createMissing?: boolean;
  /** Moodle site name (id map key): the option, else the mapping's, else "moodle". */
  site?: string;
  /** Run as this user (default: the first platform admin). */
  as?: string;
  /** Forget the file's checkpoint and read it from the start (what is in the log already is skipped). */
  restart?: boolean;
  /** Rows per append (default 500). */
  batchSize?: number;
  /** The Logs report: the site's time zone (IANA name, default UTC). */
  timeZone?: string;
  /** The Logs report: the year of the first row when the times have none (default: this year). */
  year?: number;
  /** The Logs report: the Moodle course it was downloaded for (rows whose description names no course). */
  moodleCourse?: number;
  /** Stops after the batch in progress; the checkpoint says where to resume. */
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
  /** Each row not imported, with why. */
  onRejected?: (rejected: RejectedRow) => void | Promise<void>;
}

export interface RejectedRow {
  line: number;
  reason: string;
  fields: string[];
}

export interface ImportProgress {
  /** Rows read by this run. */
  rows: number;
  /** Rows of the file read so far (those of earlier runs included). */
  rowsInFile: number;
  /** Events appended by this run. */
  appended: number;
  /** Rows rejected by this run. */
  rejected: number;
  /** Bytes of the file read so far. */
  bytes: number;
  totalBytes: number;
  /** Where this run started (a resumed run starts past 0). */
  startedAtByte: number;
  elapsedMs: number;
}

export interface MoodleLogImportSummary {
  file: string;
  fileKey: string;
  site: string;
  format: 'standard_log' | 'report_log';
  status: 'done' | 'interrupted' | 'already_imported';
  /** Where this run started, when it resumed an earlier one: the data rows already done. */
  resumedFrom: { rows: number } | null;
  thisRun: { rows: number; appended: number; elapsedMs: number };
  /** The whole file, over every run. */
  counts: ImportCounts;
}

const KIND = 'moodle-logs';
const DEFAULT_SITE_URL = 'https://moodle.invalid';
/** How long a batch is retried while the database is unavailable. */
const IMPORT_RETRY_MS = 60_000;
/**
 * Rows per batch: three batches are in the pipeline, and what they hold is what the scavenger copies and promotes.
 * bench:import at load 15-18: 1,000 rows 194 MiB and 17.8 s of CPU, 500 rows 184 MiB and 15.8 s, 250 rows 186 MiB and 15.7 s.
 */
const DEFAULT_BATCH_SIZE = 500;

/**
 * Most characters of a file's fields the pre-pass keeps for the import to read again (RecordReplay): 32 M (a
 * 100,000-row logstore_standard_log file holds about 14 M). A larger file is read from disk twice.
 */
const REPLAY_MAX_CHARS = 32 * 1024 * 1024;

type Cache<T> = Map<number, T | null>;

/** A row read from the file, with what it became. */
interface ReadRow {
  record: TableRecord;
  result: RowResult | { skip: 'unreadable_record' };
}

/**
 * The options' own rules, before any file is read: the HTTP import checks them
 * before it takes the upload (an unknown time zone was a 202 and a job that failed).
 */
export function checkImportOptions(options: { site?: string; schoolId?: string | null; createMissing?: boolean; timeZone?: string; year?: number }): void {
  if (options.site !== undefined && !SITE.test(options.site)) throw new DomainError('invalid', 'VALIDATION_FAILED', 'the site must be 1 to 40 lower-case letters, digits, - or _, starting with a letter');
  if (options.createMissing && !options.schoolId) throw new DomainError('invalid', 'VALIDATION_FAILED', '--create-missing needs --school: placeholder accounts and courses belong to a school');
  if (options.timeZone !== undefined && !validTimeZone(options.timeZone)) throw new DomainError('invalid', 'VALIDATION_FAILED', `unknown time zone ${options.timeZone} (an IANA name such as Asia/Bangkok)`);
  const { year } = options;
  if (year !== undefined && (!Number.isInteger(year) || year < 1970 || year > 9999)) throw new DomainError('invalid', 'VALIDATION_FAILED', 'the year must be a whole number from 1970 to 9999');
}

@Injectable()
export class MoodleLogImporter {
  constructor(
    private readonly clock: Clock,
    private readonly log: EventLog,
    private readonly policy: AccessPolicy,
    private readonly ids: IdMap,
    private readonly checkpoints: ImportCheckpoints,
    private readonly placeholders: Placeholders,
    private readonly importers: ImporterActor,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    private readonly cipher: PersonalDataCipher,
    registry: EventRegistry,
  ) {
    const store = log.store;
    this.batched = store instanceof PostgresEventStore ? new EventLog(new AppendBatcher(pool, store, { duplicates: 'skip', maxBatchEvents: 20_000, queueMaxEvents: 100_000 }), cipher, registry) : null;
  }

  /** The log over the group-commit batcher (PostgreSQL only): null elsewhere. */
  private readonly batched: EventLog | null;

  async import(options: MoodleLogImportOptions): Promise<MoodleLogImportSummary> {
    const started = Date.now();
    const mapping = options.mapping ?? EMPTY_MAPPING;
    const site = options.site ?? mapping.site ?? 'moodle';
    const schoolId = options.schoolId?.toLowerCase() ?? null;
    const timeZone = options.timeZone ?? 'UTC';
    const year = options.year ?? this.clock.now().getUTCFullYear();
    checkImportOptions({ site, schoolId, createMissing: options.createMissing, timeZone, year });

    const importer = await this.importers.resolve(options.as);
    if (schoolId && !(await loadSchool(this.log, schoolId))) throw new DomainError('invalid', 'UNKNOWN_SCHOOL', `no school ${schoolId}`);
    const allowed = schoolId ? await this.policy.can(importer, { action: 'school.manage', schoolId }) : await this.policy.can(importer, { action: 'ops' });
    if (!allowed) throw new ForbiddenError(schoolId ? `you may not import into school ${schoolId}: only its admins and platform admins may` : 'only a platform admin may import without --school');

    const file = options.file;
    const size = (await stat(file)).size;
    const fileKey = await fileKeyOf(file);
    const fileName = basename(file);

    // The header says which export this is. The file is read up to three times (header, pre-pass, import: the import
    // reads what the pre-pass kept instead, when it could keep it all): whether it is UTF-8 throughout is found once.
    const utf8 = (await formatOf(file)) === 'csv' && (await isUtf8File(file));
    const reader = readLogFile(file, { utf8 });
    const first = await reader.next();
    await reader.return(undefined);
    if (first.done) throw new DomainError('invalid', 'IMPORT_INVALID', `${fileName} is empty`);
    const header = first.value.fields.map((f) => f.trim().toLowerCase());
    const columns: Columns = new Map();
    header.forEach((name, i) => name && !columns.has(name) && columns.set(name, i));
    const report = isReportLogHeader(columns);
    if (!report) {
      const standard = columnsOf(header);
      if ('problems' in standard) {
        throw new DomainError('invalid', 'IMPORT_INVALID', `${standard.problems.join('; ')}, or the Logs report's (Time, User full name, Affected user, Event context, Component, Event name, Description, Origin, IP address)`);
      }
    }
    await this.recordMapping(site, mapping, schoolId);

    if (options.restart) await this.checkpoints.reset(fileKey);
    const checkpoint = await this.checkpoints.get(fileKey);
    const format = report ? 'report_log' : 'standard_log';
    if (checkpoint?.status === 'done' && checkpoint.fileSize === size) {
      return { file, fileKey, site, format, status: 'already_imported', resumedFrom: { rows: checkpoint.line }, thisRun: { rows: 0, appended: 0, elapsedMs: Date.now() - started }, counts: checkpoint.counts };
    }
    const resumedFrom = checkpoint ? { rows: checkpoint.line } : null;

    const courseNames = new Map(Object.keys(mapping.courseNames).map((n) => [n.trim().toLowerCase(), nameCourseId(n)]));
    const reportOptions = { timeZone, course: options.moodleCourse ?? null, courseByName: (n: string) => courseNames.get(n.trim().toLowerCase()) ?? null };
    /** Reads the file's data rows with their identity (the n-th row of the same content). */
    const contentIdentity = (fields: string[], seen: Map<string, number>) => this.contentIdentity(fields, seen);
    /**
     * Several rows at a time (readLogFileChunks). `light`: without the `other` column and the content identity (what the
     * pre-pass reads: ids and times), its records kept in `replay`; the import then reads them from there if it holds them all.
     */
    async function* rows(light: boolean, replay: RecordReplay): AsyncGenerator<ReadRow[]> {
      const years = new YearFollower(year, timeZone);
      const seen = new Map<string, number>();
      const rowOptions = { withOther: !light };
      let isHeader = true;
      const source = !light && replay.complete ? replay.replay() : readLogFileChunks(file, { utf8 });
      for await (const records of source) {
        if (light) replay.keep(records);
        const chunk: ReadRow[] = [];
        for (const record of records) {
          if (isHeader) {
            isHeader = false;
            continue;
          }
          if (record.error) {
            chunk.push({ record, result: { skip: 'unreadable_record' } });
            continue;
          }
          const result = report ? parseReportRow(record, columns, record.line, { ...reportOptions, years }) : parseRow(record, columns, record.line, rowOptions);
          if (!light && 'row' in result && !result.row.identity) result.row.identity = contentIdentity(record.fields, seen);
          chunk.push({ record, result });
        }
        if (chunk.length) yield chunk;
      }
      if (light) replay.end();
    }

    // Pre-pass: when each person first appears, so that a placeholder is a member from then on, and who taught which course.
    const firstSeen = new Map<number, number>();
    const teaching = new TeachingEvidenceLog();
    // What the pre-pass read, for the import to read again without the file (none without a pre-pass, or past the limit).
    const replay = new RecordReplay(options.createMissing ? REPLAY_MAX_CHARS : 0);
    if (options.createMissing) {
      for await (const chunk of rows(true, replay)) {
        for (const { result } of chunk) {
          if (!('row' in result)) continue;
          for (const id of referencedIds(result.row).users) if (!(firstSeen.get(id)! <= result.row.timecreated)) firstSeen.set(id, result.row.timecreated);
          teaching.add(teachingEvidence(result.row));
        }
      }
    }

    const ctx: ImportContext = { site, fileKey, schoolId, correlationId: `moodle-import:${fileKey.slice(0, 16)}` };
    const placeholderCtx: PlaceholderContext = { importer, site, siteUrl: mapping.siteUrl ?? DEFAULT_SITE_URL, correlationId: ctx.correlationId, schools: new Map(), firstSeen, teaching };
    const counts = checkpoint?.counts ?? emptyCounts();
    const skipRows = checkpoint?.line ?? 0;
    const caches = { users: new Map() as Cache<string>, courses: new Map() as Cache<{ courseId: string; schoolId: string | null }>, modules: new Map() as Cache<{ resourceId: string; sectionId: string; courseId: string }> };
    const run = { rows: 0, appended: 0, rejected: 0, bytes: 0, startBytes: 0 };
    let done = skipRows;
    /** Saves where the import is: `at` the rows, bytes and counts of the last batch whose events are committed. */
    const save = (status: 'running' | 'interrupted' | 'done', at: { line: number; bytes: number; counts: ImportCounts } = { line: done, bytes: run.bytes, counts }) =>
      this.checkpoints.save({ fileKey, kind: KIND, site, fileName, fileSize: size, byteOffset: at.bytes, line: at.line, status, counts: at.counts });
    const progress = () =>
      options.onProgress?.({ rows: run.rows, rowsInFile: done, appended: run.appended, rejected: run.rejected, bytes: run.bytes, totalBytes: size, startedAtByte: run.startBytes, elapsedMs: Date.now() - started });
    const reject = async (record: TableRecord, reason: string) => {
      run.rejected++;
      await options.onRejected?.({ line: record.line, reason, fields: record.fields });
    };

    await save('running');
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    // A pipeline of four batches: while one is sealed and appended (then its checkpoint saved) and the next waits its
    // turn, the one after is resolved and mapped, and the one after that read and parsed. The import would otherwise
    // wait on the database about a third of the time. Batches are committed, and the checkpoint moved, in file order,
    // one at a time.
    const reading = rows(false, replay)[Symbol.asyncIterator]();
    let index = 0;
    /** The chunk being taken apart into batches, and where in it. */
    let chunk: ReadRow[] = [];
    let taken = 0;
    const readBatch = async (): Promise<ReadRow[]> => {
      const batch: ReadRow[] = [];
      while (batch.length < batchSize) {
        if (taken === chunk.length) {
          const next = await reading.next();
          if (next.done) break;
          [chunk, taken] = [next.value, 0];
        }
        const row = chunk[taken++];
        if (index++ < skipRows) run.startBytes = run.bytes = row.record.bytes;
        else batch.push(row);
      }
      return batch;
    };
    type Position = { line: number; bytes: number; counts: ImportCounts };
    type Prepared = { byStream: Map<string, NewEvent[]>; rows: number; rejected: { record: TableRecord; reason: string }[]; at: Position };
    /** Where the last committed batch left the file (what an interrupted run reports and saves). */
    let committed: Position = { line: skipRows, bytes: run.bytes, counts: structuredClone(counts) };
    // A person's IP repeats from batch to batch: sealed once under their key of the month for the whole run.
    const sealedRequests = new SealedRequests();
    /**
     * Appends a prepared batch, hands its rejected rows on, then saves the checkpoint with the counts as they were
     * when it was prepared: a batch prepared and not committed (a stop) leaves no trace in either.
     */
    const commit = async ({ byStream, rows: rowsRead, rejected, at }: Prepared) => {
      const { appended, duplicates } = byStream.size ? await this.append(byStream, sealedRequests) : { appended: 0, duplicates: 0 };
      // Appended by a run that stopped before its checkpoint: still this file's, still counted as imported.
      counts.alreadyInLog += duplicates;
      at.counts.alreadyInLog += duplicates;
      for (const r of rejected) await reject(r.record, r.reason);
      run.appended += appended;
      run.rows += rowsRead;
      done = at.line;
      run.bytes = at.bytes;
      await retryTransient(() => save('running', at), { maxWaitMs: IMPORT_RETRY_MS });
      committed = at;
      progress();
    };
    /** The last commit queued, and the one before it: at most two are outstanding (one appending, one waiting its turn). */
    let committing: Promise<void> = Promise.resolve();
    let previous: Promise<void> = Promise.resolve();
    let preparedRows = skipRows;
    let interrupted = false;
    let ahead = readBatch();
    try {
      for (let batch = await ahead; batch.length; batch = await ahead) {
        if (options.signal?.aborted) {
          interrupted = true;
          break;
        }
        ahead = readBatch();
        const rejected: Prepared['rejected'] = [];
        const byStream = await this.prepareBatch(batch, ctx, placeholderCtx, schoolId, options.createMissing ?? false, caches, counts, async (record, reason) => void rejected.push({ record, reason }));
        preparedRows += batch.length;
        const prepared: Prepared = { byStream, rows: batch.length, rejected, at: { line: preparedRows, bytes: batch[batch.length - 1].record.bytes, counts: structuredClone(counts) } };
        // The batch before the last may still be appending: this one waits its turn behind the last, so the next is
        // read and mapped while the database works (bench:import waited on it about a quarter of the time).
        await previous;
        if (options.signal?.aborted) {
          interrupted = true;
          break;
        }
        previous = committing;
        // Stopped while the batches before were committed: this one goes no further (the next run maps it again).
        committing = committing.then(() => (options.signal?.aborted ? void (interrupted = true) : commit(prepared)));
        // Awaited at the next batches or after the loop; until then a failure must not count as unhandled.
        committing.catch(() => undefined);
      }
      await committing;
    } finally {
      // Stopped early (interrupted, or a batch failed): the read-ahead is settled and the file closed.
      await committing.catch(() => undefined);
      await ahead.catch(() => undefined);
      await reading.return(undefined);
    }
    let status: 'done' | 'interrupted' = 'done';
    let final = counts;
    if (interrupted) {
      status = 'interrupted';
      // The counts of what was committed; placeholders made for a batch not committed exist all the same.
      final = { ...committed.counts, created: counts.created };
      await save(status, { ...committed, counts: final });
    } else {
      await this.assignTeachers(ctx.site, schoolId, placeholderCtx, teaching, counts);
      run.bytes = size;
      await save(status);
    }
    progress();
    return { file, fileKey, site, format, status, resumedFrom, thisRun: { rows: run.rows, appended: run.appended, elapsedMs: Date.now() - started }, counts: final };
  }

  /**
   * Placeholder people the log shows teaching a course become its staff (teacher or non-editing teacher) from their
   * first evidence (teaching.ts); people the mapping named keep the roles they have. Idempotent: a re-run assigns nothing.
   */
  private async assignTeachers(site: string, schoolId: string | null, ctx: PlaceholderContext, teaching: TeachingEvidenceLog, counts: ImportCounts): Promise<void> {
    const evidence = [...teaching.entries()];
    if (!evidence.length) return;
    const users = await this.ids.lookup(site, 'user', [...new Set(evidence.map((e) => String(e.userId)))]);
    const courses = await this.ids.lookup(site, 'course', [...new Set(evidence.map((e) => String(e.courseId)))]);
    // As for the rows (prepareBatch): the site's id map never leads an import into one school to another school's course or person.
    const foreign = new Set([...(await this.ofOtherSchools(schoolId, 'user', [...users.values()])), ...(await this.ofOtherSchools(schoolId, 'course', [...courses.values()]))]);
    for (const e of evidence) {
      const user = users.get(String(e.userId));
      const course = courses.get(String(e.courseId));
      if (!user?.created || !course || foreign.has(user.learnstreamId) || foreign.has(course.learnstreamId)) continue;
      const assigned = await this.placeholders.courseTeacher(ctx, course.learnstreamId, user.learnstreamId, e.role, new Date(e.at * 1000).toISOString());
      if (assigned) counts.created.staff = (counts.created.staff ?? 0) + 1;
    }
  }

  /** `row:<SHA-256 of the fields>:<n>`: the n-th row of the file with this content. */
  private contentIdentity(fields: string[], seen: Map<string, number>): string {
    const hash = createHash('sha256').update(fields.map((f) => f.trim()).join('\u001f')).digest('base64url');
    const n = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, n);
    return `row:${hash}:${n}`;
  }

  /**
   * Of the id map's entries, the Learnstream ids an import into `schoolId` may not resolve to: another school's course,
   * a resource of one, a person who never was a member of the school. The id map is per Moodle site, and two schools
   * may name the same site (by default `moodle`): an import into one school never writes on another's courses or people.
   * An import without a school (the platform's) resolves every entry.
   */
  private async ofOtherSchools(schoolId: string | null, kind: IdKind, entries: IdMapEntry[]): Promise<Set<string>> {
    if (schoolId === null || entries.length === 0) return new Set();
    const ids = entries.map((e) => (kind === 'course_module' ? e.courseId ?? e.learnstreamId : e.learnstreamId));
    const { rows } = await this.pool.query<{ id: string }>(
      kind === 'user'
        ? `SELECT id FROM unnest($2::uuid[]) AS id WHERE NOT EXISTS (SELECT 1 FROM school_memberships m WHERE m.user_id = id AND m.school_id = $1)`
        : `SELECT c.course_id AS id FROM courses c WHERE c.course_id = ANY ($2::uuid[]) AND c.school_id IS NOT NULL AND c.school_id <> $1`,
      [schoolId, ids],
    );
    const foreign = new Set(rows.map((r) => r.id));
    return new Set(entries.filter((e, i) => foreign.has(ids[i])).map((e) => e.learnstreamId));
  }

  /** Checks a mapping file's ids against the read models and records them in the id map. */
  private async recordMapping(site: string, mapping: MappingFile, schoolId: string | null): Promise<void> {
    const problems: string[] = [];
    const entries: IdMapEntry[] = [];
    const people = [...Object.entries(mapping.users).map(([id, userId]) => [`users.${id}`, id, userId]), ...Object.entries(mapping.people).map(([name, userId]) => [`people["${name}"]`, String(nameUserId(name)), userId])];
    for (const [where, externalId, userId] of people) {
      if (!(await this.policy.person(userId)).exists) problems.push(`${where}: no account ${userId}`);
      else entries.push({ kind: 'user', externalId, learnstreamId: userId, created: false });
    }
    const courses = [...Object.entries(mapping.courses), ...Object.entries(mapping.courseNames).map(([name, id]) => [String(nameCourseId(name)), id])];
    for (const [moodleId, courseId] of courses) {
      const course = await this.policy.course(courseId);
      if (!course.exists) problems.push(`courses.${moodleId}: no course ${courseId}`);
      else if (schoolId && course.schoolId !== null && course.schoolId !== schoolId) problems.push(`courses.${moodleId}: course ${courseId} belongs to another school`);
      else entries.push({ kind: 'course', externalId: moodleId, learnstreamId: courseId, created: false });
    }
    const moduleIds = Object.values(mapping.modules);
    if (moduleIds.length) {
      const { rows } = await this.pool.query('SELECT resource_id, course_id, section_id FROM course_resources WHERE resource_id = ANY ($1)', [moduleIds]);
      const resources = new Map<string, { course_id: string; section_id: string }>(rows.map((r: { resource_id: string; course_id: string; section_id: string }) => [r.resource_id, r]));
      for (const [cmId, resourceId] of Object.entries(mapping.modules)) {
        const r = resources.get(resourceId);
        if (!r) problems.push(`modules.${cmId}: no resource ${resourceId}`);
        else entries.push({ kind: 'course_module', externalId: cmId, learnstreamId: resourceId, courseId: r.course_id, sectionId: r.section_id, created: false });
      }
    }
    if (problems.length) throw new DomainError('invalid', 'MAPPING_INVALID', `the mapping names what does not exist: ${problems.slice(0, 5).join('; ')}`, problems);
    await this.ids.record(site, entries);
  }

  /** One batch: its Moodle ids resolved (placeholders made), its rows mapped to events by stream; counts and rejects them. */
  private async prepareBatch(
    batch: ReadRow[],
    ctx: ImportContext,
    placeholderCtx: PlaceholderContext,
    schoolId: string | null,
    createMissing: boolean,
    caches: { users: Cache<string>; courses: Cache<{ courseId: string; schoolId: string | null }>; modules: Cache<{ resourceId: string; sectionId: string; courseId: string }> },
    counts: ImportCounts,
    reject: (record: TableRecord, reason: string) => Promise<void>,
  ): Promise<Map<string, NewEvent[]>> {
    const bump = (map: Record<string, number>, key: string, n = 1) => (map[key] = (map[key] ?? 0) + n);
    const rows: MoodleLogRow[] = [];
    const records = new Map<MoodleLogRow, TableRecord>();
    for (const { record, result } of batch) {
      counts.rows++;
      if ('skip' in result) {
        bump(counts.skipped, result.skip);
        await reject(record, result.skip);
      } else {
        rows.push(result.row);
        records.set(result.row, record);
      }
    }

    // Resolve the Moodle ids of the batch: the id map first, then placeholders.
    const users = new Set<number>();
    const courses = new Set<number>();
    const modules = new Map<number, { courseid: number; module: string }>();
    for (const row of rows) {
      const refs = referencedIds(row);
      refs.users.forEach((id) => users.add(id));
      refs.courses.forEach((id) => courses.add(id));
      for (const cm of refs.modules) modules.set(cm, { courseid: row.courseid!, module: moduleNameOf(row.eventname) ?? 'resource' });
    }
    const created: IdMapEntry[] = [];
    const resolve = async <T>(
      kind: 'user' | 'course' | 'course_module',
      wanted: number[],
      cache: Cache<T>,
      toValue: (e: IdMapEntry) => Promise<T>,
      create: (id: number) => Promise<{ value: T; entry: IdMapEntry } | null>,
      /** Creates the missing ones together first, when that is cheaper than one by one. */
      createAll?: (ids: number[]) => Promise<void>,
    ) => {
      const unknown = wanted.filter((id) => !cache.has(id));
      const found = await this.ids.lookup(ctx.site, kind, unknown.map(String));
      if (createMissing && createAll) await createAll(unknown.filter((id) => !found.has(String(id))));
      const foreign = await this.ofOtherSchools(schoolId, kind, [...found.values()]);
      for (const id of unknown) {
        const entry = found.get(String(id));
        if (entry && foreign.has(entry.learnstreamId)) {
          // The site's id map points at another school's course or person: never resolved, never replaced by a placeholder.
          cache.set(id, null);
          bump(counts.notes, 'id_of_another_school');
          continue;
        }
        if (entry) {
          cache.set(id, await toValue(entry));
          continue;
        }
        const made = createMissing ? await create(id) : null;
        cache.set(id, made ? made.value : null);
        if (made) created.push(made.entry);
      }
      // Recorded before what depends on them (a module needs its course).
      await this.ids.record(ctx.site, created.splice(0));
    };
    let madeUsers = new Map<number, string>();
    await resolve(
      'user',
      [...users],
      caches.users,
      async (e) => e.learnstreamId,
      async (id) => {
        const userId = madeUsers.get(id) ?? (await this.placeholders.account(placeholderCtx, id, schoolId!));
        counts.created.users++;
        return { value: userId, entry: { kind: 'user', externalId: String(id), learnstreamId: userId, created: true } };
      },
      async (ids) => void (madeUsers = await this.placeholders.accounts(placeholderCtx, ids, schoolId!)),
    );
    // Placeholder courses in parallel (each its own stream), then their modules: a course's one after another, the courses in parallel.
    const madeCourses = new Map<number, Promise<{ courseId: string; schoolId: string | null }>>();
    await resolve(
      'course',
      [...courses],
      caches.courses,
      async (e) => ({ courseId: e.learnstreamId, schoolId: await this.placeholders.schoolOfCourse(e.learnstreamId) }),
      async (id) => {
        if (id === SITE_COURSE) return null;
        const course = await (madeCourses.get(id) ?? this.placeholders.course(placeholderCtx, id, schoolId));
        counts.created.courses++;
        return { value: course, entry: { kind: 'course', externalId: String(id), learnstreamId: course.courseId, created: true } };
      },
      async (ids) => {
        for (const id of ids) if (id !== SITE_COURSE) madeCourses.set(id, this.placeholders.course(placeholderCtx, id, schoolId));
        await Promise.all(madeCourses.values());
      },
    );
    const madeModules = new Map<number, Promise<{ resourceId: string; sectionId: string }>>();
    await resolve(
      'course_module',
      [...modules.keys()],
      caches.modules,
      async (e) => ({ resourceId: e.learnstreamId, sectionId: e.sectionId!, courseId: e.courseId! }),
      async (cm) => {
        const { courseid, module } = modules.get(cm)!;
        const course = caches.courses.get(courseid);
        if (!course) return null;
        const made = await (madeModules.get(cm) ?? this.placeholders.resource(placeholderCtx, cm, module, course.courseId));
        counts.created.resources++;
        return { value: { ...made, courseId: course.courseId }, entry: { kind: 'course_module', externalId: String(cm), learnstreamId: made.resourceId, courseId: course.courseId, sectionId: made.sectionId, created: true } };
      },
      async (cms) => {
        const byCourse = new Map<string, number[]>();
        for (const cm of cms) {
          const course = caches.courses.get(modules.get(cm)!.courseid);
          if (course) byCourse.set(course.courseId, [...(byCourse.get(course.courseId) ?? []), cm]);
        }
        await Promise.all(
          [...byCourse].map(async ([courseId, list]) => {
            for (const cm of list) {
              const made = this.placeholders.resource(placeholderCtx, cm, modules.get(cm)!.module, courseId);
              madeModules.set(cm, made);
              await made;
            }
          }),
        );
      },
    );

    const lookup: IdLookup = {
      user: (id) => caches.users.get(id) ?? undefined,
      course: (id) => caches.courses.get(id) ?? undefined,
      module: (id) => caches.modules.get(id) ?? undefined,
    };
    const byStream = new Map<string, NewEvent[]>();
    for (const row of rows) {
      const planned = planLogRow(row, lookup, ctx);
      if ('skip' in planned) {
        bump(counts.skipped, planned.skip);
        await reject(records.get(row)!, planned.skip);
        continue;
      }
      for (const note of planned.notes) bump(counts.notes, note);
      bump(counts.imported, planned.event.type);
      const events = byStream.get(planned.streamId) ?? [];
      events.push(planned.event);
      byStream.set(planned.streamId, events);
    }
    return byStream;
  }

  /**
   * One atomic append. On PostgreSQL it goes through the group-commit batcher
   * (the streams of a batch move on in one statement; events already in their
   * stream are skipped and reported); elsewhere, when some events are in the
   * log already (a batch tried again), event by event, skipping those.
   */
  private async append(byStream: Map<string, NewEvent[]>, sealedRequests: SealedRequests): Promise<{ appended: number; duplicates: number }> {
    const requests = [...byStream].map(([streamId, events]) => ({ streamId, events, expectedRevision: 'any' as const }));
    const total = requests.reduce((n, r) => n + r.events.length, 0);
    if (this.batched) {
      // Idempotent ('skip': ids already in their stream are left out), so tried again while the database is
      // unavailable; past a minute the import stops, resumable from its checkpoint.
      const results = (await retryTransient(() => this.batched!.appendBatch(requests, { sealedRequests }), { maxWaitMs: IMPORT_RETRY_MS })) as BatchedAppendResult[];
      const duplicates = results.reduce((n, r) => n + r.duplicates.length, 0);
      return { appended: total - duplicates, duplicates };
    }
    try {
      await this.log.appendBatch(requests, { sealedRequests });
      return { appended: total, duplicates: 0 };
    } catch (error) {
      if (!(error instanceof EventStoreError) || error.code !== 'DUPLICATE_EVENT_ID') throw error;
    }
    let appended = 0;
    let duplicates = 0;
    for (const { streamId, events } of requests) {
      for (const event of events) {
        try {
          await this.log.append(streamId, [event]);
          appended++;
        } catch (error) {
          if (!(error instanceof EventStoreError) || error.code !== 'DUPLICATE_EVENT_ID') throw error;
          duplicates++;
        }
      }
    }
    return { appended, duplicates };
  }
}
