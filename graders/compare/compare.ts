// Compares a student's array with the expected one and describes the difference as data.
import { type NdArray, numberView, sizeOf, toNumbers } from '../npz/ndarray.js';
import type { CompareModeT } from '../manifest/schema.js';

export interface Tolerance {
  mode: CompareModeT;
  rtol: number;
  atol: number;
}

/** A pattern the numbers show, e.g. the answer is the expected one times a constant. */
export type Pattern =
  | { kind: 'scaled'; factor: number }
  | { kind: 'negated' }
  | { kind: 'transposed' }
  | { kind: 'offset'; delta: number }
  | { kind: 'mistake'; id: string }
  /** The output should solve matrix @ x = rhs and does not: ||A x - b|| / ||b|| (Infinity for non-finite values). */
  | { kind: 'not-a-solution'; residual: number; matrix: string; rhs: string }
  /** The output solves matrix @ x = rhs, but its norm is `ratio` times the expected solution's. */
  | { kind: 'larger-norm'; ratio: number; matrix: string; rhs: string };

/** Everything known about one output's comparison; templates turn it into words. */
export interface Diagnostics {
  pass: boolean;
  /** The first check that failed: shape, then dtype, then non-finite values, then the values themselves. */
  failure?: 'missing' | 'shape' | 'dtype' | 'nonfinite' | 'values';
  expectedShape: number[];
  actualShape?: number[];
  expectedDtype: string;
  actualDtype?: string;
  size: number;
  nanCount?: number;
  infCount?: number;
  /** Elements outside the tolerance. */
  mismatchCount?: number;
  maxAbsError?: number;
  /** The course's rel_error: max over elements of |a-e| / max(1e-8, |a|+|e|). */
  relError?: number;
  /** The element with the largest relative error. */
  worst?: { index: number[]; actual: number; expected: number };
  patterns: Pattern[];
  tolerance: Tolerance;
  message?: string;
}

const FLOAT_KINDS = new Set(['float32', 'float64']);

/** Compares `actual` (the student's, possibly missing) with `expected` under `tol`. */
export function compareArrays(actual: NdArray | undefined, expected: NdArray, tol: Tolerance, mistakes: Record<string, NdArray> = {}): Diagnostics {
  const base: Diagnostics = { pass: false, expectedShape: expected.shape, expectedDtype: expected.dtype, size: sizeOf(expected.shape), patterns: [], tolerance: tol };
  if (!actual) return { ...base, failure: 'missing' };
  const withActual: Diagnostics = { ...base, actualShape: actual.shape, actualDtype: actual.dtype };

  if (!sameShape(actual.shape, expected.shape)) {
    const matchedMistake = findMistake(actual, mistakes, tol);
    const patterns: Pattern[] = matchedMistake ? [{ kind: 'mistake', id: matchedMistake }] : [];
    if (!matchedMistake && isTransposeOf(actual, expected, tol)) patterns.push({ kind: 'transposed' });
    return { ...withActual, failure: 'shape', patterns };
  }
  if (tol.mode === 'shape') return { ...withActual, pass: true };

  // Read in place: copying every element into a JS array cost more than the comparison.
  const a = numberView(actual);
  const e = numberView(expected);
  const expectFloat = FLOAT_KINDS.has(expected.dtype);
  // An integer or boolean answer given as floats of the right values is fine; floats where integers are expected are not when exact.
  if (tol.mode === 'exact' && !expectFloat && FLOAT_KINDS.has(actual.dtype) && !allIntegers(a)) {
    return { ...withActual, failure: 'dtype', patterns: [] };
  }

  let nanCount = 0;
  let infCount = 0;
  let mismatchCount = 0;
  let maxAbs = 0;
  let relError = 0;
  let worstAt = 0;
  let unexpectedNonFinite = 0;
  // scaled: every element is judged against the largest expected magnitude (a map's own scale).
  const scale = tol.mode === 'scaled' ? maxAbsFinite(e) : 0;
  const within = elementTest(tol, scale);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = e[i];
    const diff = Math.abs(x - y);
    const rel = diff / Math.max(1e-8, Math.abs(x) + Math.abs(y));
    // A finite difference means both values are finite: the common case needs none of the NaN and Inf checks.
    if (diff - diff === 0) {
      if (!within(x, y, diff, rel)) mismatchCount++;
      if (diff > maxAbs) maxAbs = diff;
      if (rel > relError) {
        relError = rel;
        worstAt = i;
      }
      continue;
    }
    if (Number.isNaN(x)) nanCount++;
    else if (!Number.isFinite(x)) infCount++;
    const bothSameNonFinite = !Number.isFinite(y) && (Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)));
    if (!Number.isFinite(x) && !bothSameNonFinite) unexpectedNonFinite++;
    if (!bothSameNonFinite && !within(x, y, diff, rel)) mismatchCount++;
    // Written so that NaN counts as the worst element: !(rel <= relError).
    if (!bothSameNonFinite && !(rel <= relError)) {
      relError = Number.isNaN(rel) ? Number.POSITIVE_INFINITY : rel;
      worstAt = i;
    }
  }
  const stats: Diagnostics = {
    ...withActual,
    nanCount,
    infCount,
    mismatchCount,
    maxAbsError: maxAbs,
    relError,
    worst: a.length > 0 ? { index: unravel(worstAt, expected.shape), actual: a[worstAt], expected: e[worstAt] } : undefined,
  };
  const valuesPass = tol.mode === 'rel_error' ? unexpectedNonFinite === 0 && relError <= tol.rtol : mismatchCount === 0 && unexpectedNonFinite === 0;
  if (valuesPass) return { ...stats, pass: true };
  // Known mistakes are looked for only in a wrong answer: a passing one names no pattern.
  const matchedMistake = findMistake(actual, mistakes, tol);
  const patterns: Pattern[] = matchedMistake ? [{ kind: 'mistake', id: matchedMistake }] : [];
  if (!matchedMistake && unexpectedNonFinite === 0) patterns.push(...valuePatterns(toNumbers(actual), toNumbers(expected), tol));
  return { ...stats, failure: unexpectedNonFinite > 0 ? 'nonfinite' : 'values', patterns };
}

