// An independent oracle for the tests: the §6 definitions as plain float64 loops over number arrays, computed another
// way than the reference where there is one (Gauss–Jordan on X Xᵀ instead of QR; L1 and its derivative through w1).
import { toNumbers, type NdArray } from '../../graders/npz/ndarray.js';

/** X as rows of numbers. */
export function rowsOf(X: NdArray): number[][] {
  const [n, d] = X.shape;
  const v = toNumbers(X);
  return Array.from({ length: n }, (_, i) => v.slice(i * d, (i + 1) * d));
}

const dotL = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
const times = (X: number[][], w: number[]) => X.map((row) => dotL(row, w));
const timesT = (X: number[][], r: number[]) => X[0].map((_, j) => X.reduce((s, row, i) => s + row[j] * r[i], 0));

/** ∇L(w) = (2/n) Xᵀ (X w − t). */
export function gradientLoop(X: number[][], t: number[], w: number[]): number[] {
  const r = times(X, w).map((v, i) => v - t[i]);
  return timesT(X, r).map((v) => (2 / X.length) * v);
}

/** L(w) = (1/n) ||X w − t||². */
export function lossLoop(X: number[][], t: number[], w: number[]): number {
  const r = times(X, w).map((v, i) => v - t[i]);
  return dotL(r, r) / X.length;
}

/** w* = Xᵀ y with (X Xᵀ) y = t solved by Gauss–Jordan elimination with partial pivoting. */
export function minNormLoop(X: number[][], t: number[]): number[] {
  const n = X.length;
  const A = X.map((ri, i) => [...X.map((rj) => dotL(ri, rj)), t[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    [A[c], A[p]] = [A[p], A[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let k = c; k <= n; k++) A[r][k] -= f * A[c][k];
    }
  }
  const y = A.map((row, i) => row[n] / row[i]);
  return timesT(X, y);
}

/** L1(η) = L(w0 − η ∇L(w0)), by taking the step. */
export function lossAfterStepLoop(X: number[][], t: number[], w0: number[], lr: number): number {
  const g = gradientLoop(X, t, w0);
  return lossLoop(X, t, w0.map((v, i) => v - lr * g[i]));
}

/** dL1/dη = −∇L(w1) · ∇L(w0), by the chain rule through w1 = w0 − η ∇L(w0). */
export function hypergradientLoop(X: number[][], t: number[], w0: number[], lr: number): number {
  const g0 = gradientLoop(X, t, w0);
  const g1 = gradientLoop(X, t, w0.map((v, i) => v - lr * g0[i]));
  return -dotL(g1, g0);
}

/** η* as the minimiser of the quadratic L1: from L1 at three points, η* = −b / 2c for L1(η) = a + bη + cη². */
export function optimalLrLoop(X: number[][], t: number[], w0: number[]): number {
  const l0 = lossAfterStepLoop(X, t, w0, 0);
  const l1 = lossAfterStepLoop(X, t, w0, 1);
  const lm = lossAfterStepLoop(X, t, w0, -1);
  const c = (l1 + lm - 2 * l0) / 2;
  const b = (l1 - lm) / 2;
  return -b / (2 * c);
}

/** SGD with momentum (torch.optim.SGD), elementwise. */
export function sgdMomentumLoop(w: number[], g: number[], v: number[], lr: number, momentum: number) {
  const velocity = v.map((x, i) => momentum * x + g[i]);
  return { w: w.map((x, i) => x - lr * velocity[i]), velocity };
}

/** RMSProp (torch.optim.RMSprop), elementwise. */
export function rmspropLoop(w: number[], g: number[], s: number[], lr: number, alpha: number, eps: number) {
  const squareAvg = s.map((x, i) => alpha * x + (1 - alpha) * g[i] * g[i]);
  return { w: w.map((x, i) => x - (lr * g[i]) / (Math.sqrt(squareAvg[i]) + eps)), square_avg: squareAvg };
}

/** Adam (torch.optim.Adam) at step t, elementwise. */
export function adamLoop(w: number[], g: number[], m: number[], v: number[], t: number, lr: number, beta1: number, beta2: number, eps: number) {
  const m1 = m.map((x, i) => beta1 * x + (1 - beta1) * g[i]);
  const v1 = v.map((x, i) => beta2 * x + (1 - beta2) * g[i] * g[i]);
  return {
    w: w.map((x, i) => x - (lr * (m1[i] / (1 - beta1 ** t))) / (Math.sqrt(v1[i] / (1 - beta2 ** t)) + eps)),
    m: m1,
    v: v1,
  };
}

/** The course's rel_error: max over elements of |a−e| / max(1e-8, |a|+|e|). */
export function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const e = Number(expected[i]);
    worst = Math.max(worst, Math.abs(a - e) / Math.max(1e-8, Math.abs(a) + Math.abs(e)));
  }
  return actual.length === expected.length ? worst : Infinity;
}
