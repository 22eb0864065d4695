import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { selectBackend } from '../../graders/answer-key/backend.js';
import { variantFor } from './variant.js';
import { BACKPROP_PARAMS, BACKPROP_SETTING, backpropForward, backpropGradients, backpropLoss, backpropMistakes, solveBackprop, type BackpropParams } from './backprop.js';

const INPUTS = [[1, 4, 5], [1, 1, 1], [5, 5, 5], [3, 1, 2], ...['s1', 's2', 's3'].map((id) => variantFor(id).backprop.x)];

const lossAt = (x: number[], p: BackpropParams) => backpropLoss(backpropForward(x, p), BACKPROP_SETTING.targets);

describe('backprop reference', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it.each(INPUTS)('gradients for x = [%d, %d, %d] agree with TensorFlow.js autodiff', (...x) => {
    const names = [...BACKPROP_PARAMS];
    const f = (...vars: tf.Tensor[]) => {
      const p = Object.fromEntries(names.map((n, i) => [n, vars[i]])) as Record<string, tf.Tensor>;
      const lin = (terms: [string, number | tf.Tensor][], bias: string) =>
        tf.sigmoid(terms.reduce((acc: tf.Tensor, [w, v]) => tf.add(acc, tf.mul(p[w], v)), p[bias]));
      const h1 = lin([['w1', x[0]], ['w3', x[1]], ['w5', x[2]]], 'b1');
      const h2 = lin([['w2', x[0]], ['w4', x[1]], ['w6', x[2]]], 'b1');
      const o1 = lin([['w7', h1], ['w9', h2]], 'b2');
      const o2 = lin([['w8', h1], ['w10', h2]], 'b2');
      const [t1, t2] = BACKPROP_SETTING.targets;
      return tf.add(tf.mul(0.5, tf.square(tf.sub(o1, t1))), tf.mul(0.5, tf.square(tf.sub(o2, t2))));
    };
    const grads = tf.grads(f)(names.map((n) => tf.scalar(BACKPROP_SETTING.params[n])));
    const ours = backpropGradients(x, BACKPROP_SETTING.params, BACKPROP_SETTING.targets);
    names.forEach((n, i) => {
      const g = grads[i].dataSync()[0];
      // float32 autodiff: relative 1e-3, with an absolute floor for the tiny saturated-hidden gradients.
      expect(Math.abs(ours[n] - g)).toBeLessThanOrEqual(1e-3 * Math.abs(g) + 1e-7);
    });
  });

  it.each(INPUTS)('gradients for x = [%d, %d, %d] agree with float64 central differences', (...x) => {
    const ours = backpropGradients(x, BACKPROP_SETTING.params, BACKPROP_SETTING.targets);
    for (const n of BACKPROP_PARAMS) {
      const h = 1e-6;
      const plus = { ...BACKPROP_SETTING.params, [n]: BACKPROP_SETTING.params[n] + h };
      const minus = { ...BACKPROP_SETTING.params, [n]: BACKPROP_SETTING.params[n] - h };
      const numeric = (lossAt(x, plus) - lossAt(x, minus)) / (2 * h);
      expect(Math.abs(ours[n] - numeric)).toBeLessThanOrEqual(1e-8 + 1e-6 * Math.abs(numeric));
    }
  });

  it('one SGD step lowers the loss', () => {
    const key = solveBackprop(variantFor(undefined));
    expect(lossAt(key.x, key.updated)).toBeLessThan(key.loss);
  });

  it('each known mistake changes at least one gradient by more than the 1e-2 tolerance', () => {
    const key = solveBackprop(variantFor(undefined));
    for (const mistake of Object.values(backpropMistakes)) {
      const wrong = mistake.solve(variantFor(undefined));
      expect(BACKPROP_PARAMS.some((n) => Math.abs(wrong.gradients[n] - key.gradients[n]) > 0.02 * Math.abs(key.gradients[n]))).toBe(true);
    }
  });
});
