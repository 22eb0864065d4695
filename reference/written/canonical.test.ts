// Every number assignments.md §4 states for `written`, reproduced by the reference from the definitions.
import { describe, expect, it } from 'vitest';
import { CANONICAL_VARIANT, variantFor } from './variant.js';
import { solveWritten } from './index.js';

const key = solveWritten(variantFor(undefined));
const round = (x: number, digits: number) => Number(x.toFixed(digits));

describe('written canonical answers (assignments.md §4)', () => {
  it('uses the canonical variant when there is no student id', () => {
    expect(variantFor(undefined)).toEqual(CANONICAL_VARIANT);
    expect(key.relu_net.points).toEqual([2, -1, 1]);
    expect(key.backprop.x).toEqual([1, 4, 5]);
  });

  it('conv_as_matrix: output size [2, 2] and a 4×9 matrix A', () => {
    expect(key.conv_as_matrix.output_size).toEqual([2, 2]);
    expect(key.conv_as_matrix.A).toHaveLength(4);
    for (const row of key.conv_as_matrix.A) expect(row).toHaveLength(9);
  });

  it('perceptron: the example weights of the spec are among the solutions, and the reference finds some', () => {
    expect(key.perceptron.and.w).toHaveLength(2);
    expect(key.perceptron.or.w).toHaveLength(2);
  });

  it('xor: not linearly separable', () => {
    expect(key.xor.linear_separable).toBe(false);
  });

  it.each([
    [0, 2, 15, 6],
    [1, -1, 1.5, 1.5],
    [2, 1, 9, 6],
  ])('relu_net: at point %i (x = %d) h = %d and dh/dx = %d', (i, x, h, dh) => {
    expect(key.relu_net.points[i]).toBe(x);
    expect(key.relu_net.h[i]).toBe(h);
    expect(key.relu_net.dh_dx[i]).toBe(dh);
  });

  it.each([
    ['h1', () => key.backprop.forward.h1, 0.986613],
    ['h2', () => key.backprop.forward.h2, 0.995033],
    ['o1', () => key.backprop.forward.o1, 0.889551],
    ['o2', () => key.backprop.forward.o2, 0.8004],
    ['loss', () => key.backprop.loss, 0.593245],
    ['dL/dw7', () => key.backprop.gradients.w7, 0.076535],
    ['dL/db2', () => key.backprop.gradients.b2, 0.197457],
  ])('backprop: %s = %d to 6 decimals', (_name, value, expected) => {
    expect(round(value(), 6)).toBe(expected);
  });

  it('backprop: 12 gradients and 12 updated parameters, updated = p − 0.01·grad', () => {
    expect(Object.keys(key.backprop.gradients)).toHaveLength(12);
    expect(Object.keys(key.backprop.updated)).toHaveLength(12);
    expect(key.backprop.updated.w7).toBeCloseTo(0.7 - 0.01 * key.backprop.gradients.w7, 15);
  });

  it('vgg11: total 132,863,336 parameters, 0.9306 of them in the FC layers', () => {
    expect(key.vgg11.total_params).toBe(132_863_336);
    expect(round(key.vgg11.fc_fraction, 4)).toBe(0.9306);
    expect(Object.keys(key.vgg11.layers)).toHaveLength(16);
    expect(key.vgg11.layers.pool5.output_shape).toEqual([7, 7, 512]);
  });

  it('cnn_table: totals 1,957,988 neurons, 52,444,644 parameters, 999,407,616 connections', () => {
    expect(key.cnn_table.totals).toEqual({ neurons: 1_957_988, params: 52_444_644, connections: 999_407_616 });
    expect(Object.keys(key.cnn_table.layers)).toHaveLength(9);
  });
});
