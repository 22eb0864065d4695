// sgd_step and accuracy (assignments.md §2): train.sgd_step(params, lr) and train.accuracy(logits, targets).
import * as tf from '@tensorflow/tfjs-core';
import type { Arrays, QuestionReference } from '../../graders/answer-key/types.js';
import { packList, unpackList } from '../../graders/answer-key/list-arrays.js';
import { int64, scalar, scalarValue, toNumbers } from '../../graders/npz/ndarray.js';
import { fractionArg, intArg, intListArg, numberArg, oneClassArg, solveWith, targets, weightInit } from './args.js';

/** The four parameters of the course's MLP, in the order sgd_step receives them, and the outputs they are read into. */
export const SGD_PARAMS = ['weight1', 'bias1', 'weight2', 'bias2'] as const;

/** How an SGD step is taken: `descend` is right; the others are the mistakes a grader recognises. */
export type SgdKind =
  | 'descend'
  /** p += lr * grad: gradient ascent. */
  | 'wrong-sign'
  /** p = p - lr * grad rebinds a local name, so the caller's tensors never change. */
  | 'not-in-place';

/** Each parameter after one step: p - lr * grad, unless its grad is None (index in `noneAt`), when it is unchanged. */
export function sgdStep(params: tf.Tensor[], grads: tf.Tensor[], lr: number, noneAt: ReadonlySet<number>, kind: SgdKind = 'descend'): tf.Tensor[] {
  return params.map((p, i) => {
    if (noneAt.has(i) || kind === 'not-in-place') return tf.clone(p);
    const step = tf.mul(grads[i], tf.scalar(lr));
    return kind === 'wrong-sign' ? tf.add(p, step) : tf.sub(p, step);
  });
}

function sgdSolver(kind: SgdKind = 'descend') {
  return (inputs: Arrays): Promise<Arrays> => {
    const params = unpackList(inputs, 'params');
    const grads = unpackList(inputs, 'grads');
    if (params.length !== SGD_PARAMS.length || grads.length !== SGD_PARAMS.length) {
      throw new Error(`sgd_step expects ${SGD_PARAMS.length} params and grads, got ${params.length} and ${grads.length}`);
    }
    const lr = scalarValue(inputs.lr);
    const noneAt = new Set(toNumbers(inputs.none_at));
    const named: Arrays = {};
    SGD_PARAMS.forEach((name, i) => {
      named[`p${i}`] = params[i];
      named[`g${i}`] = grads[i];
    });
    const names = Object.keys(named);
    return solveWith(named, names, (t) => {
      const stepped = sgdStep(
        SGD_PARAMS.map((_, i) => t[`p${i}`]),
        SGD_PARAMS.map((_, i) => t[`g${i}`]),
        lr,
        noneAt,
        kind,
      );
      return Object.fromEntries(SGD_PARAMS.map((name, i) => [name, stepped[i]]));
    });
  };
}

export const sgd_step: QuestionReference = {
  // args: in_features, hidden, classes (the MLP's sizes), lr, none_at (indices of parameters whose grad is None).
  generate(args, rng) {
    const d = intArg(args, 'in_features');
    const h = intArg(args, 'hidden');
    const c = intArg(args, 'classes');
    const noneAt = intListArg(args, 'none_at');
    if (noneAt.some((i) => i >= SGD_PARAMS.length)) throw new Error(`args.none_at indexes ${SGD_PARAMS.length} parameters, got ${JSON.stringify(noneAt)}`);
    const params = [weightInit(rng, h, d), rng.randn([h], 0.1), weightInit(rng, c, h), rng.randn([c], 0.1)];
    // Gradients of a mean loss are small next to the weights; lr * grad must still move every entry visibly.
    const grads = params.map((p) => rng.randn(p.shape, 0.5));
    return {
      ...packList('params', params),
      ...packList('grads', grads),
      lr: scalar(numberArg(args, 'lr', 0.1)),
      none_at: int64(noneAt),
    };
  },
  solve: sgdSolver(),
  mistakes: { 'wrong-sign': sgdSolver('wrong-sign'), 'not-in-place': sgdSolver('not-in-place') },
};

/** Fraction of rows whose argmax equals the target (a float32 scalar); `count` is the count-not-fraction mistake. */
export function accuracyOf(logits: tf.Tensor, target: tf.Tensor, count = false): tf.Tensor {
  const hits = tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(target, 'int32')), 'float32');
  return count ? tf.sum(hits) : tf.mean(hits);
}

export const accuracy: QuestionReference = {
  // args: batch, classes, hit_fraction (rows made to predict their target; others hit by chance), one_class.
  generate(args, rng) {
    const batch = intArg(args, 'batch');
    const classes = intArg(args, 'classes');
    const logits = rng.randn([batch, classes], 2);
    const target = targets(rng, batch, classes, oneClassArg(args, classes));
    const hitFraction = fractionArg(args, 'hit_fraction');
    for (let i = 0; i < batch; i++) {
      if (rng.uniform() >= hitFraction) continue;
      const row = logits.data.subarray(i * classes, (i + 1) * classes) as Float32Array;
      row[Number(target.data[i])] = Math.max(...row) + 0.5 + rng.uniform();
    }
    return { logits, target };
  },
  solve: (inputs) => solveWith(inputs, ['logits', 'target'], (t) => ({ accuracy: accuracyOf(t.logits, t.target) })),
  mistakes: {
    'count-not-fraction': (inputs) => solveWith(inputs, ['logits', 'target'], (t) => ({ accuracy: accuracyOf(t.logits, t.target, true) })),
  },
};
