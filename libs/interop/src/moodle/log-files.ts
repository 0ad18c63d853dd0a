/**
 * Reads the files Moodle users download, record by record, into text fields:
 *
 *   CSV / TSV   csv-parse (streaming, constant memory). Delimiter: the one of
 *               Moodle's (comma, semicolon, colon, tab) that the header line
 *               has most of. Line endings: LF, CRLF or CR alone (csv-parse
 *               detects them). Encoding: a UTF-8 or UTF-16LE byte-order mark
 *               says which; without one each field is read as UTF-8 when it
 *               is valid UTF-8, else as Windows-1252 (text.ts), so a file
 *               with a few non-UTF-8 bytes loses nothing. A record csv-parse
 *               cannot read (a stray quote) is reported, not fatal.
 *   .xlsx       read-excel-file (the first sheet); dates become ISO-8601.
 *   .json       Moodle's JSON download: an array of objects (or an array of
 *               such arrays, one per sheet), or an array of arrays whose
 *               first row is the header.
 *   .ods        the first sheet (ods.ts: fflate and saxen, read-excel-file's own
 *               zip and XML readers); dates become ISO-8601. Known by its
 *               mimetype entry, so an upload without its name is read too.
 *
 * The first record is the header. Each record carries its line (CSV) or row
 * number, and the bytes read so far (for progress).
 */
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { Parser } from 'csv-parse';
import { DomainError } from '@learnstream/domain';
import { ODS_MIMETYPE, odsRows } from './ods';
import { decodeField, withoutNul } from './text';

export interface TableRecord {
  fields: string[];
  /** The field's bytes as in the file, when the format has them (CSV without a UTF-16 mark). */
  raw: Buffer[] | null;
  /** Fields read as Windows-1252 (not valid UTF-8). */
  latin1: number;
  /** Line of the file (CSV) or row of the sheet (1-based) where the record starts. */
  line: number;
  /** Bytes of the file read so far (an estimate for formats read whole). */
  bytes: number;
  /** A record that could not be read: why (the fields are then empty). */
  error?: string;
}

export type LogFileFormat = 'csv' | 'xlsx' | 'ods' | 'json';

const DELIMITERS = [',', ';', '\t', ':'];

/** The format of a file, from its name and first bytes. */
export async function formatOf(path: string): Promise<LogFileFormat> {
  const ext = extname(path).toLowerCase();
  const head = await firstBytes(path, 128);
  // A zip: an OpenDocument file names its mimetype in its first entry (stored, at offset 38), else Excel.
  if (head[0] === 0x50 && head[1] === 0x4b) return ext === '.ods' || head.toString('latin1').includes(ODS_MIMETYPE) ? 'ods' : 'xlsx';
  if (ext === '.ods') throw new DomainError('invalid', 'IMPORT_INVALID', 'the .ods file is not an OpenDocument spreadsheet (not a zip)');
  const text = head.toString('latin1').replace(/^\uFEFF|^ï»¿/, '').trimStart();
  if (ext === '.json' || text.startsWith('[') || text.startsWith('{')) return 'json';
  return 'csv';
}

