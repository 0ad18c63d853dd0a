/**
 * Helpers the progress reports share. Other features' read models are read
 * through those features' exported readers, not their tables: courses and
 * enrolments (`readCourses`, `readEnrolments`, … from '@learnstream/courses'),
 * names (`readAccountNames`, '@learnstream/identity'; `readSchoolNames`,
 * '@learnstream/affiliations'), quizzes (`readQuizzes`, `countAttempts`,
 * '@learnstream/assessments'), grades and completion (`readGradebooks`,
 * `readCompletion`, `readCourseCompletions`, `readQuizGrading`,
 * '@learnstream/grades').
 */
import { read, runRead, type Queryable, type Read } from '@learnstream/database';
import type { AccountName } from '@learnstream/identity';
import { isoString } from '../rules';

export const iso = (v: Date | string | null | undefined): string | null => (v === null || v === undefined ? null : typeof v === 'string' ? isoString(v) : v.toISOString());

/**
 * Restriction of processing (privacy): a restricted person's data is kept but
 * leaves reports and statistics. `column` names the person's id in the query.
 *
 * The restricted ids come from ls_restricted_ids() (SECURITY DEFINER, computed
 * once per query): subject_flags itself is tenant-isolated, and a person seen
 * in a report's rows must be filtered whether or not their flags are in the
 * reader's scope.
 */
export const notRestricted = (column: string) => `NOT coalesce(${column} = ANY ((SELECT ls_restricted_ids())::uuid[]), false)`;

/** The restricted people (ls_restricted_ids(), as above), to leave out of rows read through another feature's reader. */
export const restrictedRead = (): Read<Set<string>> =>
  read('SELECT ls_restricted_ids()::text[] AS ids', [], (rows: { ids: string[] | null }[]) => new Set(rows[0]?.ids ?? []));

export const restrictedIds = (db: Queryable): Promise<Set<string>> => runRead(db, restrictedRead());

/**
 * Orders people as a report lists them, like `ORDER BY display_name NULLS LAST, id`: `named` is the
 * accounts reader's answer (already in that order, the database's collation); people without a
 * name (or without an account the reader may see) come last, by id.
 */
export function byDisplayName<T>(items: readonly T[], idOf: (item: T) => string, named: readonly AccountName[]): T[] {
  const rank = new Map(named.filter((n) => n.displayName !== null).map((n, i) => [n.userId, i]));
  // Each item's rank looked up once (not twice per comparison of the sort); the unnamed after every rank, by id.
  const keyed = items.map((item) => ({ item, id: idOf(item), rank: rank.get(idOf(item)) ?? Infinity }));
  keyed.sort((a, b) => a.rank - b.rank || (a.rank !== Infinity ? 0 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return keyed.map((k) => k.item);
}
