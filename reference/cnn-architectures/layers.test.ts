import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import {
  LayerShapeError,
  batchNorm2d,
  concat,
  conv2d,
  convTranspose2d,
  describe as describeLayer,
  linear,
  maxPool2d,
  outputShape,
  paramCount,
  parameters,
  relu,
  upsample,
} from './layers.js';

const BACKENDS = ['cpu', 'wasm'] as const;

describe('PyTorch shape formulas', () => {
  it.each([
    // [H, k, s, p, expected] — nn.Conv2d
    [32, 3, 1, 1, 32],
    [32, 5, 1, 2, 32],
    [32, 3, 2, 1, 16],
    [32, 5, 2, 2, 16],
    [32, 3, 2, 0, 15],
    [15, 3, 2, 0, 7],
    [7, 1, 1, 0, 7],
  ])('Conv2d H=%i k=%i s=%i p=%i gives %i', (h, k, s, p, want) => {
    expect(outputShape(conv2d(3, 8, k, { stride: s, padding: p }), [[2, 3, h, h]])).toEqual([2, 8, want, want]);
  });

  it.each([
    // [H, k, s, p, op, expected] — nn.ConvTranspose2d
    [8, 3, 2, 1, 1, 16],
    [16, 3, 2, 1, 1, 32],
    [8, 5, 2, 2, 1, 16],
    [7, 3, 2, 0, 1, 16],
    [16, 3, 2, 0, 1, 34],
    [5, 5, 2, 0, 1, 14],
    [4, 2, 2, 0, 0, 8],
  ])('ConvTranspose2d H=%i k=%i s=%i p=%i op=%i gives %i', (h, k, s, p, op, want) => {
    expect(outputShape(convTranspose2d(4, 6, k, { stride: s, padding: p, outputPadding: op }), [[1, 4, h, h]])).toEqual([1, 6, want, want]);
  });

  it('keeps non-square inputs apart', () => {
    expect(outputShape(conv2d(1, 2, 3, { stride: 2, padding: 1 }), [[1, 1, 9, 32]])).toEqual([1, 2, 5, 16]);
    expect(outputShape(maxPool2d(2), [[1, 2, 9, 32]])).toEqual([1, 2, 4, 16]);
  });

  it('pools, upsamples, normalises, concatenates and applies linear layers', () => {
    expect(outputShape(maxPool2d(2), [[4, 32, 32, 32]])).toEqual([4, 32, 16, 16]);
    expect(outputShape(maxPool2d(3, 2, 1), [[4, 8, 15, 15]])).toEqual([4, 8, 8, 8]);
    expect(outputShape(upsample(2), [[4, 32, 8, 8]])).toEqual([4, 32, 16, 16]);
    expect(outputShape(batchNorm2d(32), [[4, 32, 8, 8]])).toEqual([4, 32, 8, 8]);
    expect(outputShape(relu(), [[4, 3]])).toEqual([4, 3]);
    expect(outputShape(concat(), [[4, 32, 16, 16], [4, 32, 16, 16]])).toEqual([4, 64, 16, 16]);
    expect(outputShape(concat(), [[4, 24, 32, 32], [4, 1, 32, 32]])).toEqual([4, 25, 32, 32]);
    expect(outputShape(linear(10, 3), [[4, 10]])).toEqual([4, 3]);
  });

  it('refuses inputs that do not fit, naming the layer and the values', () => {
    expect(() => outputShape(conv2d(3, 8, 3), [[1, 4, 8, 8]])).toThrow(/Conv2d expects 3 input channels, got 4/);
    expect(() => outputShape(conv2d(3, 8, 5), [[1, 3, 2, 2]])).toThrow(LayerShapeError);
    expect(() => outputShape(concat(), [[1, 3, 8, 8], [1, 3, 7, 7]])).toThrow(/Concat along channels needs equal N, H, W/);
    expect(() => outputShape(convTranspose2d(3, 3, 3, { stride: 2, outputPadding: 2 }), [[1, 3, 4, 4]])).toThrow(/output_padding 2 must be smaller/);
    expect(() => outputShape(batchNorm2d(8), [[1, 4, 2, 2]])).toThrow(/BatchNorm2d expects 8 input channels/);
    expect(() => outputShape(linear(5, 2), [[1, 4]])).toThrow(/Linear expects 5 input features, got 4/);
  });
});

