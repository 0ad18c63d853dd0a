import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tenant policies read the request's scope once per statement, not once
 * per row (issue 15, the class report).
 *
 * ls_school_ids(), ls_user_ids() and ls_course_ids() are SQL functions that
 * the planner inlines: written bare in a policy, `school_id = ANY
 * (ls_school_ids())` read the setting and parsed its text into a uuid[] again
 * for every row the policy judged (EXPLAIN: `school_id = ANY
 * ((COALESCE(NULLIF(current_setting(…)…)::uuid[])` in the scan's filter). On
 * the 1,000,000-event term that was most of the time of the class report's
 * statements: 4,480 question results judged in 32 ms, 5.5 ms once the scope
 * is a sub-select. Written `(SELECT ls_school_ids())::uuid[]`, the call is an
 * InitPlan: evaluated once per statement, its value then compared row by row;
 * the planner also estimates the filter as the scan's rows, not the 0.5 % it
 * guessed for the inlined expression.
 *
 * Same functions, same settings, same transaction: every policy admits
 * exactly the rows it admitted before. Each policy that reads an array
 * setting is rewritten from the catalogue (pg_policies, as PostgreSQL prints
 * it), every ls_…() call in it wrapped; policies that only test
 * ls_scope_all() (one boolean setting, no parse) are left as they are. Later
 * migrations write their policies in this form (row-security.spec.ts checks it).
 */
const ARRAY_SCOPE = /\bls_(school_ids|user_ids|course_ids)\(\)/;

interface PolicyRow {
  table: string;
  name: string;
  qual: string | null;
  with_check: string | null;
}

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Every scope function call of a policy expression as a sub-select (an InitPlan). */
function scopeOnce(expression: string): string {
  return expression
    .replace(/\bls_(school_ids|user_ids|course_ids)\(\)/g, '(SELECT ls_$1())::uuid[]')
    .replace(/\bls_scope_all\(\)/g, '(SELECT ls_scope_all())');
}

/** The inverse, as pg_policies prints a sub-select: `( SELECT ls_school_ids() AS ls_school_ids)`. */
function scopePerRow(expression: string): string {
  return expression.replace(/\(\s*SELECT (ls_(?:school_ids|user_ids|course_ids|scope_all))\(\) AS \1\)(::uuid\[\])?/g, '$1()');
}

async function policies(q: QueryRunner): Promise<PolicyRow[]> {
  return (await q.query(
    `SELECT tablename AS table, policyname AS name, qual, with_check FROM pg_policies WHERE schemaname = current_schema() ORDER BY tablename, policyname`,
  )) as PolicyRow[];
}

async function rewrite(q: QueryRunner, p: PolicyRow, change: (expression: string) => string): Promise<void> {
  const using = p.qual === null ? '' : ` USING (${change(p.qual)})`;
  const check = p.with_check === null ? '' : ` WITH CHECK (${change(p.with_check)})`;
  await q.query(`ALTER POLICY ${quoted(p.name)} ON ${quoted(p.table)}${using}${check}`);
}

export class RowSecurityScopeOnce1738020000100 implements MigrationInterface {
  name = 'RowSecurityScopeOnce1738020000100';

  async up(q: QueryRunner): Promise<void> {
    for (const p of await policies(q)) {
      const text = `${p.qual ?? ''} ${p.with_check ?? ''}`;
      if (ARRAY_SCOPE.test(text) && !/SELECT ls_/.test(text)) await rewrite(q, p, scopeOnce);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const p of await policies(q)) {
      if (/SELECT ls_/.test(`${p.qual ?? ''} ${p.with_check ?? ''}`)) await rewrite(q, p, scopePerRow);
    }
  }
}
