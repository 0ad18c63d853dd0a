/**
 * The affiliations feature's read models as other features read them, inside
 * their TenantDb transaction (row-level security on). Reports read `schools`
 * only through here.
 */
import { query, type Queryable } from '@learnstream/database';

/** The names of these schools (those the reader may see), by id. */
export async function readSchoolNames(db: Queryable, schoolIds: readonly string[]): Promise<Map<string, string>> {
  if (!schoolIds.length) return new Map();
  const rows = await query<{ school_id: string; name: string }>(db, 'SELECT school_id, name FROM schools WHERE school_id = ANY ($1)', [schoolIds]);
  return new Map(rows.map((r) => [r.school_id, r.name]));
}