/** Whether one element is within the tolerance, as a function chosen once per output (not a switch per element). */
function elementTest(tol: Tolerance, scale: number): (x: number, y: number, diff: number, rel: number) => boolean {
  switch (tol.mode) {
    case 'scaled': {
      const bound = tol.atol + tol.rtol * scale;
      return (_x, _y, diff) => diff <= bound;
    }
    case 'exact':
      return (x, y) => x === y;
    case 'allclose':
      return (_x, y, diff) => diff <= tol.atol + tol.rtol * Math.abs(y);
    case 'rel_error':
      return (_x, _y, _diff, rel) => rel <= tol.rtol;
    case 'shape':
      return () => true;
  }
}

/**
 * The id of the first known mistake whose output the student's matches (NaNs at the same places count as equal).
 * Elementwise allclose, or under a `scaled` question tolerance against the mistake's own largest value (float32
 * gradients that cancel differ elementwise, not against the map's scale).
 */
function findMistake(actual: NdArray, mistakes: Record<string, NdArray>, question: Tolerance): string | undefined {
  const tol: Tolerance = { mode: 'allclose', rtol: 1e-4, atol: 1e-6 };
  for (const [id, wrong] of Object.entries(mistakes)) {
    if (!sameShape(actual.shape, wrong.shape)) continue;
    const a = numberView(actual);
    const w = numberView(wrong);
    const bound = question.mode === 'scaled' ? question.atol + question.rtol * maxAbsFinite(w) : 0;
    const close = (x: number, y: number) =>
      question.mode === 'scaled' ? Math.abs(x - y) <= bound : Math.abs(x - y) <= tol.atol + tol.rtol * Math.abs(y);
    let same = true;
    for (let i = 0; same && i < a.length; i++) same = (Number.isNaN(a[i]) && Number.isNaN(w[i])) || a[i] === w[i] || close(a[i], w[i]);
    if (same) return id;
  }
  return undefined;
}

/** Relative residual below which an output counts as a solution of its linear system (float32 answers included). */
const SOLUTION_RESIDUAL = 1e-5;

/**
 * What a wrong output of a linear solve shows: not a solution of A x = b, or a solution with a larger norm than the
 * expected (minimum-norm) one. `matrix` is [m, k], the output [k] or [k, j] and `rhs` [m] or [m, j]; other shapes
 * give no pattern. Computed in float64 from the numbers only, so noise from inverting a singular matrix is recognised
 * whatever values it happens to take.
 */
export function linearSystemPatterns(actual: NdArray, expected: NdArray, matrix: NdArray, rhs: NdArray, names: { matrix: string; rhs: string }): Pattern[] {
  if (matrix.shape.length !== 2 || !sameShape(actual.shape, expected.shape) || actual.shape.length === 0 || actual.shape.length > 2) return [];
  const [m, k] = matrix.shape;
  const cols = actual.shape.length === 2 ? actual.shape[1] : 1;
  if (actual.shape[0] !== k || sizeOf(rhs.shape) !== m * cols || rhs.shape[0] !== m) return [];
  const A = toNumbers(matrix);
  const x = toNumbers(actual);
  const b = toNumbers(rhs);
  let residual2 = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < cols; j++) {
      let s = -b[i * cols + j];
      for (let l = 0; l < k; l++) s += A[i * k + l] * x[l * cols + j];
      residual2 += s * s;
    }
  }
  const norm = (v: number[]) => Math.sqrt(v.reduce((acc, y) => acc + y * y, 0));
  const residual = Math.sqrt(residual2) / Math.max(norm(b), 1e-300);
  // Written so that NaN counts as "not a solution".
  if (!(residual <= SOLUTION_RESIDUAL)) return [{ kind: 'not-a-solution', residual: Number.isNaN(residual) ? Number.POSITIVE_INFINITY : residual, ...names }];
  const ratio = norm(x) / Math.max(norm(toNumbers(expected)), 1e-300);
  return ratio > 1 + SOLUTION_RESIDUAL ? [{ kind: 'larger-norm', ratio, ...names }] : [];
}

