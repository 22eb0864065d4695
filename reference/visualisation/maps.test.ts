// The map references (saliency, guided backprop, Grad-CAM, guided Grad-CAM, integrated gradients), computed with
// TensorFlow.js autodiff in float32, against TinyNet's forward and hand-written backward as float64 loops.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromTensor, selectBackend, toTensor } from '../../graders/answer-key/backend.js';
import { createRng } from '../../graders/answer-key/rng.js';
import type { Arrays } from '../../graders/answer-key/types.js';
import { float32, int64, scalar, toNumbers, type NdArray } from '../../graders/npz/ndarray.js';
import {
  bilinear64,
  forward,
  gradCam64,
  guidedGradCam64,
  integratedGradients64,
  saliency64,
  scaledError,
  scoreGradient64,
  scores64,
  tensor64,
  tinyNet64,
  type Tensor64,
} from './float64-oracle.js';
import { visualisationReference as reference } from './index.js';
import { upsample } from './maps.js';
import { modelInputs, tinyNetWeights, weightsFromInputs } from './tinynet.js';

/** The scaled error of a map, after checking its shape and that the expected map is not all zero. */
function mapError(actual: NdArray, expected: Tensor64): number {
  expect(actual.shape).toEqual(expected.shape);
  expect(expected.data.some((v) => v !== 0), 'the expected map is all zero, which would hide every mistake').toBe(true);
  return scaledError(toNumbers(actual), expected.data);
}

// Float32 autodiff against float64 loops: measured up to about 1.1e-6 of the map's largest value (cpu and wasm); the
// grading tolerance is 1e-4, and every mistake the manifest names is off by more than 0.5.
const FLOAT32_TOLERANCE = 1e-5;

interface MapCase {
  label: string;
  weights: Arrays;
  X: NdArray;
  y: number[];
}

function inputsOf({ weights, X, y }: MapCase): Arrays {
  return { X, y: int64(y), ...modelInputs(weights) };
}

/** TinyNet's shapes with He-normal weights and non-zero biases (the shipped model's biases are zero). */
function randomWeights(label: string): Arrays {
  const rng = createRng('visualisation-oracle', label);
  const conv = (out: number, inC: number) => rng.randn([out, inC, 3, 3], Math.sqrt(2 / (inC * 9)));
  return {
    'features.0.weight': conv(8, 3),
    'features.0.bias': rng.randn([8], 0.1),
    'features.3.weight': conv(16, 8),
    'features.3.bias': rng.randn([16], 0.1),
    'features.6.weight': conv(16, 16),
    'features.6.bias': rng.randn([16], 0.1),
    'classifier.weight': rng.randn([10, 16], 1),
    'classifier.bias': rng.randn([10], 0.1),
  };
}

function randomImages(label: string, n: number, size: number): NdArray {
  return createRng('visualisation-oracle-images', label).randn([n, 3, size, size]);
}

/**
 * The shipped model (zero biases) on images with a block of exact zeros: there every first-layer pre-activation is
 * exactly 0, so the ReLU's derivative at 0 (zero, in PyTorch) and max pooling over tied zeros both matter.
 */
function imagesWithZeroBlock(n: number, size: number): NdArray {
  const x = randomImages('zero-block', n, size);
  const data = x.data as Float32Array;
  for (let b = 0; b < n; b++)
    for (let c = 0; c < 3; c++)
      for (let i = 0; i < size / 2; i++) for (let j = 0; j < size / 2; j++) data[((b * 3 + c) * size + i) * size + j] = 0;
  return x;
}

// The shipped model's weights come from TensorFlow.js (their classifier is scaled by measured scores).
await selectBackend('cpu');
const SHIPPED = tinyNetWeights(3141);

