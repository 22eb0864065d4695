// Answer key for style-transfer (assignments.md §1): content, Gram, style and total-variation losses.
import * as tf from '@tensorflow/tfjs-core';
import type { AssignmentReference, Arrays, QuestionReference } from '../../graders/answer-key/types.js';
import type { Rng } from '../../graders/answer-key/rng.js';
import { fromTensor, toTensor } from '../../graders/answer-key/backend.js';
import { packList, unpackList } from '../../graders/answer-key/list-arrays.js';
import { blockSum } from '../../graders/answer-key/precise.js';
import { int64, scalar, scalarValue, float32, type NdArray } from '../../graders/npz/ndarray.js';

/** Feature maps after a ReLU: non-negative, mostly small, some zeros — like SqueezeNet activations. */
function reluFeatures(rng: Rng, shape: number[]): NdArray {
  const a = rng.randn(shape);
  for (let i = 0; i < a.data.length; i++) a.data[i] = Math.max(0, a.data[i] as number);
  return a;
}

function shapeArg(args: Record<string, unknown>, name: string): number[] {
  const value = args[name];
  if (!Array.isArray(value) || !value.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Error(`args.${name} must be a list of non-negative integers, got ${JSON.stringify(value)}`);
  }
  return value as number[];
}

async function scalarOut(t: tf.Tensor): Promise<NdArray> {
  return fromTensor(tf.reshape(t, []));
}

/** w * sum((current - original)^2); the mistakes drop the weight or use a mean. */
function contentLoss(weighted: boolean, reduce: 'sum' | 'mean') {
  return async (inputs: Arrays): Promise<Arrays> => {
    const w = scalarValue(inputs.content_weight);
    const loss = tf.tidy(() => {
      const diff = tf.squaredDifference(toTensor(inputs.content_current), toTensor(inputs.content_original));
      const total = reduce === 'sum' ? blockSum(diff) : tf.div(blockSum(diff), diff.size);
      return weighted ? tf.mul(total, w) : total;
    });
    return { loss: await scalarOut(loss) };
  };
}

/** Gram matrices [N, C, C] of features [N, C, H, W], divided by `divisor(C, H, W)` when normalising. */
function gram(features: tf.Tensor, normalize: boolean, divisor = (c: number, h: number, w: number) => c * h * w): tf.Tensor {
  const [n, c, h, w] = features.shape;
  const flat = tf.reshape(features, [n, c, h * w]);
  const g = tf.matMul(flat, flat, false, true);
  return normalize ? tf.div(g, divisor(c, h, w)) : g;
}

function gramQuestion(divisor?: (c: number, h: number, w: number) => number) {
  return async (inputs: Arrays): Promise<Arrays> => {
    const normalize = scalarValue(inputs.normalize) !== 0;
    const g = tf.tidy(() => gram(toTensor(inputs.features), divisor ? true : normalize, divisor));
    return { gram: await fromTensor(g) };
  };
}

/** sum_i w_i * sum((gram(feats[layer_i]) - target_i)^2), with a normalised Gram unless a mistake says otherwise. */
function styleLoss(normalize: boolean) {
  return async (inputs: Arrays): Promise<Arrays> => {
    const feats = unpackList(inputs, 'feats');
    const targets = unpackList(inputs, 'style_targets');
    const layers = Array.from(inputs.style_layers.data as BigInt64Array, Number);
    const weights = Array.from(inputs.style_weights.data as Float32Array);
    const loss = tf.tidy(() => {
      let total: tf.Tensor = tf.scalar(0);
      layers.forEach((layer, i) => {
        const g = gram(toTensor(feats[layer]), normalize);
        total = tf.add(total, tf.mul(blockSum(tf.squaredDifference(g, toTensor(targets[i]))), weights[i]));
      });
      return total;
    });
    return { loss: await scalarOut(loss) };
  };
}

/** w * (sum of squared vertical differences + sum of squared horizontal differences). */
function tvLoss(penalty: 'square' | 'abs') {
  return async (inputs: Arrays): Promise<Arrays> => {
    const w = scalarValue(inputs.tv_weight);
    const loss = tf.tidy(() => {
      const img = toTensor(inputs.img);
      const [n, c, h, wd] = img.shape;
      const f = penalty === 'square' ? tf.square : tf.abs;
      const down = tf.sub(tf.slice(img, [0, 0, 1, 0], [n, c, h - 1, wd]), tf.slice(img, [0, 0, 0, 0], [n, c, h - 1, wd]));
      const right = tf.sub(tf.slice(img, [0, 0, 0, 1], [n, c, h, wd - 1]), tf.slice(img, [0, 0, 0, 0], [n, c, h, wd - 1]));
      return tf.mul(tf.add(blockSum(f(down)), blockSum(f(right))), w);
    });
    return { loss: await scalarOut(loss) };
  };
}

const content_loss: QuestionReference = {
  generate(args, rng) {
    const shape = shapeArg(args, 'shape');
    const current = reluFeatures(rng, shape);
    return {
      content_weight: scalar(Number(args.content_weight ?? 6e-2)),
      content_current: current,
      content_original: reluFeatures(rng, shape),
    };
  },
  solve: contentLoss(true, 'sum'),
  mistakes: { 'missing-weight': contentLoss(false, 'sum'), 'mean-instead-of-sum': contentLoss(true, 'mean') },
};

const gram_matrix: QuestionReference = {
  generate(args, rng) {
    return {
      features: reluFeatures(rng, shapeArg(args, 'shape')),
      normalize: { dtype: 'bool', shape: [], data: Uint8Array.of(args.normalize === false ? 0 : 1) },
    };
  },
  solve: gramQuestion(),
  mistakes: {
    'not-normalized': gramQuestion((_c, _h, _w) => 1),
    'normalized-by-hw-only': gramQuestion((_c, h, w) => h * w),
  },
};

const style_loss: QuestionReference = {
  // args.layer_shapes: one [C, H, W] per feature layer; only the style layers get full-size maps.
  generate(args, rng) {
    const layerShapes = args.layer_shapes as number[][];
    const styleLayers = args.style_layers as number[];
    const feats = layerShapes.map((s, i) => (styleLayers.includes(i) ? reluFeatures(rng, [1, ...s]) : reluFeatures(rng, [1, s[0], 1, 1])));
    const targets = styleLayers.map((layer) => {
      const [c, h, w] = layerShapes[layer];
      // A target is the Gram matrix of another image's features, so it has the same scale as the student's.
      const other = reluFeatures(rng, [1, c, h, w]);
      return tf.tidy(() => gram(toTensor(other), true));
    });
    const targetArrays = targets.map((t) => {
      const nd: NdArray = { dtype: 'float32', shape: [...t.shape], data: Float32Array.from(t.dataSync()) };
      t.dispose();
      return nd;
    });
    return {
      ...packList('feats', feats),
      style_layers: int64(styleLayers),
      ...packList('style_targets', targetArrays),
      style_weights: float32(args.style_weights as number[]),
    };
  },
  solve: styleLoss(true),
  mistakes: { 'gram-not-normalized': styleLoss(false) },
};

const tv_loss: QuestionReference = {
  generate(args, rng) {
    return { img: rng.randn(shapeArg(args, 'shape')), tv_weight: scalar(Number(args.tv_weight ?? 2e-2)) };
  },
  solve: tvLoss('square'),
  mistakes: { 'abs-instead-of-square': tvLoss('abs') },
};

export const styleTransferReference: AssignmentReference = {
  assignment: 'style-transfer',
  version: '1',
  questions: { content_loss, gram_matrix, style_loss, tv_loss },
};
