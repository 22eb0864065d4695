// An independent oracle for the tests: the mlp-backprop formulas as plain JS loops in float64, no TensorFlow.js.
import type { NdArray } from '../../graders/npz/ndarray.js';
import { toNumbers } from '../../graders/npz/ndarray.js';

/** A row-major float64 matrix. */
export interface Mat {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** Reads a 1-d or 2-d array as a matrix (a 1-d array becomes one row). */
export function mat(a: NdArray): Mat {
  const [rows, cols] = a.shape.length === 1 ? [1, a.shape[0]] : [a.shape[0], a.shape[1]];
  return { rows, cols, data: Float64Array.from(toNumbers(a)) };
}

export function at(m: Mat, i: number, j: number): number {
  return m.data[i * m.cols + j];
}

/** x @ W.T + b for x [B, in], W [out, in], b [out]. */
export function linearLoop(x: Mat, w: Mat, b: Mat): Mat {
  const out = new Float64Array(x.rows * w.rows);
  for (let i = 0; i < x.rows; i++) {
    for (let o = 0; o < w.rows; o++) {
      let s = b.data[o];
      for (let k = 0; k < x.cols; k++) s += at(x, i, k) * at(w, o, k);
      out[i * w.rows + o] = s;
    }
  }
  return { rows: x.rows, cols: w.rows, data: out };
}

/** Elementwise max(0, v). */
export function reluLoop(x: Mat): Mat {
  return { ...x, data: x.data.map((v) => Math.max(0, v)) };
}

/** Row-wise log softmax via log-sum-exp around the row maximum. */
export function logSoftmaxLoop(logits: Mat): Mat {
  const out = new Float64Array(logits.data.length);
  for (let i = 0; i < logits.rows; i++) {
    let m = -Infinity;
    for (let j = 0; j < logits.cols; j++) m = Math.max(m, at(logits, i, j));
    let s = 0;
    for (let j = 0; j < logits.cols; j++) s += Math.exp(at(logits, i, j) - m);
    const lse = m + Math.log(s);
    for (let j = 0; j < logits.cols; j++) out[i * logits.cols + j] = at(logits, i, j) - lse;
  }
  return { ...logits, data: out };
}

/** Mean over rows of -log softmax(logits)[i, target[i]]. */
export function crossEntropyLoop(logits: Mat, target: number[]): number {
  const logp = logSoftmaxLoop(logits);
  let total = 0;
  for (let i = 0; i < logits.rows; i++) total -= at(logp, i, target[i]);
  return total / logits.rows;
}

/** Fraction of rows whose (first) argmax is the target. */
export function accuracyLoop(logits: Mat, target: number[]): number {
  let hits = 0;
  for (let i = 0; i < logits.rows; i++) {
    let best = 0;
    for (let j = 1; j < logits.cols; j++) if (at(logits, i, j) > at(logits, i, best)) best = j;
    if (best === target[i]) hits++;
  }
  return hits / logits.rows;
}

/** The course's rel_error: max over elements of |a-e| / max(1e-8, |a|+|e|). */
export function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = Number(actual[i]);
    const e = Number(expected[i]);
    worst = Math.max(worst, Math.abs(a - e) / Math.max(1e-8, Math.abs(a) + Math.abs(e)));
  }
  return worst;
}

/** Largest |a - e| / (atol + |e|): at most 1 means allclose(rtol=1, atol) in spirit; used as "error relative to size + atol". */
export function maxScaledError(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = Number(expected[i]);
    worst = Math.max(worst, Math.abs(Number(actual[i]) - e) / (atol + Math.abs(e)));
  }
  return worst;
}
