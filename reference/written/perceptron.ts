// Reference for `perceptron` (AND / OR with a step unit) and the truth tables the property checks use.

/** The four inputs of a two-input Boolean function, in the order of a truth table. */
export const BINARY_INPUTS: readonly (readonly [number, number])[] = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];

export type Gate = 'and' | 'or' | 'xor';

const GATES: Record<Gate, (a: number, b: number) => number> = {
  and: (a, b) => a & b,
  or: (a, b) => a | b,
  xor: (a, b) => a ^ b,
};

/** The gate's outputs on BINARY_INPUTS. */
export function truthTable(gate: Gate): number[] {
  return BINARY_INPUTS.map(([a, b]) => GATES[gate](a, b));
}

/**
 * The step unit f(x) = 1 if w·x + b >= 0 else 0.
 * A sum within a rounding error of 0 counts as 0 (so fires): w = [-0.1, -0.2], b = 0.3 is on the boundary at (1, 1)
 * in exact decimal arithmetic, though binary floating point makes the sum -5.6e-17.
 */
export function stepUnit(w: readonly number[], b: number, x: readonly number[]): number {
  let s = b;
  let scale = Math.abs(b);
  for (let i = 0; i < w.length; i++) {
    s += w[i] * x[i];
    scale += Math.abs(w[i] * x[i]);
  }
  return s >= -1e-12 * Math.max(1, scale) ? 1 : 0;
}

/** Weights and bias of a perceptron. */
export interface PerceptronWeights {
  w: number[];
  b: number;
}

/**
 * The perceptron learning rule on a truth table, from w = 0, b = 0: w += (t − f) x, b += (t − f).
 * Returns weights that reproduce the table, or null if none is found within maxEpochs (not linearly separable).
 */
export function trainPerceptron(gate: Gate, maxEpochs = 100): PerceptronWeights | null {
  const targets = truthTable(gate);
  const w = [0, 0];
  let b = 0;
  for (let epoch = 0; epoch < maxEpochs; epoch++) {
    let errors = 0;
    BINARY_INPUTS.forEach((x, i) => {
      const delta = targets[i] - stepUnit(w, b, x);
      if (delta !== 0) {
        errors++;
        w[0] += delta * x[0];
        w[1] += delta * x[1];
        b += delta;
      }
    });
    if (errors === 0) return { w, b };
  }
  return null;
}

/** The expected answers: any weights that reproduce the tables pass; these are one such solution each. */
export interface PerceptronKey {
  and: PerceptronWeights;
  or: PerceptronWeights;
}

/** Example solutions, found by the perceptron learning rule. */
export function solvePerceptron(): PerceptronKey {
  const and = trainPerceptron('and');
  const or = trainPerceptron('or');
  if (!and || !or) throw new Error('the perceptron rule did not converge on AND / OR');
  return { and, or };
}