async function firstBytes(path: string, n: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(n);
    const { bytesRead } = await handle.read(buffer, 0, n, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Every record of the file, the header first. `utf8`: whether the whole file
 * is valid UTF-8 (isUtf8File), when the caller knows it already (a reader of
 * the same file again), else a CSV is read through once to find out.
 */
export async function* readLogFile(path: string, { utf8 }: { utf8?: boolean } = {}): AsyncGenerator<TableRecord> {
  const format = await formatOf(path);
  if (format === 'xlsx') yield* readXlsx(path);
  else if (format === 'ods') yield* sheetRecords(odsRows(await readFile(path)), (await stat(path)).size);
  else if (format === 'json') yield* readJson(path);
  else for await (const records of readCsvChunks(path, utf8)) yield* records;
}

/** Records of a sheet or JSON file handed on together by readLogFileChunks. */
const RECORDS_PER_CHUNK = 512;

/**
 * readLogFile's records, several at a time: a CSV's as the parser has them ready (a few hundred, one promise for all
 * of them instead of one per record and per generator it passes), the others RECORDS_PER_CHUNK at a time.
 */
export async function* readLogFileChunks(path: string, { utf8 }: { utf8?: boolean } = {}): AsyncGenerator<TableRecord[]> {
  if ((await formatOf(path)) === 'csv') {
    yield* readCsvChunks(path, utf8);
    return;
  }
  let chunk: TableRecord[] = [];
  for await (const record of readLogFile(path, { utf8 })) {
    chunk.push(record);
    if (chunk.length === RECORDS_PER_CHUNK) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
}

/**
 * A chunk of records kept by RecordReplay. A log repeats most of its fields row after row (event name, component,
 * course, user…): each distinct field of the chunk is kept once (`text`: NUL between them; fields hold no NUL), and
 * each record's fields as indexes into them.
 */
interface KeptChunk {
  text: string;
  /** Every field of the chunk in order, as the index of its text. */
  fields: Uint16Array | Uint32Array;
  /** Per record: its number of fields, line and bytes read; the reason of an unreadable one. */
  counts: Uint32Array;
  lines: Uint32Array;
  bytes: Float64Array;
  errors: Map<number, string> | null;
}

/**
 * A file's records kept in memory as read (readLogFileChunks), to be handed out again without reading and parsing the
 * file a second time: the Moodle import reads a file twice (a pre-pass, then the import), and parsing the CSV again was
 * a tenth of its CPU. Compact (KeptChunk), and let go chunk by chunk as handed out. Text records only (a field read as
 * Windows-1252 keeps its bytes, which are not kept): `keep` says false once a record cannot be kept or `maxChars` is
 * past, and the caller reads the file again instead (a large file is read twice rather than held whole).
 */
export class RecordReplay {
  private chunks: (KeptChunk | null)[] = [];
  private chars = 0;
  private full = false;
  private ended = false;

  constructor(private readonly maxChars: number) {}

  /** Whether it holds the whole file: every record was kept and `end` was called. */
  get complete(): boolean {
    return this.ended && !this.full;
  }

  /** The file was read to its end: what is kept is all of it. */
  end(): void {
    this.ended = true;
  }

  keep(records: readonly TableRecord[]): boolean {
    if (this.full) return false;
    const n = records.length;
    let total = 0;
    for (const r of records) {
      if (r.raw !== null || r.latin1 > 0 || r.line > 0xffffffff) return this.giveUp();
      total += r.fields.length;
    }
    const indexes = total <= 0xffff ? new Uint16Array(total) : new Uint32Array(total);
    const chunk: KeptChunk = { text: '', fields: indexes, counts: new Uint32Array(n), lines: new Uint32Array(n), bytes: new Float64Array(n), errors: null };
    const distinct = new Map<string, number>();
    const texts: string[] = [];
    let at = 0;
    for (let i = 0; i < n; i++) {
      const r = records[i];
      chunk.counts[i] = r.fields.length;
      chunk.lines[i] = r.line;
      chunk.bytes[i] = r.bytes;
      if (r.error !== undefined) (chunk.errors ??= new Map()).set(i, r.error);
      for (const f of r.fields) {
        let index = distinct.get(f);
        if (index === undefined) {
          distinct.set(f, (index = texts.push(f) - 1));
          this.chars += f.length + 1;
        }
        indexes[at++] = index;
      }
    }
    if (this.chars > this.maxChars) return this.giveUp();
    chunk.text = texts.join('\u0000');
    this.chunks.push(chunk);
    return true;
  }

  /** The records kept, chunk by chunk as they were kept, each chunk let go once handed out. */
  *replay(): Generator<TableRecord[]> {
    if (!this.complete) throw new Error('RecordReplay: it does not hold the whole file');
    for (let c = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      this.chunks[c] = null;
      const texts = chunk.text.split('\u0000');
      const records: TableRecord[] = [];
      let at = 0;
      for (let i = 0; i < chunk.counts.length; i++) {
        const fields = new Array<string>(chunk.counts[i]);
        for (let j = 0; j < fields.length; j++) fields[j] = texts[chunk.fields[at++]];
        const record: TableRecord = { fields, raw: null, latin1: 0, line: chunk.lines[i], bytes: chunk.bytes[i] };
        const error = chunk.errors?.get(i);
        if (error !== undefined) record.error = error;
        records.push(record);
      }
      yield records;
    }
    this.chunks = [];
  }

  private giveUp(): false {
    this.full = true;
    this.chunks = [];
    return false;
  }
}

/** The delimiter of a CSV header line: the one of Moodle's delimiters it has most of (outside quotes); a comma on a tie. */
export function detectDelimiter(headerLine: string): string {
  const outside = headerLine.replace(/"[^"]*"/g, '');
  let best = ',';
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const count = outside.split(d).length - 1;
    if (count > bestCount) [best, bestCount] = [d, count];
  }
  return best;
}

async function sniff(path: string): Promise<{ utf16: boolean; headerLine: string }> {
  const head = await firstBytes(path, 64 * 1024);
  const utf16 = head[0] === 0xff && head[1] === 0xfe;
  const text = utf16 ? head.subarray(2).toString('utf16le') : head.toString('latin1');
  return { utf16, headerLine: text.split(/\r\n|\r|\n/, 1)[0] ?? '' };
}

/**
 * Whether the whole file is valid UTF-8: read through one reused buffer by a fatal decoder (native; a sequence split
 * across reads is carried over). A buffer per chunk would leave the file's size in dead external memory until a GC.
 */
export async function isUtf8File(path: string): Promise<boolean> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const handle = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(256 * 1024);
  try {
    for (let read = -1; read !== 0; ) {
      ({ bytesRead: read } = await handle.read(buffer, 0, buffer.length, null));
      decoder.decode(buffer.subarray(0, read), { stream: true });
    }
    decoder.decode();
    return true;
  } catch {
    return false;
  } finally {
    await handle.close();
  }
}

/** Bytes read at a time: small chunks die young (1 MB ones stayed as external memory until a full GC). */
const CSV_CHUNK = 64 * 1024;

/** A record of the CSV parser with where it ends: the line (line breaks inside quoted fields counted) and the bytes read. */
interface LocatedRecord {
  record: (Buffer | string)[];
  lines: number;
  bytes: number;
}

/**
 * csv-parse's stream, each record handed on with the parser's line and byte counters as they are when it is complete
 * (its `info` object at that moment). The parser's own `info: true` copies the whole object twice per record: a third
 * of the parse's CPU (100,000 rows: 1.78 -> 1.18 s).
 */
class LocatedParser extends Parser {
  override push(record: unknown, encoding?: BufferEncoding): boolean {
    return super.push(record === null ? null : { record, lines: this.info.lines, bytes: this.info.bytes }, encoding);
  }
}

/** The records the parser has ready, taken together: as many as one read of the file gave (none at its end). */
async function* readCsvChunks(path: string, knownUtf8?: boolean): AsyncGenerator<TableRecord[]> {
  const { utf16, headerLine } = await sniff(path);
  // A file that is UTF-8 throughout (the usual case) is parsed as text; otherwise as bytes, each field decoded on its own
  // (text.ts), so that a few Windows-1252 bytes lose nothing. Text is about twice as fast, and allocates no Buffer per field.
  const utf8 = !utf16 && (knownUtf8 ?? (await isUtf8File(path)));
  const file = createReadStream(path, { highWaterMark: CSV_CHUNK });
  const parser = file.pipe(
    new LocatedParser({
      delimiter: detectDelimiter(headerLine),
      encoding: utf16 ? 'utf16le' : utf8 ? 'utf8' : null,
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      relax_quotes: true,
      skip_records_with_error: true,
    }),
  );
  const skipped: { line: number; reason: string }[] = [];
  let overCounted = 0;
  let failure: Error | null = null;
  parser.on('skip', (error: Error & { lines?: number }) => skipped.push({ line: error.lines ?? 0, reason: error.message }));
  // Kept until the loop below sees it (an error while the consumer works on a chunk must not go unhandled).
  parser.on('error', (error: Error) => (failure ??= error));
  const unreadable = (s: { line: number; reason: string }, bytes: number): TableRecord => ({ fields: [], raw: null, latin1: 0, line: s.line, bytes, error: `unreadable CSV: ${s.reason}` });
  const recordOf = ({ record, lines, bytes }: LocatedRecord): TableRecord => {
    let latin1 = 0;
    const raw = typeof record[0] === 'string' ? null : (record as Buffer[]);
    let fields: string[];
    if (raw === null) {
      // Text (the usual case): the parser's own array, its fields without NUL.
      fields = record as string[];
      for (let i = 0; i < fields.length; i++) if (fields[i].includes('\u0000')) fields[i] = withoutNul(fields[i]);
    } else {
      fields = raw.map((f) => {
        const decoded = decodeField(f);
        if (decoded.latin1) latin1++;
        return decoded.text;
      });
    }
    // info.lines is the line the record ends on, less the line breaks inside its quoted fields;
    // csv-parse counts a CRLF inside quotes as two lines (overCounted corrects it).
    let breaks = 0;
    for (const f of fields) {
      if (!f.includes('\n') && !f.includes('\r')) continue;
      breaks += f.match(/\r\n|\r|\n/g)?.length ?? 0;
      overCounted += f.match(/\r\n/g)?.length ?? 0;
    }
    return { fields, raw, latin1, line: lines - overCounted - breaks, bytes };
  };
  try {
    for (;;) {
      const chunk: TableRecord[] = [];
      for (let next: LocatedRecord | null; (next = parser.read() as typeof next) !== null; ) {
        while (skipped.length) chunk.push(unreadable(skipped.shift()!, next.bytes));
        chunk.push(recordOf(next));
      }
      if (chunk.length) {
        yield chunk;
        continue;
      }
      if (failure) throw failure;
      if (parser.readableEnded) break;
      await readyOrEnded(parser);
    }
  } finally {
    parser.destroy();
    file.destroy();
  }
  if (skipped.length) yield skipped.map((s) => unreadable(s, 0));
}

/** Until the stream has something to read, has ended, or failed. */
function readyOrEnded(stream: Readable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('readable', done).off('end', done).off('error', done);
      resolve();
    };
    stream.on('readable', done).on('end', done).on('error', done);
  });
}

