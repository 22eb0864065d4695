// Saliency, guided backprop, Grad-CAM, guided Grad-CAM and integrated gradients (assignments.md §5), with TensorFlow.js
// autodiff; each known mistake is the same computation with the one thing students get wrong.
import * as tf from '@tensorflow/tfjs-core';
import { fromTensor, toTensor } from '../../graders/answer-key/backend.js';
import type { Arrays } from '../../graders/answer-key/types.js';
import { runLayers, type Params, type ReluFn } from '../../graders/models/network.js';
import { FEATURE_LAYERS, HEAD_LAYERS, NUM_CLASSES, TINYNET_LAYERS, toParams, weightsFromInputs } from './tinynet.js';

/** What is differentiated: the raw score s_y (the spec), or a mistake's softmax probability or cross-entropy loss. */
export type Objective = 'score' | 'softmax' | 'loss';

/** The guided ReLU: forward max(0, x); backward grad_out · [x > 0] · [grad_out > 0]. */
export const guidedRelu: ReluFn = (x) =>
  tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const t = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([t]);
    return {
      value: tf.relu(t),
      gradFunc: (dy, saved) => {
        const [kept] = saved;
        return tf.mul(dy, tf.mul(tf.step(kept, 0), tf.step(dy as tf.Tensor, 0)));
      },
    };
  })(x) as tf.Tensor;

/** The deconvnet ReLU (a mistake): backward grad_out · [grad_out > 0], whatever the input was. */
export const deconvRelu: ReluFn = (x) =>
  tf.customGrad((input) => ({
    value: tf.relu(input as tf.Tensor),
    gradFunc: (dy) => tf.mul(dy, tf.step(dy as tf.Tensor, 0)),
  }))(x) as tf.Tensor;

function oneHot(y: tf.Tensor): tf.Tensor {
  return tf.cast(tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, NUM_CLASSES), 'float32');
}

/** sum_n objective(s[n], y[n]) for scores [N, 10]. */
function objective(scores: tf.Tensor, mask: tf.Tensor, kind: Objective): tf.Scalar {
  switch (kind) {
    case 'score':
      return tf.sum(tf.mul(scores, mask));
    case 'softmax':
      return tf.sum(tf.mul(tf.softmax(scores), mask));
    case 'loss':
      // F.cross_entropy's mean over the batch.
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(scores), mask), 1))) as tf.Scalar;
  }
}

/** ∂ objective / ∂ X for X [N, 3, 32, 32], through ReLUs applied as `relu`. */
export function inputGradient(params: Params, x: tf.Tensor, y: tf.Tensor, relu: ReluFn = tf.relu, kind: Objective = 'score'): tf.Tensor {
  const mask = oneHot(y);
  return tf.grad((input: tf.Tensor) => objective(runLayers(TINYNET_LAYERS, params, input, relu), mask, kind))(x);
}

/** Runs `fn` on the case's model and inputs inside tf.tidy and reads the result back. */
async function withCase(inputs: Arrays, fn: (params: Params, x: tf.Tensor, y: tf.Tensor) => tf.Tensor): Promise<import('../../graders/npz/ndarray.js').NdArray> {
  const out = tf.tidy(() => fn(toParams(weightsFromInputs(inputs)), toTensor(inputs.X), toTensor(inputs.y)));
  const array = await fromTensor(out);
  out.dispose();
  return array;
}

/** S[n, h, w] = reduce_c |∂ s_y / ∂ X[n, c, h, w]| with the given reduction (max in the spec). */
export function saliency(options: { abs?: boolean; reduce?: 'max' | 'sum' | 'mean'; objective?: Objective } = {}) {
  const { abs = true, reduce = 'max', objective: kind = 'score' } = options;
  return async (inputs: Arrays): Promise<Arrays> => ({
    saliency: await withCase(inputs, (params, x, y) => {
      const g = inputGradient(params, x, y, tf.relu, kind);
      const a = abs ? tf.abs(g) : g;
      return reduce === 'max' ? tf.max(a, 1) : reduce === 'sum' ? tf.sum(a, 1) : tf.mean(a, 1);
    }),
  });
}

