import { describe, expect, it } from 'vitest';
import { createRng } from './rng.js';

describe('createRng', () => {
  it('gives the same numbers for the same labels and different ones otherwise', () => {
    const a = createRng('style-transfer', 231, 'gram_matrix', 'small').randn([5]).data;
    const b = createRng('style-transfer', 231, 'gram_matrix', 'small').randn([5]).data;
    const c = createRng('style-transfer', 231, 'gram_matrix', 'other').randn([5]).data;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('draws uniform values in [0, 1) and normals with mean 0 and variance 1', () => {
    const rng = createRng('stats');
    const u = Array.from({ length: 20000 }, () => rng.uniform());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const n = Array.from({ length: 20000 }, () => rng.normal());
    const mean = n.reduce((s, x) => s + x, 0) / n.length;
    const variance = n.reduce((s, x) => s + (x - mean) ** 2, 0) / n.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('randint stays in [lo, hi)', () => {
    const values = Array.from(createRng('ints').randint([1000], 2, 5).data as BigInt64Array, Number);
    expect(new Set(values)).toEqual(new Set([2, 3, 4]));
  });
});
