// Runs a layer list in TensorFlow.js, PyTorch semantics (training mode), with ops that every back end can differentiate.
//
// Why not tf.conv2d / tf.maxPool: the WebAssembly back end has no Conv2DBackpropFilter kernel, so gradients with
// respect to convolution weights would fail there. Convolutions are written as patch extraction (pad, slice,
// reshape, concat) followed by a matMul; the tests check them against tf.conv2d, tf.conv2dTranspose and
// tf.maxPool and against PyTorch itself.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../graders/answer-key/rng.js';
import type { NdArray } from '../../graders/npz/ndarray.js';
import type { Conv2dSpec, ConvTranspose2dSpec, LayerSpec } from './layers.js';
import type { Analysis, Network } from './networks.js';

/** Parameters by their `named_parameters()` name, in PyTorch's layout (Conv2d weight [out, in, k, k], ConvTranspose2d [in, out, k, k]). */
export type ParamTensors = Record<string, tf.Tensor>;

const BN_EPS = 1e-5;

/** Pads (positive) or crops (negative) the two spatial axes of an NHWC tensor. */
function padOrCrop(x: tf.Tensor4D, before: number, after: number, value = 0): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const padBefore = Math.max(0, before);
  const padAfter = Math.max(0, after);
  let y = padBefore || padAfter ? tf.pad(x, [[0, 0], [padBefore, padAfter], [padBefore, padAfter], [0, 0]], value) : x;
  const cropBefore = Math.max(0, -before);
  const cropAfter = Math.max(0, -after);
  if (cropBefore || cropAfter) {
    y = tf.slice(y, [0, cropBefore, cropBefore, 0], [n, h + padBefore + padAfter - cropBefore - cropAfter, w + padBefore + padAfter - cropBefore - cropAfter, c]);
  }
  return y;
}

/** Keeps every `stride`-th row and column of an NHWC tensor, starting with the first, giving [n, outH, outW, c]. */
function subsample(x: tf.Tensor4D, stride: number, outH: number, outW: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (stride === 1) return tf.slice(x, [0, 0, 0, 0], [n, outH, outW, c]);
  // Pad to a multiple of the stride, fold each stride into its own axis, keep offset 0 (strided slices have no gradient everywhere).
  const padded = tf.pad(x, [[0, 0], [0, outH * stride - h], [0, outW * stride - w], [0, 0]]);
  const folded = tf.reshape(padded, [n, outH, stride, outW, stride, c]);
  return tf.reshape(tf.slice(folded, [0, 0, 0, 0, 0, 0], [n, outH, 1, outW, 1, c]), [n, outH, outW, c]);
}

/** The k×k windows of a padded NHWC input as a list of [n, outH, outW, c] tensors, in (row, column) order. */
function windows(x: tf.Tensor4D, kernel: number, stride: number, dilation: number): { patches: tf.Tensor4D[]; outH: number; outW: number } {
  const [n, h, w, c] = x.shape;
  const outH = Math.floor((h - dilation * (kernel - 1) - 1) / stride) + 1;
  const outW = Math.floor((w - dilation * (kernel - 1) - 1) / stride) + 1;
  const patches: tf.Tensor4D[] = [];
  for (let i = 0; i < kernel; i++) {
    for (let j = 0; j < kernel; j++) {
      const window = tf.slice(x, [0, i * dilation, j * dilation, 0], [n, (outH - 1) * stride + 1, (outW - 1) * stride + 1, c]);
      patches.push(subsample(window, stride, outH, outW));
    }
  }
  return { patches, outH, outW };
}

