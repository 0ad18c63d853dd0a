/**
 * k-anonymity of the usage statistics. A cell computed from fewer than k
 * distinct people (but not none) is suppressed: all its figures, the counts
 * of events or views too, read null with `suppressed: true`. Zero cells are
 * shown: they describe nobody.
 *
 * A row is one period of one measure across the values of a dimension, with
 * the period's total. When exactly one cell of a row is suppressed and the
 * total is shown, the total minus the other cells would give it back: the
 * next-smallest shown cell (fewest people, not zero) is suppressed too
 * (complementary suppression); where there is none, the total is. A total
 * itself under k is suppressed like any cell.
 */

/** A cell's figures: `people` (distinct persons) and any counts computed from them. */
export type Figures = { people: number } & Record<string, number>;
export type Masked<F extends Figures> = { [K in keyof F]: number | null } & { suppressed: boolean };

export function isSmall(people: number, k: number): boolean {
  return people > 0 && people < k;
}

export function mask<F extends Figures>(figures: F, suppressed: boolean): Masked<F> {
  const out: Record<string, number | null | boolean> = {};
  for (const [name, value] of Object.entries(figures)) out[name] = suppressed ? null : value;
  out.suppressed = suppressed;
  return out as Masked<F>;
}

/** Which cells of a row, and whether its total, to suppress. Ties go to the earlier cell. */
export function rowSuppression(cellPeople: readonly number[], totalPeople: number, k: number): { cells: boolean[]; total: boolean } {
  const cells = cellPeople.map((n) => isSmall(n, k));
  let total = isSmall(totalPeople, k);
  if (!total && cells.filter(Boolean).length === 1) {
    let next = -1;
    cellPeople.forEach((n, i) => {
      if (!cells[i] && n > 0 && (next < 0 || n < cellPeople[next])) next = i;
    });
    if (next >= 0) cells[next] = true;
    else total = true;
  }
  return { cells, total };
}

export interface Row<F extends Figures> {
  cells: { key: string; figures: F }[];
  total: F;
}

export function suppressRow<F extends Figures>(row: Row<F>, k: number): { cells: ({ key: string } & Masked<F>)[]; total: Masked<F> } {
  const hidden = rowSuppression(row.cells.map((c) => c.figures.people), row.total.people, k);
  return {
    cells: row.cells.map((c, i) => ({ key: c.key, ...mask(c.figures, hidden.cells[i]) })),
    total: mask(row.total, hidden.total),
  };
}

/** A figure that stands alone (no row, no total): suppressed when small. */
export function suppressCell<F extends Figures>(figures: F, k: number): Masked<F> {
  return mask(figures, isSmall(figures.people, k));
}
