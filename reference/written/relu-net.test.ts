import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { selectBackend } from '../../graders/answer-key/backend.js';
import { RELU_NET, reluNetForward } from './relu-net.js';

// Every point a variant can draw (graders/answers/variant.ts), plus a few more.
const POINTS = [-3, -2.5, -1.5, -1, -0.5, 0.5, 1, 1.5, 2, 2.5, 3, 0.25, -1.75, 7];

describe('relu_net reference', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it.each(POINTS)('h and dh/dx at x = %d agree with TensorFlow.js autodiff', (x) => {
    const h = (t: tf.Tensor) => {
      const a1 = tf.relu(tf.add(tf.matMul(tf.tensor2d(RELU_NET.W1.map((r) => [...r])), tf.reshape(t, [1, 1])), tf.tensor2d([...RELU_NET.b1], [2, 1])));
      const a2 = tf.relu(tf.add(tf.matMul(tf.tensor2d(RELU_NET.W2.map((r) => [...r])), a1), tf.tensor2d([...RELU_NET.b2], [2, 1])));
      return tf.reshape(tf.add(tf.matMul(tf.tensor2d(RELU_NET.W3.map((r) => [...r])), a2), RELU_NET.b3[0]), []);
    };
    const { value, grad } = tf.valueAndGrad(h)(tf.scalar(x));
    const ref = reluNetForward(x);
    expect(ref.h).toBeCloseTo(value.dataSync()[0], 5);
    expect(ref.dh_dx).toBeCloseTo(grad.dataSync()[0], 5);
  });

  it.each(POINTS)('h is differentiable at x = %d: both one-sided slopes equal dh/dx', (x) => {
    const eps = 1e-6;
    const { h, dh_dx } = reluNetForward(x);
    expect((reluNetForward(x + eps).h - h) / eps).toBeCloseTo(dh_dx, 6);
    expect((h - reluNetForward(x - eps).h) / eps).toBeCloseTo(dh_dx, 6);
  });

  it.each([0, -2])('h has a kink at x = %d (one-sided slopes differ), which the variant points avoid', (x) => {
    const eps = 1e-6;
    const { h } = reluNetForward(x);
    const right = (reluNetForward(x + eps).h - h) / eps;
    const left = (h - reluNetForward(x - eps).h) / eps;
    expect(Math.abs(right - left)).toBeGreaterThan(0.1);
  });
});