/** Cross-correlation of NHWC `x` with a PyTorch [out, in, k, k] weight, as nn.Conv2d computes it. */
export function conv2dNhwc(x: tf.Tensor4D, weight: tf.Tensor4D, bias: tf.Tensor | undefined, stride: number, padding: number, dilation = 1): tf.Tensor4D {
  const [outC, inC, k] = weight.shape;
  const n = x.shape[0];
  if (x.shape[3] !== inC) throw new Error(`conv2d: input has ${x.shape[3]} channels, weight expects ${inC}`);
  const { patches, outH, outW } = windows(padOrCrop(x, padding, padding), k, stride, dilation);
  const columns = tf.reshape(tf.concat(patches, 3), [n * outH * outW, k * k * inC]);
  // Rows of the matrix follow the patch order: kernel row, kernel column, input channel.
  const matrix = tf.reshape(tf.transpose(weight, [2, 3, 1, 0]), [k * k * inC, outC]);
  const out = tf.matMul(columns, matrix);
  return tf.reshape(bias ? tf.add(out, bias) : out, [n, outH, outW, outC]);
}

/**
 * nn.ConvTranspose2d on NHWC `x` with a PyTorch [in, out, k, k] weight: spread the input `stride` apart, pad by
 * d(k-1)-p before and d(k-1)-p+output_padding after, and cross-correlate with the flipped, transposed kernel.
 */
export function convTranspose2dNhwc(
  x: tf.Tensor4D,
  weight: tf.Tensor4D,
  bias: tf.Tensor | undefined,
  stride: number,
  padding: number,
  outputPadding: number,
  dilation = 1,
): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const k = weight.shape[2];
  let spread: tf.Tensor4D = x;
  if (stride > 1) {
    const holes = tf.pad(tf.reshape(x, [n, h, 1, w, 1, c]), [[0, 0], [0, 0], [0, stride - 1], [0, 0], [0, stride - 1], [0, 0]]);
    spread = tf.slice(tf.reshape(holes, [n, h * stride, w * stride, c]) as tf.Tensor4D, [0, 0, 0, 0], [n, (h - 1) * stride + 1, (w - 1) * stride + 1, c]);
  }
  const edge = dilation * (k - 1) - padding;
  // Pad (or crop, when negative) `edge` before and `edge + output_padding` after: the two sides differ.
  const framed = padAfter(padOrCrop(spread, edge, 0), edge + outputPadding);
  const flipped = tf.transpose(tf.reverse(weight, [2, 3]), [1, 0, 2, 3]) as tf.Tensor4D;
  return conv2dNhwc(framed, flipped, bias, 1, 0, dilation);
}

/** Pads (or crops, when negative) only the bottom and right edges of an NHWC tensor. */
function padAfter(x: tf.Tensor4D, amount: number): tf.Tensor4D {
  if (amount === 0) return x;
  const [n, h, w, c] = x.shape;
  if (amount > 0) return tf.pad(x, [[0, 0], [0, amount], [0, amount], [0, 0]]);
  return tf.slice(x, [0, 0, 0, 0], [n, h + amount, w + amount, c]);
}

/** nn.MaxPool2d on NHWC: the maximum over each window (padding counts as -∞, as in PyTorch). */
export function maxPoolNhwc(x: tf.Tensor4D, kernel: number, stride: number, padding: number): tf.Tensor4D {
  const { patches } = windows(padOrCrop(x, padding, padding, -Infinity), kernel, stride, 1);
  return tf.max(tf.stack(patches), 0) as tf.Tensor4D;
}

/** nn.Upsample(scale_factor=s) (nearest) on NHWC: every pixel repeated s×s times. */
export function upsampleNhwc(x: tf.Tensor4D, scale: number): tf.Tensor4D {
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`upsample: only positive integer scales are supported, got ${scale}`);
  const [n, h, w, c] = x.shape;
  const repeated = tf.mul(tf.reshape(x, [n, h, 1, w, 1, c]), tf.ones([1, 1, scale, 1, scale, 1]));
  return tf.reshape(repeated, [n, h * scale, w * scale, c]);
}

/** nn.BatchNorm2d in training mode on NHWC: batch mean and biased variance per channel. */
export function batchNormNhwc(x: tf.Tensor4D, gamma: tf.Tensor | undefined, beta: tf.Tensor | undefined): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, BN_EPS)));
  if (gamma) y = tf.mul(y, gamma);
  if (beta) y = tf.add(y, beta);
  return y as tf.Tensor4D;
}