/** The gradient of s_y through guided ReLUs (or through plain or deconvnet ReLUs, the mistakes). */
export function guidedBackprop(relu: ReluFn = guidedRelu) {
  return async (inputs: Arrays): Promise<Arrays> => ({ guided: await withCase(inputs, (params, x, y) => inputGradient(params, x, y, relu)) });
}

export interface CamOptions {
  relu?: boolean;
  /** How α is pooled over the 8×8 positions: the mean (spec) or the sum (a mistake). */
  pool?: 'mean' | 'sum';
  upsample?: boolean;
  normalise?: boolean;
}

/** Raw Grad-CAM before the ReLU: Σ_k α[n,k] A[n,k], [N, 8, 8]. */
export function rawCam(params: Params, x: tf.Tensor, y: tf.Tensor, pool: 'mean' | 'sum' = 'mean'): tf.Tensor3D {
  const a = runLayers(FEATURE_LAYERS, params, x);
  const mask = oneHot(y);
  const dA = tf.grad((features: tf.Tensor) => objective(runLayers(HEAD_LAYERS, params, features), mask, 'score'))(a);
  const alpha = pool === 'mean' ? tf.mean(dA, [2, 3], true) : tf.sum(dA, [2, 3], true);
  return tf.sum(tf.mul(alpha, a), 1) as tf.Tensor3D;
}

/** Bilinear resize of maps [N, h, w] to [N, 32, 32] like F.interpolate(…, mode="bilinear", align_corners=False). */
export function upsample(cam: tf.Tensor3D, size = 32): tf.Tensor3D {
  const resized = tf.image.resizeBilinear(tf.expandDims(cam, 3) as tf.Tensor4D, [size, size], false, true);
  return tf.squeeze(resized, [3]) as tf.Tensor3D;
}

/** Grad-CAM [N, 8, 8] (or a mistake's variant of it). */
export function camTensor(params: Params, x: tf.Tensor, y: tf.Tensor, options: CamOptions = {}): tf.Tensor3D {
  const { relu = true, pool = 'mean', upsample: up = false, normalise = false } = options;
  let cam = rawCam(params, x, y, pool);
  if (relu) cam = tf.relu(cam);
  if (up) cam = upsample(cam);
  if (normalise) cam = tf.div(cam, tf.maximum(tf.max(cam, [1, 2], true), 1e-12));
  return cam;
}

export function gradCam(options: CamOptions = {}) {
  return async (inputs: Arrays): Promise<Arrays> => ({ cam: await withCase(inputs, (params, x, y) => camTensor(params, x, y, options)) });
}

/** guided_backprop(X, y) · up(cam), the map broadcast over the three channels. */
export async function guidedGradCam(inputs: Arrays): Promise<Arrays> {
  return {
    guided_cam: await withCase(inputs, (params, x, y) => tf.mul(inputGradient(params, x, y, guidedRelu), tf.expandDims(upsample(camTensor(params, x, y)), 1))),
  };
}

/** (X − baseline) · (1/steps) Σ_k ∇_X s_y at baseline + (k/steps)(X − baseline). */
export async function integratedGradients(inputs: Arrays): Promise<Arrays> {
  const steps = Number(inputs.steps.data[0]);
  return {
    attributions: await withCase(inputs, (params, x, y) => {
      const baseline = toTensor(inputs.baseline);
      const delta = tf.sub(x, baseline);
      let total: tf.Tensor = tf.zerosLike(x);
      for (let k = 1; k <= steps; k++) {
        total = tf.add(total, inputGradient(params, tf.add(baseline, tf.mul(delta, k / steps)), y));
      }
      return tf.mul(delta, tf.div(total, steps));
    }),
  };
}
