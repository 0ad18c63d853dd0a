/**
 * The Activities resource's store (Communication 2.5; 9274.1.1 4.1.6.4): the
 * definition of each activity a school's statements name, merged as they
 * arrive: language maps (name, description) and extensions keep every
 * language and key seen, a later value winning; every other property is the
 * latest statement's. Kept in xapi_activities (migration 1734004000100);
 * activity definitions are about activities, not people.
 */
import { Inject, Injectable } from '@nestjs/common';
import { PG_POOL } from '@learnstream/core';
import type pg from 'pg';
import type { JsonObject } from './statement';
import { inTransaction } from './transaction';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const MERGED = ['name', 'description', 'extensions'];

/** Every Activity a statement names with a definition: its object, context activities, a SubStatement's. */
export function definedActivities(statement: JsonObject): { id: string; definition: JsonObject }[] {
  const found: { id: string; definition: JsonObject }[] = [];
  const add = (a: unknown) => {
    if (isObject(a) && (a.objectType ?? 'Activity') === 'Activity' && typeof a.id === 'string' && isObject(a.definition)) found.push({ id: a.id, definition: a.definition });
  };
  const visit = (s: JsonObject) => {
    add(s.object);
    const ca = isObject(s.context) ? s.context.contextActivities : undefined;
    if (isObject(ca)) for (const v of Object.values(ca)) for (const a of Array.isArray(v) ? v : [v]) add(a);
  };
  visit(statement);
  if (isObject(statement.object) && statement.object.objectType === 'SubStatement') visit(statement.object);
  return found;
}

export function mergeDefinitions(old: JsonObject, next: JsonObject): JsonObject {
  const out: JsonObject = { ...old, ...next };
  for (const k of MERGED) if (isObject(old[k]) && isObject(next[k])) out[k] = { ...old[k], ...next[k] };
  return out;
}

@Injectable()
export class XapiActivities {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Merges the definitions these statements give into the school's activities. */
  async record(schoolId: string, statements: JsonObject[]): Promise<void> {
    const byId = new Map<string, JsonObject>();
    for (const s of statements) for (const { id, definition } of definedActivities(s)) byId.set(id, mergeDefinitions(byId.get(id) ?? {}, definition));
    if (!byId.size) return;
    await inTransaction(this.pool, async (db) => {
      const ids = [...byId.keys()].sort();
      const { rows } = await db.query<{ activity_id: string; definition: JsonObject }>(
        'SELECT activity_id, definition FROM xapi_activities WHERE school_id = $1 AND activity_id = ANY ($2) ORDER BY activity_id FOR UPDATE',
        [schoolId, ids],
      );
      const stored = new Map(rows.map((r) => [r.activity_id, r.definition]));
      const merged = ids.map((id) => JSON.stringify(mergeDefinitions(stored.get(id) ?? {}, byId.get(id)!)));
      await db.query(
        `INSERT INTO xapi_activities (school_id, activity_id, definition) SELECT $1, * FROM unnest($2::text[], $3::jsonb[])
         ON CONFLICT (school_id, activity_id) DO UPDATE SET definition = EXCLUDED.definition, updated_at = now()`,
        [schoolId, ids, merged],
      );
    });
  }

  /** The activity as the LRS knows it: its id, and its definition when a statement gave one. */
  async get(schoolId: string, activityId: string): Promise<JsonObject> {
    const { rows } = await this.pool.query<{ definition: JsonObject }>('SELECT definition FROM xapi_activities WHERE school_id = $1 AND activity_id = $2', [schoolId, activityId]);
    return rows[0] ? { objectType: 'Activity', id: activityId, definition: rows[0].definition } : { objectType: 'Activity', id: activityId };
  }
}
