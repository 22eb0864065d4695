// Manifest-argument parsing, input generators and the TF.js plumbing shared by the mlp-backprop references.
import * as tf from '@tensorflow/tfjs-core';
import type { Arrays } from '../../graders/answer-key/types.js';
import type { Rng } from '../../graders/answer-key/rng.js';
import { fromTensor, toTensor } from '../../graders/answer-key/backend.js';
import type { NdArray } from '../../graders/npz/ndarray.js';

/** A case argument that must be a positive integer; `fallback` when the manifest leaves it out. */
export function intArg(args: Record<string, unknown>, name: string, fallback?: number): number {
  const value = args[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`args.${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A case argument that must be a finite number; `fallback` when the manifest leaves it out. */
export function numberArg(args: Record<string, unknown>, name: string, fallback: number): number {
  const value = args[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`args.${name} must be a number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A case argument that must be a list of non-negative integers (an empty list when left out). */
export function intListArg(args: Record<string, unknown>, name: string): number[] {
  const value = args[name] ?? [];
  if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new Error(`args.${name} must be a list of non-negative integers, got ${JSON.stringify(value)}`);
  }
  return value as number[];
}

/** A fraction in [0, 1] (default 0). */
export function fractionArg(args: Record<string, unknown>, name: string): number {
  const value = numberArg(args, name, 0);
  if (value < 0 || value > 1) throw new Error(`args.${name} must be between 0 and 1, got ${value}`);
  return value;
}

/** The optional class every target takes (the "all targets one class" edge case), or undefined. */
export function oneClassArg(args: Record<string, unknown>, classes: number): number | undefined {
  const value = args.one_class;
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= classes) {
    throw new Error(`args.one_class must be an integer in [0, ${classes}), got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Weights like PyTorch's default initialisation scale: N(0, 1/in) entries, shape [out, in]. */
export function weightInit(rng: Rng, out: number, inFeatures: number, scale = 1): NdArray {
  return rng.randn([out, inFeatures], scale / Math.sqrt(inFeatures));
}

/** Class indices [B] in [0, classes), or all equal to `oneClass` when given. */
export function targets(rng: Rng, batch: number, classes: number, oneClass?: number): NdArray {
  const t = rng.randint([batch], 0, classes);
  if (oneClass !== undefined) (t.data as BigInt64Array).fill(BigInt(oneClass));
  return t;
}

/** Sets about `fraction` of the entries (at least one when fraction > 0) to exactly 0, in place. */
export function zeroOut(rng: Rng, a: NdArray, fraction: number): NdArray {
  if (fraction <= 0) return a;
  let zeroed = 0;
  for (let i = 0; i < a.data.length; i++) {
    if (rng.uniform() < fraction) {
      a.data[i] = 0;
      zeroed++;
    }
  }
  if (zeroed === 0) a.data[rng.int(0, a.data.length)] = 0;
  return a;
}

/**
 * Runs `fn` on the named inputs as tensors inside tf.tidy and reads the returned tensors back as arrays.
 * Inputs that `fn` does not use are never converted.
 */
export async function solveWith(
  inputs: Arrays,
  names: readonly string[],
  fn: (t: Record<string, tf.Tensor>) => Record<string, tf.Tensor>,
): Promise<Arrays> {
  const outputs = tf.tidy(() => {
    const tensors: Record<string, tf.Tensor> = {};
    for (const name of names) {
      if (!(name in inputs)) throw new Error(`input "${name}" is missing`);
      tensors[name] = toTensor(inputs[name]);
    }
    return fn(tensors);
  });
  const arrays: Arrays = {};
  try {
    for (const [name, t] of Object.entries(outputs)) arrays[name] = await fromTensor(t);
  } finally {
    tf.dispose(Object.values(outputs));
  }
  return arrays;
}
