// Reference for `relu_net`: h(x) = W3 relu(W2 relu(W1 x + b1) + b2) + b3 and dh/dx at the variant's points.
import type { WrittenVariant } from './variant.js';

/** The network of the question (assignments.md §4): W1 is 2×1, W2 2×2, W3 1×2. */
export const RELU_NET = {
  W1: [[1.5], [0.5]],
  b1: [0, 1],
  W2: [
    [1, 2],
    [2, 1],
  ],
  b2: [0, 1],
  W3: [[1, 1]],
  b3: [-1],
} as const;

type Matrix = readonly (readonly number[])[];

function affine(w: Matrix, v: readonly number[], b: readonly number[]): number[] {
  return w.map((row, i) => row.reduce((s, wij, j) => s + wij * v[j], b[i]));
}

function linear(w: Matrix, v: readonly number[]): number[] {
  return w.map((row) => row.reduce((s, wij, j) => s + wij * v[j], 0));
}

/** h(x), dh/dx (forward mode, relu'(z) = 1 for z > 0 else 0) and every pre-activation, to spot a kink. */
export function reluNetForward(x: number): { h: number; dh_dx: number; preactivations: number[] } {
  const n = RELU_NET;
  const z1 = affine(n.W1, [x], n.b1);
  const a1 = z1.map((z) => Math.max(0, z));
  const dz1 = linear(n.W1, [1]);
  const da1 = dz1.map((d, i) => (z1[i] > 0 ? d : 0));
  const z2 = affine(n.W2, a1, n.b2);
  const a2 = z2.map((z) => Math.max(0, z));
  const dz2 = linear(n.W2, da1);
  const da2 = dz2.map((d, i) => (z2[i] > 0 ? d : 0));
  const h = affine(n.W3, a2, n.b3)[0];
  const dh = linear(n.W3, da2)[0];
  return { h, dh_dx: dh, preactivations: [...z1, ...z2] };
}

/** The expected answers: h and dh/dx at each point, in the order of the points. */
export interface ReluNetKey {
  points: number[];
  h: number[];
  dh_dx: number[];
}

export function solveReluNet(variant: WrittenVariant): ReluNetKey {
  const points = [...variant.relu_net.points];
  const values = points.map(reluNetForward);
  return { points, h: values.map((v) => v.h), dh_dx: values.map((v) => v.dh_dx) };
}
