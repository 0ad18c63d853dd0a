/**
 * Typed rows for SQL: `query<Row>(db, sql, params)` returns the rows of a
 * statement as `Row[]`, the interface of the columns it names (declared beside
 * the code that maps them), instead of the `any` rows of pg and TypeORM.
 */

/** Something that runs SQL: a pg Pool or client, a TypeORM DataSource or EntityManager. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** The rows of `sql` (pg answers `{ rows }`, TypeORM the rows themselves). */
export async function query<Row extends object>(db: Queryable, sql: string, params: readonly unknown[] = []): Promise<Row[]> {
  const result = await db.query(sql, [...params]);
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Row[];
}

/** The first row of `sql`, or null when it has none. */
export async function queryOne<Row extends object>(db: Queryable, sql: string, params: readonly unknown[] = []): Promise<Row | null> {
  return (await query<Row>(db, sql, params))[0] ?? null;
}
