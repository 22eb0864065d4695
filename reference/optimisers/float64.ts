// Float64 linear algebra for the least-squares questions. TensorFlow.js tensors are float32 only, and float32 does not
// reproduce these definitions: an ill-conditioned X X^T loses every digit of w* in float32, a gradient-descent run of
// hundreds of steps cannot get within 1e-6 of w*, and L1(eta) near its minimum is a difference of nearly equal sums.
// So these questions compute with plain loops over Float64Array (one rounding per operation, as NumPy does) and
// store float64 outputs, the dtype student code computes in.
import type { Rng } from '../../graders/answer-key/rng.js';
import { float64, toNumbers, type NdArray } from '../../graders/npz/ndarray.js';

/** A row-major float64 matrix; a vector is a matrix with one column. */
export interface Mat {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function zeros(rows: number, cols: number): Mat {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** An [n, d] array as a matrix, or an [n] array as a column vector. */
export function fromArray(a: NdArray): Mat {
  if (a.shape.length === 1) return { rows: a.shape[0], cols: 1, data: Float64Array.from(toNumbers(a)) };
  if (a.shape.length === 2) return { rows: a.shape[0], cols: a.shape[1], data: Float64Array.from(toNumbers(a)) };
  throw new Error(`expected a vector or a matrix, got shape [${a.shape.join(', ')}]`);
}

/** A column vector as a float64 array of shape [rows]. */
export function vectorArray(v: Mat): NdArray {
  return float64(v.data, [v.rows]);
}

export function matrixArray(m: Mat): NdArray {
  return float64(m.data, [m.rows, m.cols]);
}

export function transpose(m: Mat): Mat {
  const out = zeros(m.cols, m.rows);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out.data[j * m.rows + i] = m.data[i * m.cols + j];
  return out;
}

export function matmul(a: Mat, b: Mat): Mat {
  if (a.cols !== b.rows) throw new Error(`cannot multiply [${a.rows}, ${a.cols}] by [${b.rows}, ${b.cols}]`);
  const out = zeros(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      for (let j = 0; j < b.cols; j++) out.data[i * b.cols + j] += aik * b.data[k * b.cols + j];
    }
  }
  return out;
}

/** a + s * b, elementwise. */
export function addScaled(a: Mat, s: number, b: Mat): Mat {
  return { rows: a.rows, cols: a.cols, data: a.data.map((v, i) => v + s * b.data[i]) };
}

export function scale(a: Mat, s: number): Mat {
  return { rows: a.rows, cols: a.cols, data: a.data.map((v) => v * s) };
}

export function dot(a: Mat, b: Mat): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i] * b.data[i];
  return s;
}

export function norm(a: Mat): number {
  return Math.sqrt(dot(a, a));
}

/**
 * The minimum-norm solution of X w = t for X [n, d] of full row rank, w* = X^T (X X^T)^-1 t, computed without forming
 * X X^T: with X^T = Q R (Householder, Q [d, n] orthonormal, R [n, n] upper triangular), X X^T = R^T R and
 * w* = Q R^-T t. Its error grows with cond(X), not cond(X)^2 as a solve with X X^T would.
 */
export function minNormSolve(X: Mat, t: Mat): Mat {
  const { q, r } = thinQr(transpose(X));
  const n = X.rows;
  // R^T y = t by forward substitution.
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = t.data[i];
    for (let k = 0; k < i; k++) s -= r.data[k * n + i] * y[k];
    y[i] = s / r.data[i * n + i];
  }
  return matmul(q, { rows: n, cols: 1, data: y });
}

/** Householder QR of A [m, k] with m >= k: Q [m, k] with orthonormal columns, R [k, k] upper triangular. */
export function thinQr(A: Mat): { q: Mat; r: Mat } {
  const m = A.rows;
  const k = A.cols;
  const a = Float64Array.from(A.data);
  const reflectors: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(m);
    let alpha = 0;
    for (let i = j; i < m; i++) alpha += a[i * k + j] ** 2;
    alpha = Math.sqrt(alpha) * (a[j * k + j] > 0 ? -1 : 1);
    for (let i = j; i < m; i++) v[i] = a[i * k + j];
    v[j] -= alpha;
    const vv = v.reduce((s, x) => s + x * x, 0);
    if (vv > 0) {
      for (let c = j; c < k; c++) {
        let s = 0;
        for (let i = j; i < m; i++) s += v[i] * a[i * k + c];
        const f = (2 * s) / vv;
        for (let i = j; i < m; i++) a[i * k + c] -= f * v[i];
      }
    }
    reflectors.push(v);
  }
  const r = zeros(k, k);
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) r.data[i * k + j] = a[i * k + j];
  // Q = H_0 H_1 ... H_{k-1} applied to the first k columns of the identity.
  const q = zeros(m, k);
  for (let i = 0; i < k; i++) q.data[i * k + i] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const v = reflectors[j];
    const vv = v.reduce((s, x) => s + x * x, 0);
    if (vv === 0) continue;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let i = j; i < m; i++) s += v[i] * q.data[i * k + c];
      const f = (2 * s) / vv;
      for (let i = j; i < m; i++) q.data[i * k + c] -= f * v[i];
    }
  }
  return { q, r };
}

/** A float64 array of N(0, scale²) values (full float64 precision, not float32 values widened). */
export function randn64(rng: Rng, shape: number[], scaleBy = 1): NdArray {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) data[i] = rng.normal() * scaleBy;
  return { dtype: 'float64', shape: [...shape], data };
}

/**
 * An [n, d] matrix with d > n: Gaussian entries scaled by 1/sqrt(d), or, with `cond`, U diag(s) V^T whose singular
 * values s run geometrically from 1 to 1/cond (U [n, n] and V [d, n] orthonormal, from QR of Gaussian matrices).
 */
export function wideMatrix(rng: Rng, n: number, d: number, cond?: number): Mat {
  if (!(d > n)) throw new Error(`X must be wide (d > n), got n = ${n}, d = ${d}`);
  const gaussian = (rows: number, cols: number, s = 1): Mat => fromArray(randn64(rng, [rows, cols], s));
  if (cond === undefined) return gaussian(n, d, 1 / Math.sqrt(d));
  const u = thinQr(gaussian(n, n)).q;
  const v = thinQr(gaussian(d, n)).q;
  const s = Array.from({ length: n }, (_, i) => (n === 1 ? 1 : cond ** (-i / (n - 1))));
  const us = zeros(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) us.data[i * n + j] = u.data[i * n + j] * s[j];
  return matmul(us, transpose(v));
}
