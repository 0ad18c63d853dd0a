/**
 * Many rows in one statement: `INSERT INTO table (columns) SELECT … FROM
 * unnest($1::type[], $2::type[], …)`, one array per column. A read model's
 * projection describes its rows once, as columns (name → SQL type and how a
 * row gives the value), instead of writing the column list, the unnest types
 * and the parameter arrays side by side by hand.
 */
import type { Queryable } from './typed-query';

/**
 * Each column: its SQL type and its value in a row. An array type (`text[]`) travels as JSON (a
 * ragged 2-D array cannot be unnested) and must not be null.
 */
export type Columns<R> = Record<string, readonly [sqlType: string, value: (row: R) => unknown]>;

/** Inserts `rows` into `table`; `then`: what follows the SELECT (`ON CONFLICT …`). Nothing when there are no rows. */
export async function insertRows<R>(db: Queryable, table: string, columns: Columns<R>, rows: readonly R[], then = ''): Promise<void> {
  if (!rows.length) return;
  const spec = Object.entries(columns).map(([name, [type, value]], i) => ({ name, type, value, alias: `c${i + 1}`, array: type.endsWith('[]') }));
  const select = spec.map((c) => (c.array ? `ARRAY(SELECT jsonb_array_elements_text(${c.alias}))::${c.type}` : c.alias));
  const unnest = spec.map((c, i) => `$${i + 1}::${c.array ? 'jsonb' : c.type}[]`);
  await db.query(
    `INSERT INTO ${table} (${spec.map((c) => c.name).join(', ')}) SELECT ${select.join(', ')} FROM unnest(${unnest.join(', ')}) AS t(${spec.map((c) => c.alias).join(', ')}) ${then}`,
    spec.map((c) => rows.map((r) => (c.array ? JSON.stringify(c.value(r)) : c.value(r)))),
  );
}