function param(params: ParamTensors, name: string): tf.Tensor {
  const p = params[name];
  if (!p) throw new Error(`missing parameter ${name}`);
  return p;
}

function optional(params: ParamTensors, name: string, present: boolean): tf.Tensor | undefined {
  return present ? param(params, name) : undefined;
}

function applyLayer(name: string, spec: LayerSpec, inputs: tf.Tensor[], params: ParamTensors): tf.Tensor {
  const x = inputs[0] as tf.Tensor4D;
  switch (spec.kind) {
    case 'Conv2d': {
      const s: Conv2dSpec = spec;
      return conv2dNhwc(x, param(params, `${name}.weight`) as tf.Tensor4D, optional(params, `${name}.bias`, s.bias), s.stride, s.padding, s.dilation);
    }
    case 'ConvTranspose2d': {
      const s: ConvTranspose2dSpec = spec;
      return convTranspose2dNhwc(x, param(params, `${name}.weight`) as tf.Tensor4D, optional(params, `${name}.bias`, s.bias), s.stride, s.padding, s.outputPadding, s.dilation);
    }
    case 'BatchNorm2d':
      return batchNormNhwc(x, optional(params, `${name}.weight`, spec.affine), optional(params, `${name}.bias`, spec.affine));
    case 'MaxPool2d':
      return maxPoolNhwc(x, spec.kernel, spec.stride, spec.padding);
    case 'Upsample':
      return upsampleNhwc(x, spec.scale);
    case 'ReLU':
      return tf.relu(x);
    case 'Linear': {
      const out = tf.matMul(x, param(params, `${name}.weight`), false, true);
      return spec.bias ? tf.add(out, param(params, `${name}.bias`)) : out;
    }
    case 'Concat':
      return tf.concat(inputs, inputs[0].rank === 4 ? 3 : 1);
  }
}

/**
 * The network's output for an NCHW input `x` (returned NCHW), in training mode. Call inside tf.tidy. `observe`
 * sees each layer's inputs before the layer runs (NHWC).
 */
export function forward(network: Network, params: ParamTensors, x: tf.Tensor, observe?: (layer: Network['layers'][number], inputs: tf.Tensor[]) => void): tf.Tensor {
  const values = new Map<string, tf.Tensor>([[network.input, x.rank === 4 ? tf.transpose(x, [0, 2, 3, 1]) : x]]);
  let last: tf.Tensor = x;
  for (const layer of network.layers) {
    const inputs = layer.inputs.map((n) => values.get(n) as tf.Tensor);
    observe?.(layer, inputs);
    last = applyLayer(layer.name, layer.spec, inputs, params);
    values.set(layer.name, last);
  }
  return last.rank === 4 ? tf.transpose(last, [0, 3, 1, 2]) : last;
}

/** Random parameters in PyTorch's layout: weights N(0, 1/fan_in), BatchNorm scale 1 and shift 0, biases small. */
export function initParams(analysis: Analysis, rng: Rng): Record<string, NdArray> {
  const out: Record<string, NdArray> = {};
  for (const p of analysis.params) {
    const spec = analysis.network.layers[p.layer].spec;
    const isBn = spec.kind === 'BatchNorm2d';
    if (p.shape.length === 1) {
      const a = rng.randn(p.shape, 0.1);
      if (isBn && p.name.endsWith('.weight')) for (let i = 0; i < a.data.length; i++) a.data[i] = 1 + (a.data[i] as number);
      out[p.name] = a;
    } else {
      const fanIn = p.shape.slice(1).reduce((t, d) => t * d, 1);
      out[p.name] = rng.randn(p.shape, 1 / Math.sqrt(fanIn));
    }
  }
  return out;
}

/** What one forward and backward pass of the reference gives. */
export interface TrainStepResult {
  outputShape: number[];
  loss: number;
  /** Output and loss are finite. */
  finite: boolean;
  /** Per parameter, in order: a gradient reaches it and it is finite. */
  gradOk: boolean[];
  /** Some BatchNorm2d got an input without a negative value, as a ReLU right before it gives. */
  batchNormInputNonNegative: boolean;
}

