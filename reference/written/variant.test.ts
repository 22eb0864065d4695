import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CANONICAL_VARIANT, normalizeStudentId, variantFor } from './variant.js';

describe('variantFor', () => {
  it.each([undefined, null, '', '   '])('gives the canonical values for no id (%j)', (id) => {
    expect(variantFor(id)).toEqual(CANONICAL_VARIANT);
  });

  it('returns a copy: changing it does not change the canonical values', () => {
    const v = variantFor(undefined);
    v.relu_net.points[0] = 99;
    expect(variantFor(undefined).relu_net.points[0]).toBe(2);
  });

  // Golden values: the derivation is part of the course's record, so any change must be deliberate.
  it.each([
    ['s123', [[-1, 0, 3], [1, 0, 0], [-2, 3, -3]], [1.5, -1.5, -0.5], [3, 5, 5]],
    ['alice', [[1, 1, 3], [-1, 1, 3], [2, -3, -3]], [2, -1, 0.5], [2, 3, 5]],
    ['bob', [[2, -3, -1], [1, -1, 1], [-2, 0, 3]], [1, -0.5, -3], [5, 1, 3]],
  ])('is stable for %s', (id, W, points, x) => {
    expect(variantFor(id)).toEqual({ studentId: id, conv_as_matrix: { W }, relu_net: { points }, backprop: { x } });
  });

  it('normalises the id: case and surrounding spaces do not matter', () => {
    expect(normalizeStudentId('  S123 ')).toBe('s123');
    expect(variantFor('  S123 ')).toEqual(variantFor('s123'));
  });

  it('keeps every variant hand-computable and well posed', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ''), (id) => {
        const v = variantFor(id);
        const W = v.conv_as_matrix.W;
        const corners = [W[0][0], W[0][2], W[2][0], W[2][2]];
        expect(new Set(corners).size).toBe(4);
        expect(corners.every((c) => c !== 0 && Math.abs(c) <= 3)).toBe(true);
        expect(W.flat().every((w) => Number.isInteger(w) && Math.abs(w) <= 3)).toBe(true);
        const [p1, p2, p3] = v.relu_net.points;
        expect(p1).toBeGreaterThan(0);
        expect(p2).toBeGreaterThan(-2);
        expect(p2).toBeLessThan(0);
        expect(new Set([p1, p2, p3]).size).toBe(3);
        expect([p1, p2, p3].every((p) => p !== 0 && p !== -2 && Number.isInteger(p * 2))).toBe(true);
        expect(v.backprop.x.every((x) => Number.isInteger(x) && x >= 1 && x <= 5)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('gives different students different values (mostly)', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `student-${i}`);
    const distinct = new Set(ids.map((id) => JSON.stringify(variantFor(id))));
    expect(distinct.size).toBe(200);
  });
});
