/**
 * The persistent id map (table interop_id_map): which Learnstream user,
 * course or resource a Moodle id of a site became. Entries come from a
 * mapping file (checked against the read models first) or from placeholders
 * the import created (`created`). An entry is never changed: a mapping file
 * that contradicts one is refused, so a re-import cannot silently re-point
 * history at someone else.
 */
import { Inject, Injectable } from '@nestjs/common';
import { PG_POOL } from '@learnstream/core/headless';
import { DomainError } from '@learnstream/domain';
import type pg from 'pg';

export type IdKind = 'user' | 'course' | 'course_module';

export interface IdMapEntry {
  kind: IdKind;
  externalId: string;
  learnstreamId: string;
  /** Course modules: the resource's course and section. */
  courseId?: string | null;
  sectionId?: string | null;
  created: boolean;
}

@Injectable()
export class IdMap {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async lookup(site: string, kind: IdKind, externalIds: string[]): Promise<Map<string, IdMapEntry>> {
    const found = new Map<string, IdMapEntry>();
    if (!externalIds.length) return found;
    const { rows } = await this.pool.query(
      'SELECT kind, external_id, learnstream_id, course_id, section_id, created FROM interop_id_map WHERE site = $1 AND kind = $2 AND external_id = ANY ($3)',
      [site, kind, [...new Set(externalIds)]],
    );
    for (const r of rows) {
      found.set(r.external_id, { kind: r.kind, externalId: r.external_id, learnstreamId: r.learnstream_id, courseId: r.course_id, sectionId: r.section_id, created: r.created });
    }
    return found;
  }

  /** Records entries; one that contradicts an existing entry is refused (MAPPING_CONFLICT) and nothing is recorded. */
  async record(site: string, entries: IdMapEntry[]): Promise<void> {
    if (!entries.length) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const conflicts: string[] = [];
      for (const e of entries) {
        const { rows } = await client.query(
          `INSERT INTO interop_id_map (site, kind, external_id, learnstream_id, course_id, section_id, created)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (site, kind, external_id) DO UPDATE SET site = EXCLUDED.site
           RETURNING learnstream_id`,
          [site, e.kind, e.externalId, e.learnstreamId, e.courseId ?? null, e.sectionId ?? null, e.created],
        );
        if (rows[0].learnstream_id !== e.learnstreamId) conflicts.push(`${e.kind} ${e.externalId} is mapped to ${rows[0].learnstream_id}, not ${e.learnstreamId}`);
      }
      if (conflicts.length) {
        await client.query('ROLLBACK');
        throw new DomainError('conflict', 'MAPPING_CONFLICT', `the mapping contradicts the id map of site ${site}: ${conflicts.slice(0, 5).join('; ')}${conflicts.length > 5 ? '; …' : ''}`, conflicts);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