const CASES: MapCase[] = [
  { label: 'random net, one 8×8 image', weights: randomWeights('a'), X: randomImages('a', 1, 8), y: [3] },
  { label: 'random net, three 12×12 images, different targets', weights: randomWeights('b'), X: randomImages('b', 3, 12), y: [0, 7, 7] },
  { label: 'random net, two 32×32 images', weights: randomWeights('c'), X: randomImages('c', 2, 32), y: [9, 2] },
  { label: 'shipped net, two 32×32 images', weights: SHIPPED, X: randomImages('d', 2, 32), y: [1, 5] },
  { label: 'shipped net, ReLUs exactly at 0 (zero biases, a zero block)', weights: SHIPPED, X: imagesWithZeroBlock(2, 16), y: [4, 8] },
];

describe.each(['cpu', 'wasm'])('visualisation maps on %s against float64 loops', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each(CASES)('saliency: $label', async (c) => {
    const out = await reference.questions.saliency.solve(inputsOf(c));
    expect(mapError(out.saliency, saliency64(tinyNet64(c.weights), tensor64(c.X), c.y))).toBeLessThan(FLOAT32_TOLERANCE);
  });

  it.each(CASES)('guided backprop: $label', async (c) => {
    const out = await reference.questions.guided_backprop.solve(inputsOf(c));
    expect(mapError(out.guided, scoreGradient64(tinyNet64(c.weights), tensor64(c.X), c.y, 'guided'))).toBeLessThan(FLOAT32_TOLERANCE);
  });

  // The fixtures store the mistakes' maps too; the deconvnet rule passes gradient into pooled ties of zeros, so there
  // PyTorch's choice of the first maximum decides the map.
  it.each(CASES)('guided backprop mistakes, plain-gradient and deconvnet ReLUs: $label', async (c) => {
    const mistakes = reference.questions.guided_backprop.mistakes!;
    const net = tinyNet64(c.weights);
    const x = tensor64(c.X);
    expect(mapError((await mistakes['plain-gradient'](inputsOf(c))).guided, scoreGradient64(net, x, c.y, 'plain'))).toBeLessThan(FLOAT32_TOLERANCE);
    expect(mapError((await mistakes.deconvnet(inputsOf(c))).guided, scoreGradient64(net, x, c.y, 'deconvnet'))).toBeLessThan(FLOAT32_TOLERANCE);
  });

  it.each(CASES)('Grad-CAM: $label', async (c) => {
    const out = await reference.questions.grad_cam.solve(inputsOf(c));
    expect(mapError(out.cam, gradCam64(tinyNet64(c.weights), tensor64(c.X), c.y))).toBeLessThan(FLOAT32_TOLERANCE);
  });

  // Guided Grad-CAM upsamples to 32×32, so it is defined on full-size images only.
  it.each(CASES.filter((c) => c.X.shape[2] === 32))('guided Grad-CAM: $label', async (c) => {
    const out = await reference.questions.guided_grad_cam.solve(inputsOf(c));
    expect(mapError(out.guided_cam, guidedGradCam64(tinyNet64(c.weights), tensor64(c.X), c.y))).toBeLessThan(FLOAT32_TOLERANCE);
  });

  it.each(CASES)('integrated gradients, zero and image baselines: $label', async (c) => {
    const net = tinyNet64(c.weights);
    for (const [baseline, steps] of [
      [float32(new Float32Array(c.X.data.length), c.X.shape), 4],
      [randomImages(`${c.label} baseline`, c.X.shape[0], c.X.shape[2]), 3],
    ] as const) {
      const out = await reference.questions.integrated_gradients.solve({ ...inputsOf(c), baseline, steps: scalar(steps, 'int64') });
      expect(mapError(out.attributions, integratedGradients64(net, tensor64(c.X), c.y, tensor64(baseline), steps))).toBeLessThan(FLOAT32_TOLERANCE);
    }
  });

  it('bilinear upsampling 8×8 → 32×32 with half-pixel centres, as F.interpolate(align_corners=False)', async () => {
    const maps = createRng('visualisation-oracle', 'upsample').rand([2, 8, 8], 0, 1);
    const out = tf.tidy(() => upsample(toTensor(maps) as tf.Tensor3D));
    const got = await fromTensor(out);
    out.dispose();
    expect(mapError(got, bilinear64(tensor64(maps), 32))).toBeLessThan(FLOAT32_TOLERANCE);
  });
});

