import { describe, expect, it } from 'vitest';
import { jsonSafe } from './json-safe.js';

const roundTrip = (v: unknown) => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)));

describe('jsonSafe', () => {
  it('gives what a JSON round trip gives, non-finite numbers as strings', () => {
    const diagnostics = {
      pass: false,
      expectedShape: [2, 3],
      relError: Number.POSITIVE_INFINITY,
      worst: { index: [1, 2], actual: Number.NaN, expected: -0.5 },
      maxAbsError: Number.NEGATIVE_INFINITY,
      message: undefined,
      patterns: [{ kind: 'scaled', factor: 2 }, undefined, () => 1],
      tolerance: { mode: 'rel_error', rtol: 1e-4, atol: 0 },
      when: new Date(0),
      nothing: null,
    };
    expect(jsonSafe(diagnostics)).toEqual(roundTrip(diagnostics));
    expect(jsonSafe(diagnostics).worst.actual).toBe('NaN');
    expect('message' in jsonSafe(diagnostics)).toBe(false);
  });

  it('copies: changing the copy leaves the original alone', () => {
    const original = { shape: [1, 2], nested: { a: 1 } };
    const copy = jsonSafe(original);
    copy.shape.push(3);
    copy.nested.a = 2;
    expect(original).toEqual({ shape: [1, 2], nested: { a: 1 } });
  });
});
