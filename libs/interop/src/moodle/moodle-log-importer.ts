/**
 * Imports a CSV export of Moodle's standard log (logstore_standard_log):
 *
 *   stream     the file is read record by record from a byte offset
 *              (csv-reader.ts): memory does not grow with the file;
 *   batches    `batchSize` rows at a time: their Moodle ids resolved in one
 *              go (id map, then placeholders with --create-missing), mapped to
 *              events (moodle-log.ts), their personal data sealed in one call,
 *              appended in one atomic append over the streams involved (on
 *              PostgreSQL through the group-commit batcher: one statement for
 *              all of them), then the checkpoint moved past them;
 *   resume     a file is known by the SHA-256 of its first MB: a second run
 *              starts at the checkpoint's byte offset and line; a finished file
 *              appends nothing. A log that grew since (same first MB) goes on
 *              from where the last run ended;
 *   idempotent event ids are uuidV5(file key, line): a batch tried again
 *              after a crash finds its events already in the log and skips them.
 *
 * It runs as a user (importer-actor.ts) whom the access policy allows to
 * manage the target school (school.manage), or, without a school, a platform
 * admin (ops).
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { AccessPolicy, ForbiddenError } from '@learnstream/access';
import { PG_POOL } from '@learnstream/core';
import { loadSchool } from '@learnstream/affiliations';
import { DomainError } from '@learnstream/domain';
import { AppendBatcher, EventLog, EventRegistry, EventStoreError, PostgresEventStore, type BatchedAppendResult, type NewEvent } from '@learnstream/event-store';
import { PersonalDataCipher } from '@learnstream/personal-data';
import { detectDelimiter, readCsvRecords, readFirstLine, type CsvRecord } from './csv-reader';
import { IdMap, type IdMapEntry } from './id-map';
import { emptyCounts, fileKeyOf, ImportCheckpoints, type ImportCounts } from './import-checkpoints';
import { ImporterActor } from './importer-actor';
import { EMPTY_MAPPING, SITE, type MappingFile } from './mapping-file';
import { columnsOf, moduleNameOf, parseRow, planLogRow, referencedIds, SITE_COURSE, type Columns, type IdLookup, type ImportContext, type MoodleLogRow } from './moodle-log';
import { Placeholders, type PlaceholderContext } from './placeholders';
import { decodeField } from './text';
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
  /** Rows per append (default 2000). */
  batchSize?: number;
  /** Stops after the batch in progress; the checkpoint says where to resume. */
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportProgress {
  /** Rows read by this run. */
  rows: number;
  /** Byte offset reached in the file. */
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
  status: 'done' | 'interrupted' | 'already_imported';
  /** Where this run started, when it resumed an earlier one. */
  resumedFrom: { byteOffset: number; line: number } | null;
  thisRun: { rows: number; appended: number; elapsedMs: number };
  /** The whole file, over every run. */
  counts: ImportCounts;
}

const KIND = 'moodle-logs';
const DEFAULT_SITE_URL = 'https://moodle.invalid';

type Cache<T> = Map<number, T | null>;

