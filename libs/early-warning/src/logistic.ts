/**
 * Logistic regression fitted by iteratively reweighted least squares (Newton's
 * method on the log-likelihood) with an L2 penalty λ·Σβⱼ² on the weights (not
 * on the intercept):
 *
 *   p = σ(β₀ + Σ βⱼ xⱼ),   β ← β + (XᵀWX + 2λI)⁻¹ (Xᵀ(y − p) − 2λβ),   W = diag(p(1 − p))
 *
 * until the largest step is below 1e-8 (or 50 iterations). The features are
 * expected standardised (mean 0, sd 1) so that one λ fits them all.
 */

export interface LogisticFit {
  intercept: number;
  weights: number[];
  iterations: number;
}

export const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export function fitLogistic(rows: readonly (readonly number[])[], outcomes: readonly boolean[], options: { l2?: number; maxIterations?: number } = {}): LogisticFit {
  const l2 = options.l2 ?? 1;
  const maxIterations = options.maxIterations ?? 50;
  if (rows.length !== outcomes.length || !rows.length) throw new Error('fitLogistic: one outcome per row, at least one row');
  const k = rows[0].length + 1; // intercept first
  const beta = new Array<number>(k).fill(0);
  let iterations = 0;
  for (; iterations < maxIterations; iterations += 1) {
    const hessian = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    const gradient = new Array<number>(k).fill(0);
    for (let i = 0; i < rows.length; i += 1) {
      const x = rows[i];
      let z = beta[0];
      for (let j = 1; j < k; j += 1) z += beta[j] * x[j - 1];
      const p = sigmoid(z);
      const w = Math.max(p * (1 - p), 1e-10);
      const r = (outcomes[i] ? 1 : 0) - p;
      for (let a = 0; a < k; a += 1) {
        const xa = a === 0 ? 1 : x[a - 1];
        gradient[a] += xa * r;
        for (let b = 0; b <= a; b += 1) hessian[a][b] += w * xa * (b === 0 ? 1 : x[b - 1]);
      }
    }
    for (let a = 0; a < k; a += 1) for (let b = 0; b < a; b += 1) hessian[b][a] = hessian[a][b];
    for (let j = 1; j < k; j += 1) {
      hessian[j][j] += 2 * l2;
      gradient[j] -= 2 * l2 * beta[j];
    }
    const step = solve(hessian, gradient);
    let largest = 0;
    for (let j = 0; j < k; j += 1) {
      beta[j] += step[j];
      largest = Math.max(largest, Math.abs(step[j]));
    }
    if (largest < 1e-8) {
      iterations += 1;
      break;
    }
  }
  return { intercept: beta[0], weights: beta.slice(1), iterations };
}

/** Solves A x = b (A symmetric positive definite) by Gaussian elimination with partial pivoting. */
export function solve(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col += 1) {
    let pivot = col;
    for (let r = col + 1; r < n; r += 1) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    if (Math.abs(m[col][col]) < 1e-12) throw new Error('solve: singular matrix');
    for (let r = col + 1; r < n; r += 1) {
      const f = m[r][col] / m[col][col];
      for (let c = col; c <= n; c += 1) m[r][c] -= f * m[col][c];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r -= 1) {
    let s = m[r][n];
    for (let c = r + 1; c < n; c += 1) s -= m[r][c] * x[c];
    x[r] = s / m[r][r];
  }
  return x;
}
