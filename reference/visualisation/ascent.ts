// Fooling images and class visualisation (assignments.md §5): gradient ascent on a class score, in TensorFlow.js.
import * as tf from '@tensorflow/tfjs-core';
import { fromTensor, toTensor } from '../../graders/answer-key/backend.js';
import type { Arrays } from '../../graders/answer-key/types.js';
import { runLayers, type Params } from '../../graders/models/network.js';
import { scalarValue, type NdArray } from '../../graders/npz/ndarray.js';
import { NUM_CLASSES, TINYNET_LAYERS, toParams, weightsFromInputs } from './tinynet.js';

function classScore(params: Params, img: tf.Tensor, target: number): tf.Scalar {
  return tf.sum(tf.mul(runLayers(TINYNET_LAYERS, params, img), tf.cast(tf.oneHot([target], NUM_CLASSES), 'float32')));
}

export interface StepOptions {
  /** -1 descends (a mistake). */
  direction?: 1 | -1;
  /** false skips the division by ‖g‖₂ (a mistake). */
  normalise?: boolean;
}

/** One class-visualisation step: img + lr · g / ‖g‖₂ with g = ∇ (s_target − l2_reg ‖img‖²). */
export function classVisStep(params: Params, img: tf.Tensor, target: number, l2Reg: number, lr: number, options: StepOptions = {}): tf.Tensor {
  const { direction = 1, normalise = true } = options;
  return tf.tidy(() => {
    const g = tf.grad((x: tf.Tensor) => tf.sub(classScore(params, x, target), tf.mul(l2Reg, tf.sum(tf.square(x)))))(img);
    const step = normalise ? tf.div(g, tf.norm(g)) : g;
    return tf.add(img, tf.mul(step, direction * lr));
  });
}

export function classVisualisationStep(options: StepOptions = {}) {
  return async (inputs: Arrays): Promise<Arrays> => {
    const params = toParams(weightsFromInputs(inputs));
    const img = toTensor(inputs.img);
    const out = classVisStep(params, img, scalarValue(inputs.target_y), scalarValue(inputs.l2_reg), scalarValue(inputs.learning_rate), options);
    const result = await fromTensor(out);
    tf.dispose([out, img, ...Object.values(params)]);
    return { img: result };
  };
}

/** `num_iterations` steps from `init` (no jitter, no blur). */
export function classVisRun(params: Params, init: NdArray, target: number, iterations: number, l2Reg: number, lr: number): tf.Tensor {
  let img = toTensor(init);
  for (let i = 0; i < iterations; i++) {
    const next = classVisStep(params, img, target, l2Reg, lr);
    img.dispose();
    img = next;
  }
  return img;
}

/** The course's fooling image: L2-normalised ascent on s_target, step size 1, until the model says target (at most `maxSteps`). */
export function foolingImage(params: Params, x: NdArray, target: number, maxSteps = 100): { image: tf.Tensor; steps: number; fooled: boolean } {
  let img = toTensor(x);
  for (let step = 0; step < maxSteps; step++) {
    const predicted = tf.tidy(() => tf.argMax(runLayers(TINYNET_LAYERS, params, img), 1).dataSync()[0]);
    if (predicted === target) return { image: img, steps: step, fooled: true };
    const next = tf.tidy(() => {
      const g = tf.grad((input: tf.Tensor) => classScore(params, input, target))(img);
      return tf.add(img, tf.div(g, tf.norm(g)));
    });
    img.dispose();
    img = next;
  }
  const predicted = tf.tidy(() => tf.argMax(runLayers(TINYNET_LAYERS, params, img), 1).dataSync()[0]);
  return { image: img, steps: maxSteps, fooled: predicted === target };
}

/** The reference's own fooling image for a case (kept for reports; the question is graded by properties). */
export async function solveFooling(inputs: Arrays): Promise<Arrays> {
  const params = toParams(weightsFromInputs(inputs));
  const { image } = foolingImage(params, inputs.X, scalarValue(inputs.target_y));
  const out = await fromTensor(image);
  tf.dispose([image, ...Object.values(params)]);
  return { reference_fool: out };
}

/** The reference's class visualisation for a case (kept for reports; the question is graded by properties). */
export async function solveClassVisRun(inputs: Arrays): Promise<Arrays> {
  const params = toParams(weightsFromInputs(inputs));
  const img = classVisRun(params, inputs.init_img, scalarValue(inputs.target_y), scalarValue(inputs.num_iterations), scalarValue(inputs.l2_reg), scalarValue(inputs.learning_rate));
  const out = await fromTensor(img);
  tf.dispose([img, ...Object.values(params)]);
  return { reference_visualisation: out };
}
