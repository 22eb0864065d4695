// The style-transfer answer key against float64 loops written independently of TensorFlow.js.
import { beforeAll, describe, expect, it } from 'vitest';
import { styleTransferReference as ref } from './index.js';
import { selectBackend } from '../../graders/answer-key/backend.js';
import { createRng } from '../../graders/answer-key/rng.js';
import { toNumbers, scalarValue } from '../../graders/npz/ndarray.js';
import { unpackList } from '../../graders/answer-key/list-arrays.js';

const relError = (a: number, e: number) => Math.abs(a - e) / Math.max(1e-8, Math.abs(a) + Math.abs(e));

function gram64(x: number[], [n, c, h, w]: number[], normalize: boolean): number[] {
  const out: number[] = [];
  for (let b = 0; b < n; b++)
    for (let i = 0; i < c; i++)
      for (let j = 0; j < c; j++) {
        let s = 0;
        for (let k = 0; k < h * w; k++) s += x[b * c * h * w + i * h * w + k] * x[b * c * h * w + j * h * w + k];
        out.push(normalize ? s / (h * w * c) : s);
      }
  return out;
}

describe.each(['cpu', 'wasm'])('style-transfer reference on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('content loss is w * sum of squared differences', async () => {
    const inputs = ref.questions.content_loss.generate({ shape: [1, 16, 9, 7], content_weight: 0.06 }, createRng('t1'));
    const c = toNumbers(inputs.content_current);
    const o = toNumbers(inputs.content_original);
    const expected = 0.06 * c.reduce((s, x, i) => s + (x - o[i]) ** 2, 0);
    const out = await ref.questions.content_loss.solve(inputs);
    expect(relError(scalarValue(out.loss), expected)).toBeLessThan(1e-6);
  });

  it.each([true, false])('gram matrix with normalize=%s, batch of two', async (normalize) => {
    const inputs = ref.questions.gram_matrix.generate({ shape: [2, 5, 3, 4], normalize }, createRng('t2'));
    const expected = gram64(toNumbers(inputs.features), [2, 5, 3, 4], normalize);
    const got = toNumbers((await ref.questions.gram_matrix.solve(inputs)).gram);
    expect(got.length).toBe(expected.length);
    got.forEach((g, i) => expect(relError(g, expected[i])).toBeLessThan(1e-5));
  });

  it('style loss sums weighted squared Gram differences over the style layers', async () => {
    const args = { layer_shapes: [[3, 4, 4], [6, 2, 5], [2, 3, 3]], style_layers: [0, 2], style_weights: [10, 0.5] };
    const inputs = ref.questions.style_loss.generate(args, createRng('t3'));
    const feats = unpackList(inputs, 'feats');
    const targets = unpackList(inputs, 'style_targets');
    let expected = 0;
    args.style_layers.forEach((layer, i) => {
      const g = gram64(toNumbers(feats[layer]), feats[layer].shape, true);
      const t = toNumbers(targets[i]);
      expected += args.style_weights[i] * g.reduce((s, x, k) => s + (x - t[k]) ** 2, 0);
    });
    expect(relError(scalarValue((await ref.questions.style_loss.solve(inputs)).loss), expected)).toBeLessThan(1e-5);
  });

  it('total variation squares vertical and horizontal neighbour differences, and H=1 has no vertical term', async () => {
    for (const shape of [[1, 3, 5, 4], [1, 3, 1, 6]]) {
      const inputs = ref.questions.tv_loss.generate({ shape, tv_weight: 0.5 }, createRng('t4', shape.join()));
      const x = toNumbers(inputs.img);
      const [, c, h, w] = shape;
      let s = 0;
      for (let ch = 0; ch < c; ch++)
        for (let i = 0; i < h; i++)
          for (let j = 0; j < w; j++) {
            const at = (a: number, b: number) => x[ch * h * w + a * w + b];
            if (i + 1 < h) s += (at(i + 1, j) - at(i, j)) ** 2;
            if (j + 1 < w) s += (at(i, j + 1) - at(i, j)) ** 2;
          }
      expect(relError(scalarValue((await ref.questions.tv_loss.solve(inputs)).loss), 0.5 * s)).toBeLessThan(1e-6);
    }
  });

  it('known mistakes differ from the answer in the way their names say', async () => {
    const inputs = ref.questions.gram_matrix.generate({ shape: [1, 4, 3, 2] }, createRng('t5'));
    const right = toNumbers((await ref.questions.gram_matrix.solve(inputs)).gram);
    const wrong = toNumbers((await ref.questions.gram_matrix.mistakes!['not-normalized'](inputs)).gram);
    wrong.forEach((v, i) => expect(relError(v, right[i] * 24)).toBeLessThan(1e-6));
  });
});
