import { describe, expect, it } from 'vitest';
import { compareArrays, linearSystemPatterns, type Tolerance } from './compare.js';
import { summarize } from './describe.js';
import { float32, float64, int64 } from '../npz/ndarray.js';

const rel: Tolerance = { mode: 'rel_error', rtol: 1e-4, atol: 0 };
const close: Tolerance = { mode: 'allclose', rtol: 1e-5, atol: 1e-6 };

describe('compareArrays', () => {
  it.each([
    ['identical values pass', float32([1, 2, 3]), float32([1, 2, 3]), rel, true, undefined],
    ['a scalar of shape (1,) matches shape () (the course allows either)', float32([2.5]), float64([2.5], []), rel, true, undefined],
    ['a scalar of shape (1, 1) does not match shape () (shapes are exact, not broadcast)', float32([2.5], [1, 1]), float64([2.5], []), rel, false, 'shape'],
    ['(C, C) does not match (1, C, C)', float32([1, 2, 3, 4], [2, 2]), float32([1, 2, 3, 4], [1, 2, 2]), rel, false, 'shape'],
    ['rel_error just inside rtol passes', float64([1.0001]), float64([1]), rel, true, undefined],
    ['rel_error beyond rtol fails on values', float64([1.001]), float64([1]), rel, false, 'values'],
    ['a wrong shape fails before values are read', float32([1, 2, 3, 4], [2, 2]), float32([1, 2, 3, 4], [4]), rel, false, 'shape'],
    ['NaN never passes', float32([NaN, 1]), float32([1, 1]), rel, false, 'nonfinite'],
    ['Inf never passes where the reference is finite', float32([Infinity]), float32([1]), close, false, 'nonfinite'],
    ['NaN at the same place as the reference passes', float32([NaN, 1]), float32([NaN, 1]), close, true, undefined],
    ['allclose uses atol near zero', float64([1e-7, 1]), float64([0, 1]), close, true, undefined],
    ['exact integers compare exactly', int64([49728]), int64([49728]), { mode: 'exact', rtol: 0, atol: 0 } as Tolerance, true, undefined],
    ['an empty array where values are expected fails on shape', float32([], [0]), float32([1, 2]), rel, false, 'shape'],
  ])('%s', (_name, actual, expected, tol, pass, failure) => {
    const d = compareArrays(actual, expected, tol);
    expect(d.pass).toBe(pass);
    expect(d.failure).toBe(failure);
  });

  it('computes the course rel_error, max abs error and the worst element', () => {
    const d = compareArrays(float64([1, 2, 3.5, 4], [2, 2]), float64([1, 2, 3, 4], [2, 2]), rel);
    expect(d.relError).toBeCloseTo(0.5 / 6.5, 12);
    expect(d.maxAbsError).toBeCloseTo(0.5, 12);
    expect(d.worst).toEqual({ index: [1, 0], actual: 3.5, expected: 3 });
    expect(d.mismatchCount).toBe(1);
  });

  it('counts NaN, Inf and mismatches element by element when finite and non-finite values mix', () => {
    const d = compareArrays(float64([1, NaN, Infinity, 2.0002, -Infinity, 5]), float64([1, NaN, 1, 2, -Infinity, 5]), close);
    expect(d).toMatchObject({ pass: false, failure: 'nonfinite', nanCount: 1, infCount: 2, mismatchCount: 2, relError: Infinity });
    expect(d.maxAbsError).toBeCloseTo(0.0002, 12);
    expect(d.worst).toEqual({ index: [2], actual: Infinity, expected: 1 });
    const finite = compareArrays(float32([1, 2, 3.001]), float64([1, 2, 3]), close);
    expect(finite).toMatchObject({ nanCount: 0, infCount: 0, mismatchCount: 1, worst: { index: [2] } });
  });

  it('recognises a constant factor, a sign flip, an offset and a transpose', () => {
    expect(compareArrays(float64([3, 6, 9]), float64([1, 2, 3]), rel).patterns).toEqual([{ kind: 'scaled', factor: 3 }]);
    expect(compareArrays(float64([-1, -2, -3]), float64([1, 2, 3]), rel).patterns).toEqual([{ kind: 'negated' }]);
    expect(compareArrays(float64([1.5, 2.5, 3.5]), float64([1, 2, 3]), rel).patterns).toEqual([{ kind: 'offset', delta: 0.5 }]);
    const t = compareArrays(float64([1, 4, 2, 5, 3, 6], [3, 2]), float64([1, 2, 3, 4, 5, 6], [2, 3]), rel);
    expect(t.failure).toBe('shape');
    expect(t.patterns).toEqual([{ kind: 'transposed' }]);
  });

  it('names a known mistake when the output matches it, NaNs included', () => {
    const d = compareArrays(float32([NaN, 2]), float32([1, 2]), close, { 'softmax-overflow': float32([NaN, 2]) });
    expect(d.patterns).toEqual([{ kind: 'mistake', id: 'softmax-overflow' }]);
  });

  it('summaries say what is wrong in words', () => {
    expect(summarize(compareArrays(float64([3, 6]), float64([1, 2]), rel))).toMatch(/times 3 \(off by a constant factor\)/);
    expect(summarize(compareArrays(float32([1, 2, 3, 4], [2, 2]), float32([1, 2, 3, 4], [4]), rel))).toBe('shape [2, 2], expected [4]');
    expect(summarize(compareArrays(float32([NaN]), float32([1]), rel))).toMatch(/1 NaN and 0 Inf/);
    expect(summarize(compareArrays(undefined, float32([1]), rel))).toBe('no value was produced');
    expect(summarize(compareArrays(float32([2.5], [1, 1]), float64([2.5], []), rel))).toMatch(/shape \[1, 1\], expected \[\] — return a scalar/);
  });

  describe('linearSystemPatterns (an output that should solve A x = b)', () => {
    // A = [[1, 0, 1], [0, 1, 1]], b = [2, 3]: the minimum-norm solution is [1/3, 4/3, 5/3].
    const A = float64([1, 0, 1, 0, 1, 1], [2, 3]);
    const b = float64([2, 3]);
    const wStar = float64([1 / 3, 4 / 3, 5 / 3]);
    const names = { matrix: 'X', rhs: 't' };

    it('finds a value that is not a solution, with its relative residual', () => {
      const [p] = linearSystemPatterns(float64([1, 1, 1]), wStar, A, b, names);
      expect(p).toMatchObject({ kind: 'not-a-solution', matrix: 'X', rhs: 't' });
      expect((p as { residual: number }).residual).toBeCloseTo(1 / Math.sqrt(13), 12);
    });

    it('finds a solution with a larger norm than the minimum-norm one', () => {
      const [p] = linearSystemPatterns(float64([2, 3, 0]), wStar, A, b, names);
      expect(p).toMatchObject({ kind: 'larger-norm' });
      expect((p as { ratio: number }).ratio).toBeCloseTo(Math.sqrt(13) / Math.sqrt(1 / 9 + 16 / 9 + 25 / 9), 12);
    });

    it('counts NaN or Inf as not a solution, and gives nothing for shapes that do not fit', () => {
      expect(linearSystemPatterns(float64([NaN, 1, 1]), wStar, A, b, names)).toEqual([{ kind: 'not-a-solution', residual: Infinity, matrix: 'X', rhs: 't' }]);
      expect(linearSystemPatterns(float64([1, 1]), float64([1, 1]), A, b, names)).toEqual([]);
      expect(linearSystemPatterns(wStar, wStar, A, b, names)).toEqual([]);
    });

    it('words both patterns with the system named', () => {
      const d = compareArrays(float64([2, 3, 0]), wStar, rel);
      d.patterns.push(...linearSystemPatterns(float64([2, 3, 0]), wStar, A, b, names));
      expect(summarize(d)).toMatch(/it solves X @ x = t, but its norm is 1\.669\d* times the expected solution's/);
    });
  });
});

describe('constant factors are named only when they mean something', () => {
  it.each([
    ['two scalars that differ by an arbitrary ratio', float64([0.9848]), float64([1]), undefined],
    ['parameter counts a few apart', int64([49664]), int64([49728]), undefined],
    ['a scalar twice too large (an integer factor)', float64([4.2]), float64([2.1]), 2],
    ['a scalar divided by B = 8 (a reciprocal)', float64([0.25]), float64([2]), 0.125],
    ['a scalar with a decimal slip (x10)', float64([1.5]), float64([0.15]), 10],
    ['an array of several elements sharing any ratio', float64([0.9848, 1.9696, 2.9544]), float64([1, 2, 3]), 0.9848],
    ['an array with one non-zero element is judged as a scalar', float64([0, 0.9848]), float64([0, 1]), undefined],
  ])('%s', (_name, actual, expected, factor) => {
    const patterns = compareArrays(actual, expected, rel).patterns.filter((p) => p.kind === 'scaled');
    if (factor === undefined) expect(patterns).toEqual([]);
    else expect((patterns[0] as { factor: number }).factor).toBeCloseTo(factor, 6);
  });

  it('says a power of ten is a decimal slip, and no factor for an arbitrary scalar', () => {
    expect(summarize(compareArrays(float64([1.5]), float64([0.15]), rel))).toMatch(/times 10: the decimal point is off by 1 place/);
    expect(summarize(compareArrays(float64([0.9848]), float64([1]), rel))).not.toMatch(/constant factor/);
  });
});
