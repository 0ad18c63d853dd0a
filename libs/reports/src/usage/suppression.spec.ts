import { rowSuppression, suppressCell, suppressRow } from './suppression';

describe('k-anonymous suppression (k = 5)', () => {
  const k = 5;

  it('suppresses a cell of 1 to 4 people, shows 5 and more, and zero', () => {
    expect(suppressCell({ people: 4, views: 40 }, k)).toEqual({ people: null, views: null, suppressed: true });
    expect(suppressCell({ people: 5, views: 7 }, k)).toEqual({ people: 5, views: 7, suppressed: false });
    expect(suppressCell({ people: 0, views: 0 }, k)).toEqual({ people: 0, views: 0, suppressed: false });
    expect(suppressCell({ people: 1, views: 1 }, 1)).toEqual({ people: 1, views: 1, suppressed: false });
  });

  it('with two or more small cells, suppresses just those', () => {
    expect(rowSuppression([4, 5, 2, 0], 11, k)).toEqual({ cells: [true, false, true, false], total: false });
  });

  it('with exactly one small cell, suppresses the next-smallest non-zero cell too (first of equals)', () => {
    expect(rowSuppression([4, 9, 6, 0, 6], 25, k)).toEqual({ cells: [true, false, true, false, false], total: false });
    expect(rowSuppression([12, 3, 5], 20, k)).toEqual({ cells: [false, true, true], total: false });
  });

  it('suppresses the total when no other cell can hide the small one', () => {
    expect(rowSuppression([3, 0], 6, k)).toEqual({ cells: [true, false], total: true });
  });

  it('suppresses a small total, and then needs no complement', () => {
    expect(rowSuppression([3, 0], 3, k)).toEqual({ cells: [true, false], total: true });
    expect(rowSuppression([], 0, k)).toEqual({ cells: [], total: false });
  });

  it('masks every figure of a suppressed cell, counts of events included', () => {
    const row = suppressRow(
      {
        cells: [
          { key: 'a', figures: { people: 5, events: 50 } },
          { key: 'b', figures: { people: 4, events: 400 } },
          { key: 'c', figures: { people: 8, events: 1 } },
        ],
        total: { people: 17, events: 451 },
      },
      k,
    );
    expect(row).toEqual({
      cells: [
        { key: 'a', people: null, events: null, suppressed: true },
        { key: 'b', people: null, events: null, suppressed: true },
        { key: 'c', people: 8, events: 1, suppressed: false },
      ],
      total: { people: 17, events: 451, suppressed: false },
    });
    // Nothing can be taken back by subtraction: total minus the shown cell leaves two unknowns.
  });
});
