// Answer key for visualisation (assignments.md §5): maps, fooling images and class visualisation on TinyNet.
//
// Every case carries TinyNet's weights (model.<parameter>, the same for every case, generated from the manifest's
// seed) next to its images. The generators pick images and targets that make each known mistake visible: targets
// that are not the model's argmax, images whose raw Grad-CAM has negative entries, never a map that is all zero.
import * as tf from '@tensorflow/tfjs-core';
import { toTensor } from '../../graders/answer-key/backend.js';
import { enableAutodiff } from '../../graders/answer-key/autodiff.js';
import type { Rng } from '../../graders/answer-key/rng.js';
import type { AssignmentReference, Arrays, GenerateContext, QuestionReference } from '../../graders/answer-key/types.js';
import { float32, int64, scalar, type NdArray } from '../../graders/npz/ndarray.js';
import { classVisRun, classVisualisationStep, foolingImage, solveClassVisRun, solveFooling } from './ascent.js';
import { deconvRelu, gradCam, guidedBackprop, guidedGradCam, integratedGradients, rawCam, saliency } from './maps.js';
import { IMAGE_SHAPE, NUM_CLASSES, modelInputs, scoreRows, syntheticImage, tinyNetWeights, toParams } from './tinynet.js';

// Every map is a gradient: TensorFlow.js autodiff must be available before any question runs.
await enableAutodiff();

const IMAGE_SIZE = IMAGE_SHAPE.reduce((a, b) => a * b, 1);

function intArg(args: Record<string, unknown>, name: string, fallback: number): number {
  const v = args[name] ?? fallback;
  if (!Number.isInteger(v)) throw new Error(`args.${name} must be an integer, got ${JSON.stringify(v)}`);
  return v as number;
}

function numberArg(args: Record<string, unknown>, name: string, fallback: number): number {
  const v = args[name] ?? fallback;
  if (typeof v !== 'number') throw new Error(`args.${name} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

/** The manifest's seed, which every case's model weights come from. */
function seedOf(context: GenerateContext | undefined): number {
  if (!context) throw new Error('the visualisation generators need the manifest seed (GenerateContext)');
  return context.seed;
}

function argmax(row: number[]): number {
  return row.reduce((best, v, i) => (v > row[best] ? i : best), 0);
}

/** A class other than `not`, uniformly. */
function otherClass(rng: Rng, not: number): number {
  const c = rng.int(0, NUM_CLASSES - 1);
  return c >= not ? c + 1 : c;
}

/**
 * Images and targets for a map question. args: batch (default 1); targets: "argmax", "other" (never the argmax) or
 * "mixed" (alternating, argmax first); negative_cam: every image's raw Grad-CAM has a negative entry (default true).
 * No image's Grad-CAM is all zero (the ReLU would hide every mistake).
 */
function mapCase(args: Record<string, unknown>, rng: Rng, seed: number): { X: NdArray; y: NdArray; weights: Arrays } {
  const batch = intArg(args, 'batch', 1);
  const targets = (args.targets ?? 'mixed') as string;
  if (!['argmax', 'other', 'mixed'].includes(targets)) throw new Error(`args.targets must be argmax, other or mixed, got ${JSON.stringify(targets)}`);
  const wantNegative = args.negative_cam !== false;
  const weights = tinyNetWeights(seed);
  const params = toParams(weights);
  const images = new Float32Array(batch * IMAGE_SIZE);
  const labels: number[] = [];
  try {
    for (let n = 0; n < batch; n++) {
      let accepted = false;
      for (let attempt = 0; attempt < 200 && !accepted; attempt++) {
        const img = syntheticImage(rng);
        const x = float32(img, [1, ...IMAGE_SHAPE]);
        const top = argmax(scoreRows(weights, x)[0]);
        const useArgmax = targets === 'argmax' || (targets === 'mixed' && n % 2 === 0);
        const y = useArgmax ? top : otherClass(rng, top);
        const cam = tf.tidy(() => Array.from(rawCam(params, toTensor(x), tf.tensor1d([y], 'int32')).dataSync()));
        const max = Math.max(...cam);
        const min = Math.min(...cam);
        // A visible positive part (not all zero after the ReLU) and, when asked, a negative part the ReLU must remove.
        if (max > 1e-3 * Math.max(Math.abs(min), 1e-6) && max > 1e-4 && (!wantNegative || min < -1e-3 * max)) {
          images.set(img, n * IMAGE_SIZE);
          labels.push(y);
          accepted = true;
        }
      }
      if (!accepted) throw new Error(`no synthetic image met the case's conditions (image ${n}, targets ${targets})`);
    }
  } finally {
    tf.dispose(Object.values(params));
  }
  return { X: float32(images, [batch, ...IMAGE_SHAPE]), y: int64(labels), weights };
}

function mapQuestion(solve: QuestionReference['solve'], mistakes: QuestionReference['mistakes'] = {}): QuestionReference {
  return {
    generate(args, rng, context) {
      const { X, y, weights } = mapCase(args, rng, seedOf(context));
      return { X, y, ...modelInputs(weights) };
    },
    solve,
    mistakes,
  };
}

