import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's node entry registers no gradients; the ESM build's registration fills the shared global registry.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { createRng } from '../../graders/answer-key/rng.js';
import { selectBackend, toTensor } from '../../graders/answer-key/backend.js';
import { toNumbers } from '../../graders/npz/ndarray.js';
import { relu } from './relu.js';
import { mat, reluLoop } from './float64-oracle.js';

const CASES = [
  { batch: 4, features: 6 },
  { batch: 1, features: 17, zero_fraction: 0.2 },
  { batch: 8, features: 10, zero_fraction: 0.25 },
];

describe.each(['cpu', 'wasm'])('relu on the %s back end', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each(CASES)('forward equals max(0, x) computed by a loop for %o', async (args) => {
    const inputs = relu.generate(args, createRng('relu-test', JSON.stringify(args)));
    const { out } = await relu.solve(inputs);
    expect(Array.from(out.data as Float32Array)).toEqual(Array.from(reluLoop(mat(inputs.x)).data));
  });

  it.each(CASES)('backward equals autodiff of tf.relu, 0 where x is exactly 0, for %o', async (args) => {
    const inputs = relu.generate(args, createRng('relu-test', JSON.stringify(args)));
    const { dLdin } = await relu.solve(inputs);
    // tf.relu's gradient is dy * step(x) with step(0) = 0, the definition's convention.
    const auto = tf.tidy(() => {
      const dy = toTensor(inputs.dLdout);
      return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.relu(x), dy)))(toTensor(inputs.x)).dataSync();
    });
    expect(Array.from(dLdin.data as Float32Array)).toEqual(Array.from(auto));
    const x = toNumbers(inputs.x);
    toNumbers(dLdin).forEach((g, i) => {
      if (x[i] === 0) expect(Math.abs(g)).toBe(0);
    });
  });
});

describe('relu mistakes', () => {
  it('the zero_fraction argument makes inputs that are exactly 0', () => {
    const x = toNumbers(relu.generate({ batch: 8, features: 10, zero_fraction: 0.25 }, createRng('relu-zeros')).x);
    expect(x.filter((v) => v === 0).length).toBeGreaterThan(5);
  });

  it('relu-mask-ge differs from the answer exactly where the input is 0', async () => {
    const inputs = relu.generate({ batch: 8, features: 10, zero_fraction: 0.25 }, createRng('relu-ge'));
    const right = toNumbers((await relu.solve(inputs)).dLdin);
    const wrong = await relu.mistakes!['relu-mask-ge'](inputs);
    const x = toNumbers(inputs.x);
    const dy = toNumbers(inputs.dLdout);
    toNumbers(wrong.dLdin).forEach((g, i) => expect(g).toBe(x[i] === 0 ? Math.fround(dy[i]) : right[i]));
    expect(toNumbers(wrong.out)).toEqual(toNumbers((await relu.solve(inputs)).out));
  });

  it('without exact zeros, relu-mask-ge cannot be told from the answer', async () => {
    const inputs = relu.generate({ batch: 4, features: 6 }, createRng('relu-no-zeros'));
    const right = toNumbers((await relu.solve(inputs)).dLdin);
    expect(toNumbers((await relu.mistakes!['relu-mask-ge'](inputs)).dLdin)).toEqual(right);
  });
});
