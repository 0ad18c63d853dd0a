/**
 * The LRS's document resources (xAPI Communication 2.2–2.7; IEEE 9274.1.1
 * 4.1.6.2, .5, .6): State, Activity Profile and Agent Profile documents of
 * one school's LRS, in xapi_documents (migration 1734004000100).
 *
 *   PUT     stores the document as sent (any content type);
 *   POST    merges a JSON object into the stored JSON object (top-level keys
 *           of the new one replace the old ones'); with no stored document it
 *           is a PUT; a stored or posted document that is not a JSON object
 *           is 400 and nothing changes;
 *   GET     one document (its bytes, content type, ETag, Last-Modified) or
 *           the ids of the documents (stored after `since`);
 *   DELETE  one document, or (State) every document of the activity and agent
 *           (and registration).
 * Concurrency (Communication 3.1): the ETag is the SHA-1 of the content;
 * If-Match (an ETag or *) and If-None-Match (an ETag or *) are honoured on
 * PUT, POST and DELETE (412 when they fail); a PUT without either header
 * is refused as the version asks (`HeaderRule`): 409 when the document
 * exists, and under 1.0.3's profiles 400 when it does not. Each write holds a
 * transaction-scoped lock on the document's key, so a check and its write
 * are one step.
 *
 * Agents are kept by their random id of xapi_agents (never their email or a
 * hash of it); erasing a learner deletes their documents (forgetDocuments).
 */
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ApiError, PG_POOL } from '@learnstream/core';
import { DomainError } from '@learnstream/domain';
import type pg from 'pg';
import type { JsonObject } from './statement';
import { inTransaction } from './transaction';

export type DocumentKind = 'state' | 'activity_profile' | 'agent_profile';

/** Which documents: a State's activity, agent and registration; a profile's activity or agent. */
export interface DocumentScope {
  schoolId: string;
  kind: DocumentKind;
  activityId: string;
  agentId: string | null;
  registration: string;
}

export interface StoredDocument {
  documentId: string;
  contentType: string;
  content: Buffer;
  etag: string;
  updated: Date;
}

export interface Preconditions {
  /** If-Match: the ETags (unquoted) or ['*']; undefined when absent. */
  ifMatch?: string[];
  /** If-None-Match: the ETags (unquoted) or ['*']; undefined when absent. */
  ifNoneMatch?: string[];
}

interface DocumentRow {
  document_id: string;
  content_type: string;
  content: Buffer;
  etag: string;
  updated_at: Date;
}

const JSON_TYPE = 'application/json';

/**
 * What a PUT without If-Match or If-None-Match may do: `none` anything; `overwrite` create
 * only (409 when the document exists); `always` nothing (409 when it exists, else 400).
 */
export type HeaderRule = 'none' | 'overwrite' | 'always';

export const etagOf = (content: Buffer): string => createHash('sha1').update(content).digest('hex');

/** The media type of a Content-Type header, lower case, without parameters. */
export const mediaType = (contentType: string | undefined): string => (contentType ?? '').split(';')[0].trim().toLowerCase();

/** An HTTP entity-tag list (If-Match, If-None-Match) as unquoted tags; '*' stays '*'. */
export function parseEtags(header: string | undefined): string[] | undefined {
  if (header === undefined) return undefined;
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1'))
    .filter(Boolean);
}

