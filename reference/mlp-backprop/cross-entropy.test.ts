import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's node entry registers no gradients; the ESM build's registration fills the shared global registry.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { createRng } from '../../graders/answer-key/rng.js';
import { selectBackend, toTensor } from '../../graders/answer-key/backend.js';
import { scalarValue, toNumbers } from '../../graders/npz/ndarray.js';
import { cross_entropy_backward, cross_entropy_forward } from './cross-entropy.js';
import { crossEntropyLoop, mat, maxScaledError, relError } from './float64-oracle.js';

const CASES = [
  { batch: 4, classes: 3 },
  { batch: 64, classes: 10 },
  { batch: 1, classes: 10 },
  { batch: 8, classes: 5, one_class: 2 },
  { batch: 16, classes: 10, logit_scale: 1000 },
];

/**
 * The loss as TensorFlow.js's own ops write it (tf.logSoftmax and a one-hot mask), independent of the reference's
 * gather — whose gradient also needs a kernel the wasm back end lacks.
 */
function autodiffLoss(logits: tf.Tensor, target: tf.Tensor): tf.Tensor {
  const onehot = tf.cast(tf.oneHot(tf.cast(target, 'int32'), logits.shape[1] as number), 'float32');
  return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1)));
}

describe.each(['cpu', 'wasm'])('cross-entropy on the %s back end', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each(CASES)('forward equals a float64 log-sum-exp loop for %o', async (args) => {
    const inputs = cross_entropy_forward.generate(args, createRng('ce-test', JSON.stringify(args)));
    const { loss } = await cross_entropy_forward.solve(inputs);
    expect(loss.shape).toEqual([]);
    const expected = crossEntropyLoop(mat(inputs.logits), toNumbers(inputs.target));
    expect(relError([scalarValue(loss)], [expected])).toBeLessThan(1e-5);
  });

  it.each(CASES)('backward equals TensorFlow.js autodiff of the forward for %o', async (args) => {
    const inputs = cross_entropy_backward.generate(args, createRng('ce-test', JSON.stringify(args)));
    const { dLdlogits } = await cross_entropy_backward.solve(inputs);
    const auto = tf.tidy(() => {
      const target = toTensor(inputs.target);
      return tf.grad((logits: tf.Tensor) => autodiffLoss(logits, target))(toTensor(inputs.logits)).dataSync();
    });
    expect(dLdlogits.shape).toEqual(inputs.logits.shape);
    expect(maxScaledError(dLdlogits.data as Float32Array, auto, 1e-6)).toBeLessThan(1e-4);
  });
});

describe('cross-entropy mistakes', () => {
  const large = { batch: 16, classes: 10, logit_scale: 1000 };

  it('the stable reference stays finite on logits of magnitude 1e3', async () => {
    const inputs = cross_entropy_forward.generate(large, createRng('ce-large'));
    expect(Math.max(...toNumbers(inputs.logits).map(Math.abs))).toBeGreaterThan(500);
    expect(Number.isFinite(scalarValue((await cross_entropy_forward.solve(inputs)).loss))).toBe(true);
    expect(toNumbers((await cross_entropy_backward.solve(inputs)).dLdlogits).every(Number.isFinite)).toBe(true);
  });

  it('softmax-overflow gives NaN or Inf on logits of magnitude 1e3, and matches the answer on small logits', async () => {
    const inputs = cross_entropy_forward.generate(large, createRng('ce-large'));
    expect(Number.isFinite(scalarValue((await cross_entropy_forward.mistakes!['softmax-overflow'](inputs)).loss))).toBe(false);
    expect(toNumbers((await cross_entropy_backward.mistakes!['softmax-overflow'](inputs)).dLdlogits).some(Number.isNaN)).toBe(true);
    const small = cross_entropy_forward.generate({ batch: 8, classes: 4 }, createRng('ce-small'));
    const right = scalarValue((await cross_entropy_forward.solve(small)).loss);
    expect(relError([scalarValue((await cross_entropy_forward.mistakes!['softmax-overflow'](small)).loss)], [right])).toBeLessThan(1e-5);
  });

  it('missing-batch-mean is B times the answer, sum-instead-of-mean too, wrong-sign its negation', async () => {
    const inputs = cross_entropy_backward.generate({ batch: 6, classes: 4 }, createRng('ce-mistakes'));
    const right = toNumbers((await cross_entropy_backward.solve(inputs)).dLdlogits);
    const unscaled = toNumbers((await cross_entropy_backward.mistakes!['missing-batch-mean'](inputs)).dLdlogits);
    expect(maxScaledError(unscaled, right.map((v) => v * 6), 1e-6)).toBeLessThan(1e-5);
    const negated = toNumbers((await cross_entropy_backward.mistakes!['wrong-sign'](inputs)).dLdlogits);
    expect(negated).toEqual(right.map((v) => -v));
    const loss = scalarValue((await cross_entropy_forward.solve(inputs)).loss);
    const summed = scalarValue((await cross_entropy_forward.mistakes!['sum-instead-of-mean'](inputs)).loss);
    expect(relError([summed], [loss * 6])).toBeLessThan(1e-6);
  });

  it('one_class makes every target the same class', () => {
    const inputs = cross_entropy_forward.generate({ batch: 8, classes: 5, one_class: 2 }, createRng('ce-one'));
    expect(toNumbers(inputs.target)).toEqual(new Array(8).fill(2));
    expect(inputs.target.dtype).toBe('int64');
  });
});
