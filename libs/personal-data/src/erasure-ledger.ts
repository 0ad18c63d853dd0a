/**
 * The erasure ledger outside PostgreSQL (ERASURE_LEDGER_PATH, docs/privacy.md):
 * one JSON line per erasure, appended and flushed to disk before the keys go,
 * never rewritten. A database restored from a backup taken before an erasure
 * (the event database, the key store, or both) cannot bring the person back:
 * every start reads this file and carries the erasures out again.
 *
 * Each line carries an HMAC under a key derived from the master key: a line
 * added by hand (which would erase someone) stops the start instead of being
 * applied. A last line cut short by a crash while it was written is ignored
 * (its erasure had not begun: the keys go only after the line is on disk).
 * The file holds opaque ids only, never personal data.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { dirname } from 'node:path';
import { PersonalDataError } from './errors';
import { isUuid } from './scope';

export interface ErasureRecord {
  subjectId: string;
  /** ISO-8601. */
  erasedAt: string;
  reason: string;
  /** The privacy request carried out, when there was one. */
  requestId: string | null;
  /** The id the person's kept rows were given (SubjectErased.anonymousId): re-used when the erasure is carried out again. */
  anonymousId: string | null;
}

function canonical(r: ErasureRecord): string {
  return JSON.stringify({ subjectId: r.subjectId, erasedAt: r.erasedAt, reason: r.reason, requestId: r.requestId, anonymousId: r.anonymousId });
}

export class ErasureLedgerFile {
  private readonly mac: Buffer;

  constructor(
    readonly path: string,
    masterKey: Buffer,
  ) {
    this.mac = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'learnstream erasure ledger v1', 32));
  }

  /** Appends the record and flushes it to disk before returning. */
  append(record: ErasureRecord): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const fd = openSync(this.path, 'a', 0o600);
    try {
      writeSync(fd, JSON.stringify({ ...JSON.parse(canonical(record)), mac: this.sign(record) }) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Every record, first erasure of a subject first. Throws when a line was forged or altered. */
  read(): ErasureRecord[] {
    if (!existsSync(this.path)) return [];
    const lines = readFileSync(this.path, 'utf8').split('\n');
    const records: ErasureRecord[] = [];
    const seen = new Set<string>();
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const last = lines.slice(i + 1).every((l) => l.trim() === '');
      let parsed: ErasureRecord & { mac?: string };
      try {
        parsed = JSON.parse(line) as ErasureRecord & { mac?: string };
      } catch {
        if (last && !line.endsWith('}')) return; // cut short by a crash: its erasure had not begun
        throw this.corrupt(i, 'is not JSON');
      }
      const record: ErasureRecord = {
        subjectId: String(parsed.subjectId).toLowerCase(),
        erasedAt: String(parsed.erasedAt),
        reason: String(parsed.reason),
        requestId: parsed.requestId ?? null,
        anonymousId: parsed.anonymousId ?? null,
      };
      if (!isUuid(record.subjectId)) throw this.corrupt(i, 'names no subject id');
      const expected = Buffer.from(this.sign({ ...record, subjectId: String(parsed.subjectId) }), 'hex');
      const given = Buffer.from(typeof parsed.mac === 'string' ? parsed.mac : '', 'hex');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw this.corrupt(i, 'does not verify under the master key (forged or altered)');
      if (seen.has(record.subjectId)) return;
      seen.add(record.subjectId);
      records.push(record);
    });
    return records;
  }

  private sign(record: ErasureRecord): string {
    return createHmac('sha256', this.mac).update(canonical(record)).digest('hex');
  }

  private corrupt(index: number, what: string): PersonalDataError {
    return new PersonalDataError('ERASURE_LEDGER_CORRUPT', `${this.path}: line ${index + 1} ${what}; fix or restore the file before starting`);
  }
}
