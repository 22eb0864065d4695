import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's node entry registers no gradients; the ESM build's registration fills the shared global registry.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { createRng } from '../../graders/answer-key/rng.js';
import { selectBackend, toTensor } from '../../graders/answer-key/backend.js';
import { scalarValue, toNumbers } from '../../graders/npz/ndarray.js';
import type { Arrays } from '../../graders/answer-key/types.js';
import { mlp_end_to_end } from './mlp.js';
import { crossEntropyLoop, linearLoop, mat, maxScaledError, relError, reluLoop } from './float64-oracle.js';

const CASES = [
  { batch: 4, in_features: 6, hidden: 6, classes: 3 },
  { batch: 32, in_features: 48, hidden: 20, classes: 10 },
  { batch: 1, in_features: 7, hidden: 9, classes: 3 },
  { batch: 8, in_features: 10, hidden: 12, classes: 4, dead_units: 3 },
  { batch: 8, in_features: 10, hidden: 12, classes: 5, logit_scale: 1000 },
  { batch: 8, in_features: 5, hidden: 7, classes: 4, one_class: 1 },
];

const GRADS = ['weight1_grad', 'bias1_grad', 'weight2_grad', 'bias2_grad'] as const;
const PARAMS = ['weight1', 'bias1', 'weight2', 'bias2'] as const;

describe.each(['cpu', 'wasm'])('mlp_end_to_end on the %s back end', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each(CASES)('the loss equals a float64 forward pass for %o', async (args) => {
    const inputs = mlp_end_to_end.generate(args, createRng('mlp-test', JSON.stringify(args)));
    const { loss } = await mlp_end_to_end.solve(inputs);
    const a = reluLoop(linearLoop(mat(inputs.x), mat(inputs.weight1), mat(inputs.bias1)));
    const logits = linearLoop(a, mat(inputs.weight2), mat(inputs.bias2));
    expect(relError([scalarValue(loss)], [crossEntropyLoop(logits, toNumbers(inputs.target))])).toBeLessThan(1e-4);
  });

  it.each(CASES)('the four gradients equal TensorFlow.js autodiff (tf.relu, tf.matMul) for %o', async (args) => {
    const inputs = mlp_end_to_end.generate(args, createRng('mlp-test', JSON.stringify(args)));
    const got = await mlp_end_to_end.solve(inputs);
    const auto = tf.tidy(() => {
      const x = toTensor(inputs.x);
      const target = toTensor(inputs.target);
      const loss = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) => {
        const h = tf.relu(tf.add(tf.matMul(x, w1, false, true), b1));
        const logits = tf.add(tf.matMul(h, w2, false, true), b2);
        const onehot = tf.cast(tf.oneHot(tf.cast(target, 'int32'), logits.shape[1] as number), 'float32');
        return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1)));
      };
      return tf.grads(loss)(PARAMS.map((p) => toTensor(inputs[p]))).map((g) => ({ shape: g.shape, data: g.dataSync() }));
    });
    GRADS.forEach((name, i) => {
      expect(got[name].shape, name).toEqual(auto[i].shape);
      expect(maxScaledError(got[name].data as Float32Array, auto[i].data, 1e-6), name).toBeLessThan(1e-4);
    });
  });
});

describe('mlp_end_to_end inputs and mistakes', () => {
  const dead = { batch: 8, in_features: 10, hidden: 12, classes: 4, dead_units: 3 };
  const deadInputs = mlp_end_to_end.generate(dead, createRng('mlp-dead'));

  it('dead_units makes hidden pre-activations exactly 0 for every example, and their gradients 0', async () => {
    const h = linearLoop(mat(deadInputs.x), mat(deadInputs.weight1), mat(deadInputs.bias1));
    const zeroUnits = Array.from({ length: 12 }, (_, j) => j).filter((j) => Array.from({ length: 8 }, (_, i) => h.data[i * 12 + j]).every((v) => v === 0));
    expect(zeroUnits).toHaveLength(3);
    const { bias1_grad } = await mlp_end_to_end.solve(deadInputs);
    for (const j of zeroUnits) expect(toNumbers(bias1_grad)[j]).toBe(0);
  });

  it('relu-mask-ge changes the first-layer gradients exactly at the dead units', async () => {
    const right = toNumbers((await mlp_end_to_end.solve(deadInputs)).bias1_grad);
    const wrong = toNumbers((await mlp_end_to_end.mistakes!['relu-mask-ge'](deadInputs)).bias1_grad);
    const changed = right.map((v, j) => (v !== wrong[j] ? j : -1)).filter((j) => j >= 0);
    expect(changed).toHaveLength(3);
  });

  async function mistake(id: string, inputs: Arrays) {
    return { right: await mlp_end_to_end.solve(inputs), wrong: await mlp_end_to_end.mistakes![id](inputs) };
  }

  it('grad-transposed and bias-grad-not-summed change the shapes of the gradients they are about', async () => {
    const t = await mistake('grad-transposed', deadInputs);
    expect(t.wrong.weight1_grad.shape).toEqual([10, 12]);
    expect(t.wrong.weight2_grad.shape).toEqual([12, 4]);
    expect(toNumbers(t.wrong.bias1_grad)).toEqual(toNumbers(t.right.bias1_grad));
    const s = await mistake('bias-grad-not-summed', deadInputs);
    expect(s.wrong.bias1_grad.shape).toEqual([8, 12]);
    expect(s.wrong.bias2_grad.shape).toEqual([8, 4]);
    expect(toNumbers(s.wrong.weight1_grad)).toEqual(toNumbers(s.right.weight1_grad));
  });

  it('missing-batch-mean scales every gradient by B; wrong-sign negates them; the loss is unchanged', async () => {
    const m = await mistake('missing-batch-mean', deadInputs);
    const w = await mistake('wrong-sign', deadInputs);
    for (const name of GRADS) {
      expect(maxScaledError(toNumbers(m.wrong[name]), toNumbers(m.right[name]).map((v) => 8 * v), 1e-6), name).toBeLessThan(1e-5);
      expect(maxScaledError(toNumbers(w.wrong[name]), toNumbers(w.right[name]).map((v) => -v), 1e-6), name).toBeLessThan(1e-5);
    }
    expect(scalarValue(m.wrong.loss)).toBe(scalarValue(m.right.loss));
  });

  it('softmax-overflow is NaN on logits of magnitude ~1e3 and the answer elsewhere', async () => {
    const large = mlp_end_to_end.generate({ batch: 8, in_features: 10, hidden: 12, classes: 5, logit_scale: 1000 }, createRng('mlp-large'));
    const o = await mistake('softmax-overflow', large);
    expect(Number.isFinite(scalarValue(o.right.loss))).toBe(true);
    expect(Number.isNaN(scalarValue(o.wrong.loss)) || scalarValue(o.wrong.loss) === Infinity).toBe(true);
    expect(toNumbers(o.wrong.weight1_grad).some(Number.isNaN)).toBe(true);
    const small = await mistake('softmax-overflow', deadInputs);
    expect(relError(toNumbers(small.wrong.weight1_grad), toNumbers(small.right.weight1_grad))).toBeLessThan(1e-4);
  });
});