function allIntegers(values: Iterable<number>): boolean {
  for (const v of values) if (!Number.isInteger(v)) return false;
  return true;
}

/** The largest finite magnitude, 0 for none. */
function maxAbsFinite(values: Iterable<number>): number {
  let m = 0;
  for (const v of values) if (Number.isFinite(v) && Math.abs(v) > m) m = Math.abs(v);
  return m;
}

/**
 * Constant factor, sign flip or constant offset that maps the expected values onto the student's.
 * Any two single numbers differ by some factor, so a factor is only named when several non-zero elements share it,
 * or when it means something on its own (see meaningfulFactor).
 */
function valuePatterns(a: number[], e: number[], tol: Tolerance): Pattern[] {
  const close = (x: number, y: number) => Math.abs(x - y) <= Math.max(tol.rtol, 1e-5) * 10 * Math.max(Math.abs(x), Math.abs(y), 1e-12);
  const nonzero = e.map((y, i) => [a[i], y] as const).filter(([, y]) => Math.abs(y) > 1e-12);
  if (nonzero.length > 0) {
    const factor = nonzero[0][0] / nonzero[0][1];
    const shared = Number.isFinite(factor) && factor !== 0 && nonzero.every(([x, y]) => close(x, factor * y)) && e.every((y, i) => Math.abs(y) > 1e-12 || Math.abs(a[i]) < 1e-9);
    if (shared && (nonzero.length > 1 || meaningfulFactor(factor) !== undefined)) {
      if (close(factor, -1)) return [{ kind: 'negated' }];
      if (!close(factor, 1)) return [{ kind: 'scaled', factor: meaningfulFactor(factor) ?? factor }];
    }
  }
  if (a.length > 1) {
    const delta = a[0] - e[0];
    if (delta !== 0 && a.every((x, i) => close(x - e[i], delta))) return [{ kind: 'offset', delta }];
  }
  return [];
}

/**
 * The exact factor when a single number's ratio to the expected one means something: ±1, a whole number
 * (a batch size, H·W·C, a count) or its reciprocal, which includes the powers of ten of a decimal slip.
 */
export function meaningfulFactor(factor: number): number | undefined {
  if (!Number.isFinite(factor) || factor === 0) return undefined;
  // Tighter than any grading tolerance: float32 arithmetic keeps a true factor within a few 1e-7.
  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-4 * Math.abs(y);
  const whole = Math.round(factor);
  if (whole !== 0 && close(factor, whole)) return whole;
  const inverse = Math.round(1 / factor);
  if (inverse !== 0 && close(1 / factor, inverse)) return 1 / inverse;
  return undefined;
}

/** True when the student's array is the expected one with its last two axes swapped. */
function isTransposeOf(actual: NdArray, expected: NdArray, tol: Tolerance): boolean {
  const s = expected.shape;
  if (s.length < 2 || actual.shape.length !== s.length) return false;
  const rows = s[s.length - 2];
  const cols = s[s.length - 1];
  const t = [...s.slice(0, -2), cols, rows];
  if (!sameShape(actual.shape, t)) return false;
  const a = toNumbers(actual);
  const e = toNumbers(expected);
  const block = rows * cols;
  for (let b = 0; b < e.length / block; b++) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const x = a[b * block + c * rows + r];
        const y = e[b * block + r * cols + c];
        if (!(Math.abs(x - y) <= Math.max(tol.atol, 1e-6) + Math.max(tol.rtol, 1e-4) * Math.abs(y))) return false;
      }
    }
  }
  return true;
}

/**
 * Exact shapes, with the one exception the course allows: a scalar may come back as () or (1,).
 * (1, 1) for a scalar, or (C, C) for (1, C, C), are wrong even though NumPy would broadcast them.
 */
function sameShape(a: number[], b: number[]): boolean {
  if (a.length === b.length && a.every((d, i) => d === b[i])) return true;
  const scalarLike = (s: number[]) => s.length === 0 || (s.length === 1 && s[0] === 1);
  return scalarLike(a) && scalarLike(b);
}

function unravel(flat: number, shape: number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = shape[d] === 0 ? 0 : flat % shape[d];
    flat = shape[d] === 0 ? 0 : Math.floor(flat / shape[d]);
  }
  return index;
}