describe('trainable parameters, as PyTorch counts them', () => {
  it('Conv2d: out·in·k² weights and out biases', () => {
    expect(parameters(conv2d(1, 32, 3))).toEqual([
      { name: 'weight', shape: [32, 1, 3, 3] },
      { name: 'bias', shape: [32] },
    ]);
    expect(paramCount(conv2d(1, 32, 3))).toBe(320);
    expect(paramCount(conv2d(32, 64, 3, { bias: false }))).toBe(18432);
  });

  it('ConvTranspose2d stores its weight as [in, out, k, k]', () => {
    expect(parameters(convTranspose2d(64, 32, 3, { stride: 2, padding: 1, outputPadding: 1 }))).toEqual([
      { name: 'weight', shape: [64, 32, 3, 3] },
      { name: 'bias', shape: [32] },
    ]);
    expect(paramCount(convTranspose2d(64, 32, 3))).toBe(18464);
  });

  it('BatchNorm2d has 2 trainable numbers per channel (running statistics are buffers)', () => {
    expect(paramCount(batchNorm2d(32))).toBe(64);
    expect(paramCount(batchNorm2d(32, false))).toBe(0);
  });

  it('pooling, upsampling, ReLU and concatenation have none; Linear has out·in + out', () => {
    for (const spec of [maxPool2d(2), upsample(2), relu(), concat()]) expect(paramCount(spec)).toBe(0);
    expect(paramCount(linear(10, 3))).toBe(33);
  });

  it('describes layers the way PyTorch prints their arguments', () => {
    expect(describeLayer(convTranspose2d(64, 32, 3, { stride: 2, padding: 1, outputPadding: 1 }))).toBe('ConvTranspose2d(64→32, k=3, s=2, p=1, op=1)');
    expect(describeLayer(conv2d(1, 32, 5, { padding: 2 }))).toBe('Conv2d(1→32, k=5, s=1, p=2)');
    expect(describeLayer(maxPool2d(2))).toBe('MaxPool2d(2)');
  });
});

/** NCHW shape → NHWC zeros. */
const zerosNhwc = (s: readonly number[]) => tf.zeros([s[0], s[2], s[3], s[1]]) as tf.Tensor4D;
const toNchw = (shape: number[]) => [shape[0], shape[3], shape[1], shape[2]];

describe.each(BACKENDS)('the formulas agree with TensorFlow.js ops on zeros (%s back end)', (backend) => {
  beforeAll(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
    expect(tf.getBackend()).toBe(backend);
  });

  it.each([
    [3, 1, 1],
    [5, 1, 2],
    [3, 2, 1],
    [5, 2, 2],
    [3, 2, 0],
    [1, 1, 0],
  ])('tf.conv2d with k=%i s=%i p=%i', (k, s, p) => {
    const input = [2, 3, 32, 32];
    const spec = conv2d(3, 7, k, { stride: s, padding: p });
    const out = tf.tidy(() => tf.conv2d(zerosNhwc(input), tf.zeros([k, k, 3, 7]) as tf.Tensor4D, s, [[0, 0], [p, p], [p, p], [0, 0]]).shape);
    expect(toNchw(out)).toEqual(outputShape(spec, [input]));
  });

  it.each([
    [3, 1, 1, 8],
    [5, 2, 1, 8],
    [3, 0, 1, 7],
    [5, 0, 1, 5],
    [3, 1, 0, 8],
  ])('tf.conv2dTranspose (stride 2) with k=%i p=%i op=%i on %i×%i', (k, p, op, h) => {
    const input = [2, 6, h, h];
    const spec = convTranspose2d(6, 4, k, { stride: 2, padding: p, outputPadding: op });
    const want = outputShape(spec, [input]);
    // tf.conv2dTranspose is told its output shape; that shape is consistent exactly when the forward convolution
    // of that size, with the same stride and padding, gives back the input size.
    const out = tf.tidy(() => {
      const y = tf.conv2dTranspose(zerosNhwc(input), tf.zeros([k, k, 4, 6]) as tf.Tensor4D, [2, want[2], want[3], 4], 2, [[0, 0], [p, p], [p, p], [0, 0]]);
      const back = tf.conv2d(y, tf.zeros([k, k, 4, 6]) as tf.Tensor4D, 2, [[0, 0], [p, p], [p, p], [0, 0]]);
      return { y: y.shape, back: back.shape };
    });
    expect(toNchw(out.y)).toEqual(want);
    expect(toNchw(out.back)).toEqual(input);
  });

  it.each([
    [2, 2, 32],
    [2, 2, 15],
    [3, 2, 15],
  ])('tf.maxPool with k=%i s=%i on %i×%i', (k, s, h) => {
    const input = [1, 5, h, h];
    const out = tf.tidy(() => tf.maxPool(zerosNhwc(input), k, s, 'valid').shape);
    expect(toNchw(out)).toEqual(outputShape(maxPool2d(k, s), [input]));
  });

  it('tf.image.resizeNearestNeighbor doubles like Upsample(×2)', () => {
    const input = [1, 5, 8, 8];
    const out = tf.tidy(() => tf.image.resizeNearestNeighbor(zerosNhwc(input), [16, 16]).shape);
    expect(toNchw(out)).toEqual(outputShape(upsample(2), [input]));
  });
});