@Injectable()
export class MoodleLogImporter {
  constructor(
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
    if (!SITE.test(site)) throw new DomainError('invalid', 'VALIDATION_FAILED', 'the site must be 1 to 40 lower-case letters, digits, - or _, starting with a letter');
    const schoolId = options.schoolId?.toLowerCase() ?? null;
    if (options.createMissing && !schoolId) throw new DomainError('invalid', 'VALIDATION_FAILED', '--create-missing needs --school: placeholder accounts and courses belong to a school');

    const importer = await this.importers.resolve(options.as);
    if (schoolId && !(await loadSchool(this.log, schoolId))) throw new DomainError('invalid', 'UNKNOWN_SCHOOL', `no school ${schoolId}`);
    const allowed = schoolId ? await this.policy.can(importer, { action: 'school.manage', schoolId }) : await this.policy.can(importer, { action: 'ops' });
    if (!allowed) throw new ForbiddenError(schoolId ? `you may not import into school ${schoolId}: only its admins and platform admins may` : 'only a platform admin may import without --school');
    await this.recordMapping(site, mapping, schoolId);

    const file = options.file;
    const size = (await stat(file)).size;
    const fileKey = await fileKeyOf(file);
    const fileName = basename(file);
    if (options.restart) await this.checkpoints.reset(fileKey);
    const checkpoint = await this.checkpoints.get(fileKey);
    const resumedFrom = checkpoint ? { byteOffset: checkpoint.byteOffset, line: checkpoint.line } : null;
    if (checkpoint && checkpoint.byteOffset > size) {
      throw new DomainError('conflict', 'CHECKPOINT_AHEAD', `the checkpoint of this file is at byte ${checkpoint.byteOffset} but the file has ${size}: it is not the file imported before`);
    }
    if (checkpoint?.status === 'done' && checkpoint.byteOffset === size) {
      return { file, fileKey, site, status: 'already_imported', resumedFrom, thisRun: { rows: 0, appended: 0, elapsedMs: Date.now() - started }, counts: checkpoint.counts };
    }

    const delimiter = detectDelimiter(await readFirstLine(file));
    const header = await firstRecord(file, delimiter);
    if (!header) throw new DomainError('invalid', 'IMPORT_INVALID', `${fileName} is empty`);
    const parsedHeader = columnsOf(header.fields.map((f) => decodeField(f).text));
    if ('problems' in parsedHeader) throw new DomainError('invalid', 'IMPORT_INVALID', parsedHeader.problems.join('; '));
    const columns = parsedHeader.columns;

    const ctx: ImportContext = { site, fileKey, schoolId, correlationId: `moodle-import:${fileKey.slice(0, 16)}` };
    const placeholderCtx: PlaceholderContext = { importer, site, siteUrl: mapping.siteUrl ?? DEFAULT_SITE_URL, correlationId: ctx.correlationId, schools: new Map() };
    const counts = checkpoint?.counts ?? emptyCounts();
    const startAt = checkpoint ? { start: checkpoint.byteOffset, line: checkpoint.line } : { start: header.end, line: header.nextLine };
    const caches = { users: new Map() as Cache<string>, courses: new Map() as Cache<{ courseId: string; schoolId: string | null }>, modules: new Map() as Cache<{ resourceId: string; sectionId: string; courseId: string }> };
    const run = { rows: 0, appended: 0 };
    const save = (status: 'running' | 'interrupted' | 'done', at: { end: number; line: number }) =>
      this.checkpoints.save({ fileKey, kind: KIND, site, fileName, fileSize: size, byteOffset: at.end, line: at.line, status, counts });
    const progress = (bytes: number) => options.onProgress?.({ rows: run.rows, bytes, totalBytes: size, startedAtByte: startAt.start, elapsedMs: Date.now() - started });

    let position = { end: startAt.start, line: startAt.line };
    await save('running', position);
    let batch: CsvRecord[] = [];
    const batchSize = options.batchSize ?? 2000;
    const flush = async () => {
      if (!batch.length) return;
      const last = batch[batch.length - 1];
      run.appended += await this.importBatch(batch, columns, ctx, placeholderCtx, schoolId, options.createMissing ?? false, caches, counts);
      run.rows += batch.length;
      position = { end: last.end, line: last.nextLine };
      batch = [];
      await save('running', position);
      progress(position.end);
    };
    let interrupted = false;
    for await (const record of readCsvRecords(file, { start: startAt.start, line: startAt.line, delimiter })) {
      batch.push(record);
      if (batch.length >= batchSize) {
        await flush();
        if (options.signal?.aborted) {
          interrupted = true;
          break;
        }
      }
    }
    if (!interrupted) {
      await flush();
      // Trailing blank lines: the file is done to its last byte.
      position = { end: size, line: position.line };
    }
    const status = interrupted ? 'interrupted' : 'done';
    await save(status, position);
    progress(position.end);
    return { file, fileKey, site, status, resumedFrom, thisRun: { ...run, elapsedMs: Date.now() - started }, counts };
  }

