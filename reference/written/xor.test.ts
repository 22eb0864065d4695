import { describe, expect, it } from 'vitest';
import { BINARY_INPUTS, stepUnit, trainPerceptron, truthTable } from './perceptron.js';
import { XOR_EXAMPLE_NETWORK, convexHull, evaluateTwoLayer, linearlySeparable, solveXor } from './xor.js';

describe('perceptron and xor references', () => {
  it('truth tables', () => {
    expect(truthTable('and')).toEqual([0, 0, 0, 1]);
    expect(truthTable('or')).toEqual([0, 1, 1, 1]);
    expect(truthTable('xor')).toEqual([0, 1, 1, 0]);
  });

  it.each([
    ['and', [1, 1], -2],
    ['or', [1, 1], -0.1],
  ] as const)('the spec example for %s reproduces the table', (gate, w, b) => {
    expect(BINARY_INPUTS.map((x) => stepUnit(w, b, x))).toEqual(truthTable(gate));
  });

  it('counts a sum on the boundary as firing despite binary rounding', () => {
    expect(stepUnit([-0.1, -0.2], 0.3, [1, 1])).toBe(1);
    expect(stepUnit([1, 1], -2.000001, [1, 1])).toBe(0);
  });

  it('the perceptron rule learns AND and OR but not XOR', () => {
    for (const gate of ['and', 'or'] as const) {
      const found = trainPerceptron(gate)!;
      expect(BINARY_INPUTS.map((x) => stepUnit(found.w, found.b, x))).toEqual(truthTable(gate));
    }
    expect(trainPerceptron('xor')).toBeNull();
  });

  it('exactly XOR and XNOR of the 16 two-input Boolean functions are not linearly separable', () => {
    const inseparable: number[][] = [];
    for (let f = 0; f < 16; f++) {
      const labels = [0, 1, 2, 3].map((i) => (f >> i) & 1);
      if (!linearlySeparable(BINARY_INPUTS, labels)) inseparable.push(labels);
    }
    expect(inseparable).toEqual([
      [0, 1, 1, 0],
      [1, 0, 0, 1],
    ]);
  });

  it('convexHull drops interior and collinear points', () => {
    expect(convexHull([[0, 0], [2, 0], [1, 0], [1, 1], [0, 2], [2, 2]])).toEqual([[0, 0], [2, 0], [2, 2], [0, 2]]);
  });

  it('the example network computes XOR and the key says not separable', () => {
    expect(BINARY_INPUTS.map((x) => evaluateTwoLayer(XOR_EXAMPLE_NETWORK, x))).toEqual([0, 1, 1, 0]);
    expect(solveXor().linear_separable).toBe(false);
  });
});