const integratedGradientsQuestion: QuestionReference = {
  generate(args, rng, context) {
    const { X, y, weights } = mapCase(args, rng, seedOf(context));
    const steps = intArg(args, 'steps', 8);
    // A zero baseline (public) or a dim copy of one other image, the same for every image of the batch (hidden).
    const other = args.baseline === 'image' ? syntheticImage(rng) : undefined;
    const baseline = float32(Float32Array.from({ length: X.data.length }, (_, i) => (other ? 0.3 * other[i % IMAGE_SIZE] : 0)), X.shape);
    return { X, y, baseline, steps: scalar(steps, 'int64'), ...modelInputs(weights) };
  },
  solve: integratedGradients,
};

/** One image and a target that is not its class, which the reference fools within half the bound. */
const foolingQuestion: QuestionReference = {
  generate(args, rng, context) {
    const bound = numberArg(args, 'bound', 10);
    const weights = tinyNetWeights(seedOf(context));
    const params = toParams(weights);
    try {
      for (let attempt = 0; attempt < 100; attempt++) {
        const x = float32(syntheticImage(rng), [1, ...IMAGE_SHAPE]);
        const target = otherClass(rng, argmax(scoreRows(weights, x)[0]));
        const { image, fooled } = foolingImage(params, x, target);
        const linf = tf.tidy(() => tf.max(tf.abs(tf.sub(image, toTensor(x)))).dataSync()[0]);
        image.dispose();
        if (fooled && linf <= bound / 2) return { X: x, target_y: scalar(target, 'int64'), bound: scalar(bound), ...modelInputs(weights) };
      }
    } finally {
      tf.dispose(Object.values(params));
    }
    throw new Error('no synthetic image could be fooled within half the bound');
  },
  solve: solveFooling,
};

/** A start the reference's run lifts to the target class with its score risen by the margin. */
const classVisRunQuestion: QuestionReference = {
  generate(args, rng, context) {
    const iterations = intArg(args, 'num_iterations', 30);
    const l2Reg = numberArg(args, 'l2_reg', 1e-3);
    const lr = numberArg(args, 'learning_rate', 1);
    const margin = numberArg(args, 'margin', 0.5);
    const weights = tinyNetWeights(seedOf(context));
    const params = toParams(weights);
    try {
      for (let attempt = 0; attempt < 100; attempt++) {
        const init = float32(Float32Array.from(syntheticImage(rng), (v) => 0.2 * v), [1, ...IMAGE_SHAPE]);
        const before = scoreRows(weights, init)[0];
        const target = otherClass(rng, argmax(before));
        const img = classVisRun(params, init, target, iterations, l2Reg, lr);
        const after = scoreRows(weights, float32(img.dataSync() as Float32Array, [1, ...IMAGE_SHAPE]))[0];
        img.dispose();
        const mean = before.reduce((s, v) => s + v, 0) / before.length;
        const std = Math.sqrt(before.reduce((s, v) => s + (v - mean) ** 2, 0) / before.length);
        // Twice the margin, so a correct float32 run in PyTorch reaches it too.
        if (argmax(after) === target && after[target] - before[target] >= 2 * margin * std) {
          return {
            init_img: init,
            target_y: scalar(target, 'int64'),
            num_iterations: scalar(iterations, 'int64'),
            l2_reg: scalar(l2Reg),
            learning_rate: scalar(lr),
            margin: scalar(margin),
            ...modelInputs(weights),
          };
        }
      }
    } finally {
      tf.dispose(Object.values(params));
    }
    throw new Error('no start reached the target class with the margin');
  },
  solve: solveClassVisRun,
};

/** One step from a dim synthetic image (or the model's own input scale), a target that is not its class. */
const classVisStepQuestion: QuestionReference = {
  generate(args, rng, context) {
    const weights = tinyNetWeights(seedOf(context));
    const scale = numberArg(args, 'scale', 0.2);
    const img = float32(Float32Array.from(syntheticImage(rng), (v) => scale * v), [1, ...IMAGE_SHAPE]);
    const target = otherClass(rng, argmax(scoreRows(weights, img)[0]));
    return {
      img,
      target_y: scalar(target, 'int64'),
      l2_reg: scalar(numberArg(args, 'l2_reg', 1e-3)),
      learning_rate: scalar(numberArg(args, 'learning_rate', 2)),
      ...modelInputs(weights),
    };
  },
  solve: classVisualisationStep(),
  mistakes: { descends: classVisualisationStep({ direction: -1 }), 'not-normalised': classVisualisationStep({ normalise: false }) },
};

export const visualisationReference: AssignmentReference = {
  assignment: 'visualisation',
  version: '1',
  questions: {
    saliency: mapQuestion(saliency(), {
      'no-abs': saliency({ abs: false }),
      'channel-sum': saliency({ reduce: 'sum' }),
      'channel-mean': saliency({ reduce: 'mean' }),
      'softmax-gradient': saliency({ objective: 'softmax' }),
      'loss-gradient': saliency({ objective: 'loss' }),
    }),
    guided_backprop: mapQuestion(guidedBackprop(), { 'plain-gradient': guidedBackprop(tf.relu), deconvnet: guidedBackprop(deconvRelu) }),
    grad_cam: mapQuestion(gradCam(), {
      'no-relu': gradCam({ relu: false }),
      'alpha-summed': gradCam({ pool: 'sum' }),
      upsampled: gradCam({ upsample: true }),
      normalised: gradCam({ normalise: true }),
    }),
    guided_grad_cam: mapQuestion(guidedGradCam),
    integrated_gradients: integratedGradientsQuestion,
    fooling_image: foolingQuestion,
    class_visualisation: classVisStepQuestion,
    class_visualisation_run: classVisRunQuestion,
  },
};