  /** Checks a mapping file's ids against the read models and records them in the id map. */
  private async recordMapping(site: string, mapping: MappingFile, schoolId: string | null): Promise<void> {
    const problems: string[] = [];
    const entries: IdMapEntry[] = [];
    for (const [moodleId, userId] of Object.entries(mapping.users)) {
      if (!(await this.policy.person(userId)).exists) problems.push(`users.${moodleId}: no account ${userId}`);
      else entries.push({ kind: 'user', externalId: moodleId, learnstreamId: userId, created: false });
    }
    for (const [moodleId, courseId] of Object.entries(mapping.courses)) {
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

  /** One batch: resolve, map, append; returns the number of events appended. */
  private async importBatch(
    records: CsvRecord[],
    columns: Columns,
    ctx: ImportContext,
    placeholderCtx: PlaceholderContext,
    schoolId: string | null,
    createMissing: boolean,
    caches: { users: Cache<string>; courses: Cache<{ courseId: string; schoolId: string | null }>; modules: Cache<{ resourceId: string; sectionId: string; courseId: string }> },
    counts: ImportCounts,
  ): Promise<number> {
    const bump = (map: Record<string, number>, key: string, n = 1) => (map[key] = (map[key] ?? 0) + n);
    const rows: MoodleLogRow[] = [];
    for (const record of records) {
      counts.rows++;
      const parsed = parseRow(record.fields, columns, record.line);
      if ('skip' in parsed) bump(counts.skipped, parsed.skip);
      else rows.push(parsed.row);
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
    const resolve = async <T>(kind: 'user' | 'course' | 'course_module', wanted: number[], cache: Cache<T>, toValue: (e: IdMapEntry) => Promise<T>, create: (id: number) => Promise<{ value: T; entry: IdMapEntry } | null>) => {
      const unknown = wanted.filter((id) => !cache.has(id));
      const found = await this.ids.lookup(ctx.site, kind, unknown.map(String));
      for (const id of unknown) {
        const entry = found.get(String(id));
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
    await resolve('user', [...users], caches.users, async (e) => e.learnstreamId, async (id) => {
      const userId = await this.placeholders.account(placeholderCtx, id, schoolId!);
      counts.created.users++;
      return { value: userId, entry: { kind: 'user', externalId: String(id), learnstreamId: userId, created: true } };
    });
    await resolve('course', [...courses], caches.courses, async (e) => ({ courseId: e.learnstreamId, schoolId: await this.placeholders.schoolOfCourse(e.learnstreamId) }), async (id) => {
      if (id === SITE_COURSE) return null;
      const course = await this.placeholders.course(placeholderCtx, id, schoolId);
      counts.created.courses++;
      return { value: course, entry: { kind: 'course', externalId: String(id), learnstreamId: course.courseId, created: true } };
    });
    await resolve('course_module', [...modules.keys()], caches.modules, async (e) => ({ resourceId: e.learnstreamId, sectionId: e.sectionId!, courseId: e.courseId! }), async (cm) => {
      const { courseid, module } = modules.get(cm)!;
      const course = caches.courses.get(courseid);
      if (!course) return null;
      const made = await this.placeholders.resource(placeholderCtx, cm, module, course.courseId);
      counts.created.resources++;
      return { value: { ...made, courseId: course.courseId }, entry: { kind: 'course_module', externalId: String(cm), learnstreamId: made.resourceId, courseId: course.courseId, sectionId: made.sectionId, created: true } };
    });

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
        continue;
      }
      for (const note of planned.notes) bump(counts.notes, note);
      bump(counts.imported, planned.event.type);
      const events = byStream.get(planned.streamId) ?? [];
      events.push(planned.event);
      byStream.set(planned.streamId, events);
    }
    if (!byStream.size) return 0;
    // The batch's personal data sealed in one go (one key-store round trip, not one per event); the log lets sealed values through.
    const events = [...byStream.values()].flat();
    const sealed = await this.cipher.seal(events.map((e) => e.data));
    events.forEach((e, i) => (e.data = sealed[i] as Record<string, unknown>));
    return this.append(byStream, counts);
  }

  /**
   * One atomic append. On PostgreSQL it goes through the group-commit batcher
   * (the streams of a batch move on in one statement; events already in their
   * stream are skipped and reported); elsewhere, when some events are in the
   * log already (a batch tried again), event by event, skipping those.
   */
  private async append(byStream: Map<string, NewEvent[]>, counts: ImportCounts): Promise<number> {
    const requests = [...byStream].map(([streamId, events]) => ({ streamId, events, expectedRevision: 'any' as const }));
    const total = requests.reduce((n, r) => n + r.events.length, 0);
    if (this.batched) {
      const results = (await this.batched.appendBatch(requests)) as BatchedAppendResult[];
      const duplicates = results.reduce((n, r) => n + r.duplicates.length, 0);
      // Appended by a run that stopped before its checkpoint: still this file's, still counted as imported.
      counts.alreadyInLog += duplicates;
      return total - duplicates;
    }
    try {
      await this.log.appendBatch(requests);
      return total;
    } catch (error) {
      if (!(error instanceof EventStoreError) || error.code !== 'DUPLICATE_EVENT_ID') throw error;
    }
    let appended = 0;
    for (const { streamId, events } of requests) {
      for (const event of events) {
        try {
          await this.log.append(streamId, [event]);
          appended++;
        } catch (error) {
          if (!(error instanceof EventStoreError) || error.code !== 'DUPLICATE_EVENT_ID') throw error;
          counts.alreadyInLog++;
        }
      }
    }
    return appended;
  }
}

async function firstRecord(file: string, delimiter: number): Promise<CsvRecord | null> {
  for await (const record of readCsvRecords(file, { delimiter, highWaterMark: 64 * 1024 })) return record;
  return null;
}
