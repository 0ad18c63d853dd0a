/**
 * Many rows in one statement: `INSERT INTO table (columns) SELECT … FROM
 * json_to_recordset($1)`, the rows sent as one JSON parameter (one string
 * built by JSON.stringify, instead of one PostgreSQL array literal per column
 * escaped value by value by the driver). A read model's projection describes
 * its rows once, as columns (name → SQL type and how a row gives the value),
 * instead of writing the column list, the types and the parameter by hand.
 */
import type { Queryable } from './typed-query';

/**
 * Each column: its SQL type and its value in a row, as JSON carries it: a string, number, boolean, null (or undefined)
 * or, for an array type (`text[]`), an array. A bigint goes as its decimal string.
 */
export type Columns<R> = Record<string, readonly [sqlType: string, value: (row: R) => unknown]>;

/** Inserts `rows` into `table`; `then`: what follows the SELECT (`ON CONFLICT …`). Nothing when there are no rows. */
export async function insertRows<R>(db: Queryable, table: string, columns: Columns<R>, rows: readonly R[], then = ''): Promise<void> {
  if (!rows.length) return;
  const spec = Object.entries(columns).map(([name, [type, value]], i) => ({ name, type, value, key: `c${i + 1}` }));
  const records = rows.map((r) => {
    const record: Record<string, unknown> = {};
    for (const c of spec) record[c.key] = c.value(r);
    return record;
  });
  await db.query(
    `INSERT INTO ${table} (${spec.map((c) => c.name).join(', ')}) SELECT ${spec.map((c) => c.key).join(', ')}
     FROM json_to_recordset($1::json) AS t(${spec.map((c) => `${c.key} ${c.type}`).join(', ')}) ${then}`,
    [JSON.stringify(records)],
  );
}
