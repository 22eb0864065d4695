import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's node entry registers no gradients; the ESM build's registration fills the shared global registry.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { createRng } from '../../graders/answer-key/rng.js';
import { selectBackend, toTensor } from '../../graders/answer-key/backend.js';
import { toNumbers } from '../../graders/npz/ndarray.js';
import { linear_backward, linear_forward, linearBackward, linearForward } from './linear.js';
import { linearLoop, mat, maxScaledError } from './float64-oracle.js';

const SIZES = [
  { batch: 4, in_features: 5, out_features: 3 },
  { batch: 1, in_features: 7, out_features: 4 },
  { batch: 8, in_features: 6, out_features: 6 },
  { batch: 32, in_features: 300, out_features: 10 },
];

describe.each(['cpu', 'wasm'])('linear on the %s back end', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each(SIZES)('linear_forward equals a float64 loop for %o', async (args) => {
    const inputs = linear_forward.generate(args, createRng('linear-forward-test', JSON.stringify(args)));
    const { out } = await linear_forward.solve(inputs);
    expect(out.shape).toEqual([args.batch, args.out_features]);
    const expected = linearLoop(mat(inputs.x), mat(inputs.weight), mat(inputs.bias));
    expect(maxScaledError(out.data as Float32Array, expected.data, 1e-5)).toBeLessThan(1e-4);
  });

  it.each(SIZES)('linear_backward equals TensorFlow.js autodiff for %o', async (args) => {
    const inputs = linear_backward.generate(args, createRng('linear-backward-test', JSON.stringify(args)));
    const got = await linear_backward.solve(inputs);
    const [dx, dw, db] = tf.tidy(() => {
      const dLdout = toTensor(inputs.dLdout);
      // The gradient of sum(y * dLdout) with respect to each input is exactly what backward(dLdout) must return.
      const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(linearForward(x, w, b), dLdout));
      return tf.grads(f)([toTensor(inputs.x), toTensor(inputs.weight), toTensor(inputs.bias)]);
    });
    for (const [name, auto] of [['dLdin', dx], ['weight_grad', dw], ['bias_grad', db]] as const) {
      expect(got[name].shape, name).toEqual(auto.shape);
      expect(maxScaledError(got[name].data as Float32Array, auto.dataSync(), 1e-5), name).toBeLessThan(1e-4);
    }
    tf.dispose([dx, dw, db]);
    expect(got.weight_grad.shape).toEqual([args.out_features, args.in_features]);
    expect(got.bias_grad.shape).toEqual([args.out_features]);
  });
});

describe('linear mistakes', () => {
  const args = { batch: 5, in_features: 4, out_features: 3 };
  const inputs = linear_backward.generate(args, createRng('linear-mistakes'));

  it('missing-bias is x @ W.T, off from the answer by exactly the bias', async () => {
    const fwd = linear_forward.generate(args, createRng('linear-mistakes-fwd'));
    const right = toNumbers((await linear_forward.solve(fwd)).out);
    const wrong = toNumbers((await linear_forward.mistakes!['missing-bias'](fwd)).out);
    const bias = toNumbers(fwd.bias);
    right.forEach((v, i) => expect(v - wrong[i]).toBeCloseTo(bias[i % 3], 5));
  });

  it('grad-transposed gives weight_grad of shape [in, out], the transpose of the answer', async () => {
    const right = (await linear_backward.solve(inputs)).weight_grad;
    const wrong = (await linear_backward.mistakes!['grad-transposed'](inputs)).weight_grad;
    expect(wrong.shape).toEqual([4, 3]);
    const t = tf.tidy(() => tf.transpose(toTensor(wrong)).dataSync());
    expect(Array.from(t)).toEqual(Array.from(right.data as Float32Array));
  });

  it('bias-grad-not-summed gives bias_grad of shape [B, out] whose column sums are the answer', async () => {
    const right = (await linear_backward.solve(inputs)).bias_grad;
    const wrong = (await linear_backward.mistakes!['bias-grad-not-summed'](inputs)).bias_grad;
    expect(wrong.shape).toEqual([5, 3]);
    const sums = tf.tidy(() => tf.sum(toTensor(wrong), 0).dataSync());
    expect(maxScaledError(sums, right.data as Float32Array, 1e-6)).toBeLessThan(1e-5);
  });

  it('bias-grad-mean is the answer divided by B', async () => {
    const right = toNumbers((await linear_backward.solve(inputs)).bias_grad);
    const wrong = toNumbers((await linear_backward.mistakes!['bias-grad-mean'](inputs)).bias_grad);
    expect(maxScaledError(wrong.map((v) => v * 5), right, 1e-6)).toBeLessThan(1e-5);
  });
});
