/**
 * Helpers the progress reports share. Other features' read models (grades and
 * completion) are read through those features' exported readers
 * (`readGradebooks`, `readCompletion` from '@learnstream/grades'), not their tables.
 */

export const iso = (v: Date | string | null | undefined): string | null => (v === null || v === undefined ? null : new Date(v).toISOString());

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