const cellText = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : String(value);
};

async function* readXlsx(path: string): AsyncGenerator<TableRecord> {
  const { default: readXlsxFile } = await import('read-excel-file/node');
  yield* sheetRecords((await readXlsxFile(path))[0]?.data ?? [], (await stat(path)).size);
}

/** A sheet's rows as records (empty rows left out); `size`: the file's, for progress. */
function* sheetRecords(sheet: unknown[][], size: number): Generator<TableRecord> {
  let line = 0;
  for (const row of sheet) {
    line++;
    const fields = row.map(cellText);
    if (fields.every((f) => f.trim() === '')) continue;
    yield { fields, raw: null, latin1: 0, line, bytes: Math.round((size * line) / sheet.length) };
  }
}

async function* readJson(path: string): AsyncGenerator<TableRecord> {
  const buffer = await readFile(path);
  let value: unknown;
  try {
    value = JSON.parse(decodeField(buffer.subarray(buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0)).text);
  } catch (error) {
    throw new DomainError('invalid', 'IMPORT_INVALID', `the JSON file cannot be read: ${(error as Error).message}`);
  }
  if (!Array.isArray(value)) throw new DomainError('invalid', 'IMPORT_INVALID', 'the JSON file must hold an array of rows');
  // One array per sheet (Moodle's JSON of a multi-sheet download): the sheets in turn.
  const rows: unknown[] = value.length && value.every((v) => Array.isArray(v) && v.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r))) ? value.flat() : value;
  let header: string[] | null = null;
  let line = 0;
  for (const row of rows) {
    line++;
    const bytes = Math.round((buffer.length * line) / rows.length);
    if (Array.isArray(row)) {
      yield { fields: row.map(cellText), raw: null, latin1: 0, line, bytes };
      continue;
    }
    if (row === null || typeof row !== 'object') {
      yield { fields: [], raw: null, latin1: 0, line, bytes, error: 'a JSON row must be an object or an array' };
      continue;
    }
    if (!header) {
      header = Object.keys(row);
      yield { fields: header, raw: null, latin1: 0, line: 0, bytes: 0 };
    }
    const object = row as Record<string, unknown>;
    yield { fields: header.map((k) => cellText(object[k])), raw: null, latin1: 0, line, bytes };
  }
}
