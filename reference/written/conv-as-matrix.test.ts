import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../graders/answer-key/backend.js';
import { createRng } from '../../graders/answer-key/rng.js';
import { variantFor } from './variant.js';
import { CONV_SETTING, convAsMatrixMistakes, convMatrix, crossCorrelate2d, flipKernel, solveConvAsMatrix } from './conv-as-matrix.js';

const apply = (A: number[][], X: number[][]) => A.map((row) => row.reduce((s, a, c) => s + a * X.flat()[c], 0));

describe('conv_as_matrix reference', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('the canonical A picks one corner of X per output (stride 4 skips everything else)', () => {
    const { A } = solveConvAsMatrix(variantFor(undefined));
    // W = 1..9: Y00 = W22·X00, Y01 = W20·X02, Y10 = W02·X20, Y11 = W00·X22.
    expect(A.map((row) => row.flatMap((v, c) => (v !== 0 ? [[c, v]] : [])))).toEqual([[[0, 9]], [[2, 7]], [[6, 3]], [[8, 1]]]);
  });

  it.each(['', 's123', 'alice', 'bob', '20231234'])('A vec(X) equals TensorFlow.js conv2d for student "%s"', (id) => {
    const v = variantFor(id);
    const { A, W } = solveConvAsMatrix(v);
    const rng = createRng('test', id);
    for (let trial = 0; trial < 5; trial++) {
      const X = [0, 1, 2].map(() => [0, 1, 2].map(() => rng.normal()));
      const p = CONV_SETTING.padding;
      const y = tf.tidy(() =>
        tf.conv2d(tf.tensor4d(X.flat(), [1, 3, 3, 1]) as tf.Tensor4D, tf.tensor4d(W.flat(), [3, 3, 1, 1]), CONV_SETTING.stride, [[0, 0], [p, p], [p, p], [0, 0]]),
      );
      const want = Array.from(y.dataSync());
      y.dispose();
      apply(A, X).forEach((v2, i) => expect(v2).toBeCloseTo(want[i], 5));
    }
  });

  it('a general stride/padding matrix matches the direct convolution', () => {
    const rng = createRng('general');
    const W = [0, 1, 2].map(() => [0, 1, 2].map(() => rng.normal()));
    const X = [0, 1, 2, 3, 4].map(() => [0, 1, 2, 3, 4].map(() => rng.normal()));
    const A = convMatrix(W, 5, 2, 1);
    const direct = crossCorrelate2d(X, W, 2, 1).flat();
    apply(A, X).forEach((v, i) => expect(v).toBeCloseTo(direct[i], 12));
  });

  it('flipKernel rotates by 180°', () => {
    expect(flipKernel([[1, 2], [3, 4]])).toEqual([[4, 3], [2, 1]]);
  });

  it('the known mistakes differ from the answer for every canonical and sample variant', () => {
    for (const id of [undefined, 's1', 's2', 's3']) {
      const v = variantFor(id);
      const { A } = solveConvAsMatrix(v);
      expect(convAsMatrixMistakes['flipped-kernel'](v)).not.toEqual(A);
      expect(convAsMatrixMistakes['column-major'](v)).not.toEqual(A);
    }
  });
});