function jsonObjectOf(content: Buffer): JsonObject | null {
  try {
    const value: unknown = JSON.parse(content.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
  } catch {
    return null;
  }
}

const invalid = (message: string) => new DomainError('invalid', 'XAPI_INVALID_DOCUMENT', message);

@Injectable()
export class XapiDocuments {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async get(scope: DocumentScope, documentId: string): Promise<StoredDocument | null> {
    if (await this.withheld(scope)) return null;
    return readOne(this.pool, scope, documentId);
  }

  /**
   * Whether the scope's agent is a person whose processing is restricted (GDPR art. 18: an approved restriction,
   * a legal hold, a cancellation): their documents are kept and not disclosed, as their statements (not found,
   * none listed) until it is lifted.
   */
  private async withheld(scope: DocumentScope): Promise<boolean> {
    if (scope.agentId === null) return false;
    const { rows } = await this.pool.query(
      'SELECT 1 FROM xapi_agents a JOIN subject_flags f ON f.user_id = a.learner_id AND f.restricted WHERE a.agent_id = $1',
      [scope.agentId],
    );
    return rows.length > 0;
  }

  /** The ids of the scope's documents, stored after `since` when given. State ids ignore the registration unless one is given. */
  async ids(scope: DocumentScope, since?: Date, anyRegistration = false): Promise<string[]> {
    if (await this.withheld(scope)) return [];
    const { rows } = await this.pool.query<{ document_id: string }>(
      `SELECT document_id FROM xapi_documents
       WHERE school_id = $1 AND kind = $2 AND activity_id = $3 AND agent_id IS NOT DISTINCT FROM $4 AND ($5 OR registration = $6) AND ($7::timestamptz IS NULL OR updated_at > $7)
       ORDER BY document_id`,
      [scope.schoolId, scope.kind, scope.activityId, scope.agentId, anyRegistration, scope.registration, since ?? null],
    );
    return [...new Set(rows.map((r) => r.document_id))];
  }

  /** PUT (replace) or POST (merge JSON objects); checks the preconditions first. */
  async write(scope: DocumentScope, documentId: string, contentType: string, content: Buffer, preconditions: Preconditions, mode: 'put' | 'post', rule: HeaderRule): Promise<void> {
    const posted = mediaType(contentType) === JSON_TYPE ? jsonObjectOf(content) : null;
    if (mode === 'post' && mediaType(contentType) === JSON_TYPE && !posted) throw invalid('a document posted as application/json must be a JSON object');
    await this.inLock(scope, documentId, async (db, existing) => {
      checkPreconditions(existing, preconditions);
      if (mode === 'put' && rule !== 'none' && !preconditions.ifMatch && !preconditions.ifNoneMatch) {
        if (existing) throw new DomainError('conflict', 'XAPI_DOCUMENT_EXISTS', 'the document exists: send If-Match with its ETag to replace it (or If-None-Match: * to create only)');
        if (rule === 'always') throw new DomainError('invalid', 'XAPI_PRECONDITION_REQUIRED', 'a PUT of this document needs If-Match (its ETag) or If-None-Match: *');
      }
      let type = contentType || 'application/octet-stream';
      let body = content;
      if (mode === 'post' && existing) {
        const stored = mediaType(existing.contentType) === JSON_TYPE ? jsonObjectOf(existing.content) : null;
        if (!stored || !posted) throw invalid('POST merges JSON objects: the stored and the posted document must both be application/json objects (use PUT to replace)');
        body = Buffer.from(JSON.stringify({ ...stored, ...posted }), 'utf8');
        type = JSON_TYPE;
      }
      await db.query(
        `INSERT INTO xapi_documents (school_id, kind, activity_id, agent_id, registration, document_id, content_type, content, etag, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, clock_timestamp())
         ON CONFLICT (school_id, kind, activity_id, agent_id, registration, document_id)
         DO UPDATE SET content_type = EXCLUDED.content_type, content = EXCLUDED.content, etag = EXCLUDED.etag, updated_at = EXCLUDED.updated_at`,
        [scope.schoolId, scope.kind, scope.activityId, scope.agentId, scope.registration, documentId, type, body, etagOf(body)],
      );
    });
  }

  /** Deletes one document (after its preconditions), or every document of the scope (documentId null; State only). */
  async delete(scope: DocumentScope, documentId: string | null, preconditions: Preconditions, anyRegistration = false): Promise<void> {
    if (documentId === null) {
      await this.pool.query(
        `DELETE FROM xapi_documents WHERE school_id = $1 AND kind = $2 AND activity_id = $3 AND agent_id IS NOT DISTINCT FROM $4 AND ($5 OR registration = $6)`,
        [scope.schoolId, scope.kind, scope.activityId, scope.agentId, anyRegistration, scope.registration],
      );
      return;
    }
    await this.inLock(scope, documentId, async (db, existing) => {
      checkPreconditions(existing, preconditions);
      if (!existing) return;
      await db.query(
        `DELETE FROM xapi_documents WHERE school_id = $1 AND kind = $2 AND activity_id = $3 AND agent_id IS NOT DISTINCT FROM $4 AND registration = $5 AND document_id = $6`,
        [scope.schoolId, scope.kind, scope.activityId, scope.agentId, scope.registration, documentId],
      );
    });
  }

  private async inLock(scope: DocumentScope, documentId: string, work: (db: pg.PoolClient, existing: StoredDocument | null) => Promise<void>): Promise<void> {
    await inTransaction(this.pool, async (db) => {
      const key = [scope.schoolId, scope.kind, scope.activityId, scope.agentId ?? '', scope.registration, documentId].join('\u0001');
      await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
      await work(db, await readOne(db, scope, documentId));
    });
  }
}

async function readOne(db: Pick<pg.Pool, 'query'>, scope: DocumentScope, documentId: string): Promise<StoredDocument | null> {
  const { rows } = await db.query<DocumentRow>(
    `SELECT document_id, content_type, content, etag, updated_at FROM xapi_documents
     WHERE school_id = $1 AND kind = $2 AND activity_id = $3 AND agent_id IS NOT DISTINCT FROM $4 AND registration = $5 AND document_id = $6`,
    [scope.schoolId, scope.kind, scope.activityId, scope.agentId, scope.registration, documentId],
  );
  const r = rows[0];
  return r ? { documentId: r.document_id, contentType: r.content_type, content: r.content, etag: r.etag, updated: r.updated_at } : null;
}

function checkPreconditions(existing: StoredDocument | null, { ifMatch, ifNoneMatch }: Preconditions): void {
  if (ifMatch !== undefined) {
    const ok = existing !== null && (ifMatch.includes('*') || ifMatch.includes(existing.etag));
    if (!ok) throw new ApiError(412, 'XAPI_PRECONDITION_FAILED', existing ? 'If-Match does not name the document\'s current ETag' : 'If-Match: there is no such document');
  }
  if (ifNoneMatch !== undefined && existing !== null && (ifNoneMatch.includes('*') || ifNoneMatch.includes(existing.etag))) {
    throw new ApiError(412, 'XAPI_PRECONDITION_FAILED', 'If-None-Match: the document exists');
  }
}

/** Erasure: the documents of a learner's agents (call before their xapi_agents rows are deleted). */
export async function forgetDocuments(db: { query(text: string, params: unknown[]): Promise<unknown> }, learnerId: string): Promise<void> {
  await db.query('DELETE FROM xapi_documents WHERE agent_id IN (SELECT agent_id FROM xapi_agents WHERE learner_id = $1)', [learnerId]);
}