describe('the float64 oracle itself', () => {
  it('its backward pass is the derivative of its forward pass (central differences)', () => {
    const c = CASES[1];
    const net = tinyNet64(c.weights);
    const x = tensor64(c.X);
    const grad = scoreGradient64(net, x, c.y);
    const objective = (t: Tensor64) => scores64(net, t).reduce((s, row, n) => s + row[c.y[n]], 0);
    const rng = createRng('visualisation-oracle', 'finite-differences');
    for (let probe = 0; probe < 20; probe++) {
      const i = rng.int(0, x.data.length);
      const h = 1e-6;
      const plus = { shape: x.shape, data: x.data.map((v, j) => (j === i ? v + h : v)) };
      const minus = { shape: x.shape, data: x.data.map((v, j) => (j === i ? v - h : v)) };
      const numeric = (objective(plus) - objective(minus)) / (2 * h);
      expect(Math.abs(numeric - grad.data[i]), `element ${i}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
    }
  });

  it('the zero-block case really puts first-layer ReLUs exactly at 0', () => {
    const c = CASES[CASES.length - 1];
    const pre = forward(tinyNet64(c.weights), tensor64(c.X)).pre[0];
    expect(pre.data.filter((v) => v === 0).length).toBeGreaterThan(100);
  });
});

describe('the cases the fixtures are made of show every named mistake against the float64 oracle', () => {
  const context = { assignment: 'visualisation', seed: 3141 };
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  const oracleOf: Record<string, { output: string; oracle: (net: ReturnType<typeof tinyNet64>, x: Tensor64, y: number[]) => Tensor64 }> = {
    saliency: { output: 'saliency', oracle: saliency64 },
    guided_backprop: { output: 'guided', oracle: (net, x, y) => scoreGradient64(net, x, y, 'guided') },
    grad_cam: { output: 'cam', oracle: gradCam64 },
  };

  it('integrated gradients\' image baseline is one dim image, the same for every image of the batch', () => {
    const inputs = reference.questions.integrated_gradients.generate({ batch: 2, targets: 'other', steps: 5, baseline: 'image' }, createRng('visualisation-oracle', 'baseline'), context);
    const b = toNumbers(inputs.baseline);
    const size = b.length / 2;
    expect(b.slice(0, size)).toEqual(b.slice(size));
    // Smooth like the synthetic images (neighbouring pixels close), not noise drawn pixel by pixel.
    const steps = b.slice(1, 32).map((v, i) => Math.abs(v - b[i]));
    expect(Math.max(...steps)).toBeLessThan(0.25 * Math.max(...b.slice(0, size).map(Math.abs)));
  });

  it.each(Object.keys(oracleOf))('%s: the reference agrees with the oracle, each mistake is off by more than 1e-2', async (question) => {
    const { output, oracle } = oracleOf[question];
    const q = reference.questions[question];
    const inputs = q.generate({ batch: 3, targets: 'mixed' }, createRng('visualisation-oracle', question), context);
    const expected = oracle(tinyNet64(weightsFromInputs(inputs)), tensor64(inputs.X), toNumbers(inputs.y));
    expect(mapError((await q.solve(inputs))[output], expected)).toBeLessThan(FLOAT32_TOLERANCE);
    const mistakes = Object.entries(q.mistakes ?? {});
    expect(mistakes.length).toBeGreaterThan(0);
    for (const [id, wrong] of mistakes) {
      const got = (await wrong(inputs))[output];
      const error = got.shape.join() === expected.shape.join() ? mapError(got, expected) : Infinity;
      expect(error, id).toBeGreaterThan(1e-2);
    }
  });
});
