// TinyNet (assignments.md §5): its layers, its weights (generated from the manifest's seed), and smooth synthetic images.
import * as tf from '@tensorflow/tfjs-core';
import { createRng, type Rng } from '../../graders/answer-key/rng.js';
import type { Arrays } from '../../graders/answer-key/types.js';
import { toTensor } from '../../graders/answer-key/backend.js';
import type { ModelLayerT } from '../../graders/manifest/schema.js';
import { paramSpecs, runLayers, type Params } from '../../graders/models/network.js';
import { float32, type NdArray } from '../../graders/npz/ndarray.js';

/** The same network as assignments/visualisation/tinynet.py and the manifest's `model.layers` (a test holds all three equal). */
export const TINYNET_LAYERS: ModelLayerT[] = [
  { type: 'conv2d', name: 'features.0', in: 3, out: 8, kernel: 3, padding: 1 },
  { type: 'relu', name: 'features.1' },
  { type: 'maxpool2d', name: 'features.2', kernel: 2 },
  { type: 'conv2d', name: 'features.3', in: 8, out: 16, kernel: 3, padding: 1 },
  { type: 'relu', name: 'features.4' },
  { type: 'maxpool2d', name: 'features.5', kernel: 2 },
  { type: 'conv2d', name: 'features.6', in: 16, out: 16, kernel: 3, padding: 1 },
  { type: 'relu', name: 'features.7' },
  { type: 'global_avgpool', name: 'pool' },
  { type: 'flatten', name: 'flatten' },
  { type: 'linear', name: 'classifier', in: 16, out: 10 },
];

/** model.features: everything up to the last ReLU ([N, 16, 8, 8]); the head maps that to the 10 scores. */
export const FEATURE_LAYERS = TINYNET_LAYERS.slice(0, 8);
export const HEAD_LAYERS = TINYNET_LAYERS.slice(8);
export const NUM_CLASSES = 10;
export const IMAGE_SHAPE = [3, 32, 32];
/** The input name the model's weights are stored under (model.features.0.weight, …). */
export const MODEL_INPUT = 'model';
/** Class scores on the calibration images get this standard deviation (the spec asks for 1 to 10). */
const TARGET_SCORE_STD = 3;

/**
 * A smooth image shaped like a natural one, standardised per channel: a colour gradient, a few soft blobs of
 * colour and a low-frequency texture — never white noise, whose gradients look nothing like a photo's.
 */
export function syntheticImage(rng: Rng): Float32Array {
  const [c, h, w] = IMAGE_SHAPE;
  const img = new Float32Array(c * h * w);
  const base = [rng.normal(), rng.normal(), rng.normal()];
  const slope = [rng.normal(), rng.normal()];
  const blobs = Array.from({ length: 2 + rng.int(0, 3) }, () => ({
    y: rng.uniform() * h,
    x: rng.uniform() * w,
    r: 3 + rng.uniform() * 8,
    colour: [rng.normal() * 1.5, rng.normal() * 1.5, rng.normal() * 1.5],
  }));
  const wave = { fy: rng.uniform() * 0.5, fx: rng.uniform() * 0.5, phase: rng.uniform() * 6.283, amp: 0.3 + rng.uniform() * 0.4 };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const ramp = slope[0] * (y / h - 0.5) + slope[1] * (x / w - 0.5);
      const texture = wave.amp * Math.sin(wave.fy * y + wave.fx * x + wave.phase);
      for (let ch = 0; ch < c; ch++) {
        let v = base[ch] * 0.5 + ramp + texture * (ch === 1 ? 0.8 : 1);
        for (const b of blobs) v += b.colour[ch] * Math.exp(-((y - b.y) ** 2 + (x - b.x) ** 2) / (2 * b.r * b.r));
        img[(ch * h + y) * w + x] = v;
      }
    }
  }
  // Standardise each channel, as a course's preprocessing would.
  for (let ch = 0; ch < c; ch++) {
    const plane = img.subarray(ch * h * w, (ch + 1) * h * w);
    const mean = plane.reduce((s, v) => s + v, 0) / plane.length;
    const std = Math.sqrt(plane.reduce((s, v) => s + (v - mean) ** 2, 0) / plane.length) || 1;
    for (let i = 0; i < plane.length; i++) plane[i] = (plane[i] - mean) / std;
  }
  return img;
}

/** A batch of `n` synthetic images, [n, 3, 32, 32]. */
export function syntheticBatch(rng: Rng, n: number): NdArray {
  const size = IMAGE_SHAPE.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n * size);
  for (let i = 0; i < n; i++) data.set(syntheticImage(rng), i * size);
  return float32(data, [n, ...IMAGE_SHAPE]);
}

const weightCache = new Map<number, Arrays>();

/**
 * TinyNet's weights for a seed: He-normal weights, zero biases, then the classifier's weights scaled so the class
 * scores of 32 calibration images have a standard deviation of TARGET_SCORE_STD. Keys are parameter names.
 */
export function tinyNetWeights(seed: number): Arrays {
  const cached = weightCache.get(seed);
  if (cached) return cached;
  const rng = createRng('visualisation', seed, 'tinynet-weights');
  const weights: Arrays = {};
  for (const spec of paramSpecs({ layers: TINYNET_LAYERS })) {
    weights[spec.name] = spec.fanIn ? rng.randn(spec.shape, Math.sqrt(2 / spec.fanIn)) : float32(new Float32Array(spec.shape.reduce((a, b) => a * b, 1)), spec.shape);
  }
  const calibration = syntheticBatch(createRng('visualisation', seed, 'calibration'), 32);
  const std = tf.tidy(() => {
    const s = runLayers(TINYNET_LAYERS, toParams(weights), toTensor(calibration));
    return Math.sqrt(tf.moments(s).variance.dataSync()[0]);
  });
  const factor = TARGET_SCORE_STD / std;
  const w = weights['classifier.weight'];
  weights['classifier.weight'] = float32(Float32Array.from(w.data as Float32Array, (v) => v * factor), w.shape);
  weightCache.set(seed, weights);
  return weights;
}

/** Weights as tensors, by parameter name (the caller disposes, or runs inside tf.tidy). */
export function toParams(weights: Arrays): Params {
  return Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, toTensor(v)]));
}

/** The weights as case inputs, under model.<parameter>. */
export function modelInputs(weights: Arrays): Arrays {
  return Object.fromEntries(Object.entries(weights).map(([k, v]) => [`${MODEL_INPUT}.${k}`, v]));
}

/** The weights back from a case's inputs. */
export function weightsFromInputs(inputs: Arrays): Arrays {
  const prefix = MODEL_INPUT + '.';
  return Object.fromEntries(Object.entries(inputs).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
}

/** The class scores [N, 10] of a batch, as numbers. */
export function scoreRows(weights: Arrays, x: NdArray): number[][] {
  return tf.tidy(() => runLayers(TINYNET_LAYERS, toParams(weights), toTensor(x)).arraySync() as number[][]);
}
