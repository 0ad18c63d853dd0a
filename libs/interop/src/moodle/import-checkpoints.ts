/**
 * Where an import of a file is (table interop_import_checkpoints): the byte
 * offset and line just after the last batch whose events are committed, and
 * the running counts. Written after each batch's append; a crash between the
 * append and this write makes the next run try that batch again, and its
 * events (same ids) are then found already in the log and skipped.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Inject, Injectable } from '@nestjs/common';
import { PG_POOL } from '@learnstream/core/headless';
import type pg from 'pg';

export interface ImportCounts {
  /** Data rows read (the header not counted). */
  rows: number;
  /** Events appended, by type. */
  imported: Record<string, number>;
  /** Rows not imported, by reason. */
  skipped: Record<string, number>;
  /** Strange values met and how they were read, by kind (a row may have several). */
  notes: Record<string, number>;
  /** Placeholders created by --create-missing; `staff`: placeholder people made staff of a course they taught (absent in older checkpoints). */
  created: { users: number; courses: number; resources: number; staff?: number };
  /** Events of a batch retried after a crash that were already in the log. */
  alreadyInLog: number;
}

export const emptyCounts = (): ImportCounts => ({ rows: 0, imported: {}, skipped: {}, notes: {}, created: { users: 0, courses: 0, resources: 0, staff: 0 }, alreadyInLog: 0 });

export interface Checkpoint {
  fileKey: string;
  byteOffset: number;
  line: number;
  status: 'running' | 'interrupted' | 'done';
  counts: ImportCounts;
  fileSize: number;
}

/** SHA-256 (hex) of the first MB of the file: the file's identity for checkpoints and event ids. */
export async function fileKeyOf(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return createHash('sha256').update(buffer.subarray(0, bytesRead)).digest('hex');
  } finally {
    await handle.close();
  }
}

@Injectable()
export class ImportCheckpoints {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async get(fileKey: string): Promise<Checkpoint | null> {
    const { rows } = await this.pool.query('SELECT file_key, byte_offset, line, status, counts, file_size FROM interop_import_checkpoints WHERE file_key = $1', [fileKey]);
    if (!rows[0]) return null;
    const r = rows[0];
    return { fileKey: r.file_key, byteOffset: Number(r.byte_offset), line: Number(r.line), status: r.status, counts: { ...emptyCounts(), ...r.counts }, fileSize: Number(r.file_size) };
  }

  async save(c: Checkpoint & { kind: string; site: string; fileName: string }): Promise<void> {
    await this.pool.query(
      `INSERT INTO interop_import_checkpoints (file_key, kind, site, file_name, file_size, byte_offset, line, status, counts, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $8 = 'done' THEN now() END)
       ON CONFLICT (file_key) DO UPDATE SET file_name = EXCLUDED.file_name, file_size = EXCLUDED.file_size, byte_offset = EXCLUDED.byte_offset,
         line = EXCLUDED.line, status = EXCLUDED.status, counts = EXCLUDED.counts, updated_at = now(), finished_at = EXCLUDED.finished_at`,
      [c.fileKey, c.kind, c.site, c.fileName, c.fileSize, c.byteOffset, c.line, c.status, JSON.stringify(c.counts)],
    );
  }

  /** Forgets a file's checkpoint: the next import reads it from the start (its events are found already in the log). */
  async reset(fileKey: string): Promise<void> {
    await this.pool.query('DELETE FROM interop_import_checkpoints WHERE file_key = $1', [fileKey]);
  }
}
