/**
 * A streaming CSV reader (RFC 4180, as Moodle and database tools write it)
 * that works on bytes: each record comes with the byte offset just after it
 * and the line it starts on, so an import can checkpoint "everything up to
 * byte N is done" and resume there with a seek, in constant memory whatever
 * the size of the file.
 *
 * Fields are returned as raw bytes: the caller decodes them (text.ts), so a
 * file with a few non-UTF-8 bytes is read all the same. The delimiter is
 * ASCII, so splitting bytes is right for UTF-8 and single-byte encodings alike.
 *
 *   quoted fields  may hold delimiters, line breaks and "" (a quote);
 *   line breaks    \n or \r\n; a record may span lines inside quotes;
 *   blank lines    skipped; a UTF-8 byte-order mark at the start, skipped;
 *   the last record needs no line break.
 */
import { createReadStream } from 'node:fs';

export interface CsvRecord {
  fields: Buffer[];
  /** Byte offset of the record's first byte. */
  start: number;
  /** Byte offset just after the record (its line break included): resume here. */
  end: number;
  /** The (1-based) physical line the record starts on. */
  line: number;
  /** The line the next record starts on: with `end`, where to resume. */
  nextLine: number;
}

export interface CsvReadOptions {
  /** Byte offset to start at: the start of a record (a checkpoint's `end`). */
  start?: number;
  /** Line number of the record at `start` (1 for the start of the file). */
  line?: number;
  delimiter?: number;
  /** Bytes read from the file at a time. */
  highWaterMark?: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** A growable byte buffer for the field being read. */
class Field {
  private bytes = Buffer.allocUnsafe(256);
  length = 0;

  push(byte: number): void {
    if (this.length === this.bytes.length) {
      const grown = Buffer.allocUnsafe(this.bytes.length * 2);
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    this.bytes[this.length++] = byte;
  }

  take(): Buffer {
    const out = Buffer.from(this.bytes.subarray(0, this.length));
    this.length = 0;
    return out;
  }
}

/** Reads records from `path`, starting at `options.start` (a record boundary). */
export async function* readCsvRecords(path: string, options: CsvReadOptions = {}): AsyncGenerator<CsvRecord> {
  const delimiter = options.delimiter ?? 0x2c;
  let offset = options.start ?? 0;
  let line = options.line ?? 1;
  const stream = createReadStream(path, { start: offset, highWaterMark: options.highWaterMark ?? 1 << 20 });

  let fields: Buffer[] = [];
  const field = new Field();
  let inQuotes = false;
  /** A quote seen inside quotes: either the first of "" or the closing quote. */
  let quotePending = false;
  /** The current field started with a quote (an empty quoted field is still a field). */
  let quoted = false;
  /** A CR outside quotes, waiting to see whether a LF follows. */
  let crPending = false;
  let recordStart = offset;
  let recordLine = line;
  let bomChecked = offset !== 0;
  /** Bytes read into the current record (to tell a blank line from a record). */
  let recordBytes = 0;
  /** The record has a quoted field (`""` alone on a line is a record, not a blank line). */
  let quotedRecord = false;

  const endField = () => {
    fields.push(field.take());
    quoted = false;
  };
  const endRecord = (end: number): CsvRecord | null => {
    endField();
    const blank = fields.length === 1 && fields[0].length === 0 && recordBytes <= 1 && !quotedRecord;
    const record = blank ? null : { fields, start: recordStart, end, line: recordLine, nextLine: line };
    fields = [];
    recordStart = end;
    recordLine = line;
    recordBytes = 0;
    quotedRecord = false;
    return record;
  };

  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let i = 0;
    if (!bomChecked) {
      bomChecked = true;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        i = 3;
        recordStart = 3;
      }
    }
    for (; i < chunk.length; i++) {
      const byte = chunk[i];
      const at = offset + i;
      if (crPending) {
        crPending = false;
        if (byte === LF) {
          line++;
          const record = endRecord(at + 1);
          if (record) yield record;
          continue;
        }
        // A lone CR ends the record too (old Mac line endings).
        const record = endRecord(at);
        if (record) yield record;
      }
      recordBytes++;
      if (inQuotes) {
        if (quotePending) {
          quotePending = false;
          if (byte === QUOTE) {
            field.push(QUOTE);
            continue;
          }
          inQuotes = false;
          // fall through: the byte after a closing quote is read outside quotes
        } else if (byte === QUOTE) {
          quotePending = true;
          continue;
        } else {
          if (byte === LF) line++;
          field.push(byte);
          continue;
        }
      }
      if (byte === delimiter) {
        endField();
      } else if (byte === LF) {
        line++;
        const record = endRecord(at + 1);
        if (record) yield record;
      } else if (byte === CR) {
        crPending = true;
      } else if (byte === QUOTE && field.length === 0 && !quoted) {
        inQuotes = true;
        quoted = true;
        quotedRecord = true;
      } else {
        field.push(byte);
      }
    }
    offset += chunk.length;
  }
  if (inQuotes && quotePending) inQuotes = false;
  if (crPending || recordBytes > 0 || fields.length > 0 || field.length > 0) {
    const record = endRecord(offset);
    if (record) yield record;
  }
}

/** The delimiter of a header line: a tab or a semicolon when the line has those and no comma. */
export function detectDelimiter(headerLine: Buffer): number {
  const text = headerLine.toString('latin1');
  if (text.includes('\t')) return 0x09;
  if (!text.includes(',') && text.includes(';')) return 0x3b;
  return 0x2c;
}

/** The first line of the file (up to 64 kB), for detecting its delimiter. */
export async function readFirstLine(path: string): Promise<Buffer> {
  const stream = createReadStream(path, { start: 0, end: 65535 });
  const parts: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const nl = chunk.indexOf(LF);
    if (nl >= 0) {
      parts.push(chunk.subarray(0, nl));
      stream.destroy();
      break;
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}
