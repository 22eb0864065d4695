// A manifest's `model` in TensorFlow.js: parameter names and shapes as PyTorch names them, and a differentiable forward.
// The harness evaluates properties with it (graders/models/properties.ts); answer keys build their references on it.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelLayerT, ModelT } from '../manifest/schema.js';
import { need } from './params.js';

export { paramSpecs, type ParamSpec } from './params.js';

/** Tensors by parameter name, in PyTorch's layout (conv weight [out, in, k, k], linear weight [out, in]). */
export type Params = Record<string, tf.Tensor>;

/** Changes how a ReLU is applied (e.g. a custom-gradient guided ReLU); the plain one by default. */
export type ReluFn = (x: tf.Tensor) => tf.Tensor;



function param(params: Params, name: string): tf.Tensor {
  const p = params[name];
  if (!p) throw new Error(`the model has no parameter ${name}`);
  return p;
}

/**
 * Runs `layers` on `x`. Image tensors travel as NHWC (TensorFlow.js's layout); `x` comes in as NCHW when
 * `nchw` (PyTorch's layout) and 4-D outputs go back to NCHW, so callers only ever see PyTorch shapes.
 */
export function runLayers(layers: ModelLayerT[], params: Params, x: tf.Tensor, relu: ReluFn = tf.relu): tf.Tensor {
  let h: tf.Tensor = x.rank === 4 ? tf.transpose(x, [0, 2, 3, 1]) : x;
  for (const layer of layers) {
    switch (layer.type) {
      case 'conv2d': {
        const w = tf.transpose(param(params, `${layer.name}.weight`), [2, 3, 1, 0]) as tf.Tensor4D;
        const pad = layer.padding ?? 0;
        const padded = pad ? tf.pad(h as tf.Tensor4D, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) : h;
        h = tf.add(tf.conv2d(padded as tf.Tensor4D, w, layer.stride ?? 1, 'valid'), param(params, `${layer.name}.bias`));
        break;
      }
      case 'relu':
        h = relu(h);
        break;
      case 'maxpool2d': {
        const k = need(layer, 'kernel');
        const stride = layer.stride ?? k;
        h = stride === k && h.shape[1]! % k === 0 && h.shape[2]! % k === 0 ? maxPoolFirstMax(h as tf.Tensor4D, k) : tf.maxPool(h as tf.Tensor4D, k, stride, 'valid');
        break;
      }
      case 'global_avgpool':
        // AdaptiveAvgPool2d(1): [N, H, W, C] -> [N, 1, 1, C].
        h = tf.mean(h, [1, 2], true);
        break;
      case 'flatten':
        // PyTorch flattens NCHW, so channels come first.
        h = h.rank === 4 ? tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [h.shape[0], -1]) : h;
        break;
      case 'linear':
        h = tf.add(tf.matMul(h, param(params, `${layer.name}.weight`), false, true), param(params, `${layer.name}.bias`));
        break;
    }
  }
  return h.rank === 4 ? tf.transpose(h, [0, 3, 1, 2]) : h;
}

/**
 * nn.MaxPool2d(k) (stride k) on NHWC whose gradient goes, as in PyTorch, to the first largest element of each window
 * in row-major order. Ties are common (windows of zeros after a ReLU), and a rule that lets gradient through where
 * the input was not positive (the deconvnet ReLU) shows which element got it.
 */
export function maxPoolFirstMax(x: tf.Tensor4D, k: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const windows = (t: tf.Tensor) => tf.reshape(tf.transpose(tf.reshape(t, [n, h / k, k, w / k, k, c]), [0, 1, 3, 5, 2, 4]), [n, h / k, w / k, c, k * k]);
  const pool = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor4D;
    const value = tf.max(windows(input), 4) as tf.Tensor4D;
    (args[1] as tf.GradSaveFunc)([input, value]);
    return {
      value,
      gradFunc: (dy, saved) => {
        const [kept, max] = saved as tf.Tensor[];
        const equal = tf.cast(tf.equal(windows(kept), tf.expandDims(max, 4)), 'float32');
        const first = tf.mul(equal, tf.cast(tf.equal(tf.cumsum(equal, 4), 1), 'float32'));
        const spread = tf.mul(first, tf.expandDims(dy as tf.Tensor, 4));
        // Back from [n, h/k, w/k, c, k, k] windows to [n, h, w, c].
        const unfolded = tf.reshape(spread, [n, h / k, w / k, c, k, k]);
        return tf.reshape(tf.transpose(unfolded, [0, 1, 4, 2, 5, 3]), [n, h, w, c]);
      },
    };
  });
  return pool(x) as tf.Tensor4D;
}

/** The model's class scores (no softmax) for an NCHW batch. */
export function scores(model: Pick<ModelT, 'layers'>, params: Params, x: tf.Tensor, relu?: ReluFn): tf.Tensor2D {
  return runLayers(model.layers, params, x, relu) as tf.Tensor2D;
}
