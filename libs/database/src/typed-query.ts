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

/** One SELECT of a `Read`, with its own parameters ($1, $2, … as if it ran alone). */
interface ReadPart {
  sql: string;
  params: readonly unknown[];
  /**
   * Sent as a statement of its own, its rows as pg gives them: for a read of many rows, whose JSON would cost
   * PostgreSQL more to build (about twice the statement's own time for 1,300 rows of 7 columns) than one more round
   * trip costs. Its columns must be of types that pg and JSON give alike: text, uuid, integer, double precision, boolean.
   */
  alone: boolean;
}

/**
 * A read to run later, alone (`runRead`) or with others in one round trip (`readTogether`, `combineReads`): its
 * SELECTs, and what makes its value of their rows. The rows come as PostgreSQL's JSON gives them (each statement's
 * rows are aggregated with json_agg, in the statement's order): timestamps as ISO-8601 strings (`new Date(s)`),
 * numeric and bigint as numbers, json and jsonb as values, arrays as arrays. A reader declares its row interface
 * that way. The statements must not contain `$` followed by digits other than their parameters.
 */
export interface Read<T> {
  readonly parts: readonly ReadPart[];
  readonly map: (rows: readonly unknown[][]) => T;
}

/** A read of one statement's rows (`Row`: the statement's columns as JSON gives them), mapped by `map`; `alone`: see ReadPart. */
export function read<Row extends object, T = Row[]>(sql: string, params: readonly unknown[], map?: (rows: Row[]) => T, { alone = false } = {}): Read<T> {
  return { parts: [{ sql, params, alone }], map: ([rows]) => (map ? map(rows as Row[]) : (rows as unknown as T)) };
}

/** A read that needs no statement (nothing to look up): its value. */
export const knownRead = <T>(value: T): Read<T> => ({ parts: [], map: () => value });

type ReadValues<R extends Record<string, Read<unknown>>> = { [K in keyof R]: R[K] extends Read<infer T> ? T : never };

/** Several reads as one, whose value `map` makes of theirs: their statements run in the same round trip. */
export function combineReads<R extends Record<string, Read<unknown>>, T>(reads: R, map: (values: ReadValues<R>) => T): Read<T> {
  const entries = Object.entries(reads);
  return {
    parts: entries.flatMap(([, r]) => r.parts),
    map: (rows) => {
      let at = 0;
      const values = Object.fromEntries(
        entries.map(([name, r]) => {
          const mine = rows.slice(at, at + r.parts.length);
          at += r.parts.length;
          return [name, r.map(mine)];
        }),
      );
      return map(values as ReadValues<R>);
    },
  };
}

/** Runs a read: its statements in one (a column of json_agg each, parameters renumbered), those read `alone` after it, each in its own. */
export async function runRead<T>(db: Queryable, r: Read<T>): Promise<T> {
  const rows = new Array<unknown[]>(r.parts.length);
  const joined = r.parts.flatMap((part, i) => (part.alone ? [] : [{ part, i }]));
  if (joined.length) {
    const params: unknown[] = [];
    const columns = joined.map(({ part }, k) => {
      const offset = params.length;
      params.push(...part.params);
      const sql = offset ? part.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`) : part.sql;
      return `(SELECT coalesce(json_agg(t), '[]'::json) FROM (${sql}) t) AS r${k}`;
    });
    const row = await queryOne<Record<string, unknown[]>>(db, `SELECT ${columns.join(',\n')}`, params);
    joined.forEach(({ i }, k) => (rows[i] = row![`r${k}`]));
  }
  for (const [i, part] of r.parts.entries()) if (part.alone) rows[i] = await query(db, part.sql, part.params);
  return r.map(rows);
}

/** Runs these reads in one round trip (runRead of their combination); their values by the same names. */
export function readTogether<R extends Record<string, Read<unknown>>>(db: Queryable, reads: R): Promise<ReadValues<R>> {
  return runRead(db, combineReads(reads, (values) => values));
}