/** Per layer: whether its output flows into the network's output (so its parameters receive a gradient). */
export function reachesOutput(network: Network): boolean[] {
  const reached = new Set<string>([network.layers[network.layers.length - 1].name]);
  for (let i = network.layers.length - 1; i >= 0; i--) {
    const layer = network.layers[i];
    if (reached.has(layer.name)) layer.inputs.forEach((name) => reached.add(name));
  }
  return network.layers.map((layer) => reached.has(layer.name));
}

function loadInputs(analysis: Analysis, params: Record<string, NdArray>, x: NdArray): { variables: tf.Variable[]; byName: ParamTensors; input: tf.Tensor } {
  const variables = analysis.params.map((p) => tf.variable(tf.tensor(params[p.name].data as Float32Array, p.shape, 'float32'), true, undefined, 'float32'));
  const byName: ParamTensors = Object.fromEntries(analysis.params.map((p, i) => [p.name, variables[i]]));
  return { variables, byName, input: tf.tensor(x.data as Float32Array, x.shape, 'float32') };
}

/** Watches a forward pass for a BatchNorm2d whose input has no negative value (a ReLU placed before it). */
function watchBatchNormInputs() {
  const watch = {
    nonNegative: false,
    observe: (layer: Network['layers'][number], inputs: tf.Tensor[]) => {
      if (layer.spec.kind === 'BatchNorm2d' && tf.tidy(() => tf.min(inputs[0]).dataSync()[0]) >= 0) watch.nonNegative = true;
    },
  };
  return watch;
}

const allFinite = (t: tf.Tensor): boolean => tf.tidy(() => tf.all(tf.isFinite(t)).dataSync()[0] === 1);

/**
 * The reference's train step without autodiff (the tfjs-core Node bundle registers no gradients): the forward pass
 * and loss = mean(output²) are computed and checked for finiteness; a parameter gets a gradient when its layer's
 * output flows into the network output. The tests check this against tf.variableGrads (autodiffStep) and PyTorch.
 */
export function trainStep(analysis: Analysis, params: Record<string, NdArray>, x: NdArray): TrainStepResult {
  const { variables, byName, input } = loadInputs(analysis, params, x);
  try {
    const batchNorm = watchBatchNormInputs();
    const out = tf.tidy(() => forward(analysis.network, byName, input, batchNorm.observe));
    const lossTensor = tf.tidy(() => tf.mean(tf.square(out)));
    const loss = lossTensor.dataSync()[0];
    const finite = allFinite(out) && Number.isFinite(loss);
    const reach = reachesOutput(analysis.network);
    const result = { outputShape: [...out.shape], loss, finite, gradOk: analysis.params.map((p) => reach[p.layer] && finite), batchNormInputNonNegative: batchNorm.nonNegative };
    tf.dispose([out, lossTensor]);
    return result;
  } finally {
    tf.dispose([input, ...variables]);
  }
}

/** The same step with TensorFlow.js autodiff; needs the gradient registry (tests import register_all_gradients). */
export function autodiffStep(analysis: Analysis, params: Record<string, NdArray>, x: NdArray): TrainStepResult & { grads: (tf.Tensor | undefined)[] } {
  const { variables, byName, input } = loadInputs(analysis, params, x);
  try {
    let outputShape: number[] = [];
    let finiteOutput = false;
    const batchNorm = watchBatchNormInputs();
    const { value, grads } = tf.variableGrads(() => {
      const out = forward(analysis.network, byName, input, batchNorm.observe);
      outputShape = [...out.shape];
      finiteOutput = allFinite(out);
      return tf.mean(tf.square(out)) as tf.Scalar;
    }, variables);
    const loss = value.dataSync()[0];
    value.dispose();
    const ordered = variables.map((v) => grads[v.name] as tf.Tensor | undefined);
    return { outputShape, loss, finite: finiteOutput && Number.isFinite(loss), gradOk: ordered.map((g) => g !== undefined && allFinite(g)), batchNormInputNonNegative: batchNorm.nonNegative, grads: ordered };
  } finally {
    tf.dispose([input, ...variables]);
  }
}
