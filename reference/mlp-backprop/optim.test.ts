import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../graders/answer-key/rng.js';
import { selectBackend } from '../../graders/answer-key/backend.js';
import { unpackList } from '../../graders/answer-key/list-arrays.js';
import { scalarValue, toNumbers } from '../../graders/npz/ndarray.js';
import { accuracy, SGD_PARAMS, sgd_step } from './optim.js';
import { accuracyLoop, mat, maxScaledError } from './float64-oracle.js';

describe.each(['cpu', 'wasm'])('sgd_step and accuracy on the %s back end', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each([
    { in_features: 5, hidden: 4, classes: 3, lr: 0.1 },
    { in_features: 12, hidden: 8, classes: 4, lr: 0.5, none_at: [1] },
    { in_features: 6, hidden: 6, classes: 2, lr: 0.01, none_at: [0, 3] },
  ])('sgd_step is p - lr * grad, and leaves a parameter whose grad is None alone, for %o', async (args) => {
    const inputs = sgd_step.generate(args, createRng('sgd-test', JSON.stringify(args)));
    const out = await sgd_step.solve(inputs);
    const params = unpackList(inputs, 'params');
    const grads = unpackList(inputs, 'grads');
    const none = new Set(args.none_at ?? []);
    SGD_PARAMS.forEach((name, i) => {
      expect(out[name].shape, name).toEqual(params[i].shape);
      const p = toNumbers(params[i]);
      const g = toNumbers(grads[i]);
      const expected = p.map((v, j) => (none.has(i) ? v : v - args.lr * g[j]));
      if (none.has(i)) expect(toNumbers(out[name]), name).toEqual(p);
      else expect(maxScaledError(toNumbers(out[name]), expected, 1e-6), name).toBeLessThan(1e-5);
      // Every stepped entry moves by far more than the tolerance, so a missed step cannot pass.
      if (!none.has(i)) expect(Math.min(...g.map((v) => Math.abs(args.lr * v)))).toBeGreaterThan(0);
    });
  });

  it.each([
    { batch: 10, classes: 4, hit_fraction: 0.6 },
    { batch: 1, classes: 10, hit_fraction: 1 },
    { batch: 12, classes: 5, one_class: 3, hit_fraction: 0.5 },
  ])('accuracy equals a loop over rows for %o', async (args) => {
    const inputs = accuracy.generate(args, createRng('acc-test', JSON.stringify(args)));
    const out = await accuracy.solve(inputs);
    expect(out.accuracy.shape).toEqual([]);
    const expected = accuracyLoop(mat(inputs.logits), toNumbers(inputs.target));
    expect(scalarValue(out.accuracy)).toBeCloseTo(expected, 6);
  });
});

describe('sgd_step and accuracy mistakes', () => {
  const args = { in_features: 5, hidden: 4, classes: 3, lr: 0.1, none_at: [2] };
  const inputs = sgd_step.generate(args, createRng('sgd-mistakes'));

  it('wrong-sign adds lr * grad; not-in-place leaves every parameter as it was', async () => {
    const right = await sgd_step.solve(inputs);
    const ascent = await sgd_step.mistakes!['wrong-sign'](inputs);
    const untouched = await sgd_step.mistakes!['not-in-place'](inputs);
    const params = unpackList(inputs, 'params');
    SGD_PARAMS.forEach((name, i) => {
      const p = toNumbers(params[i]);
      const twice = toNumbers(right[name]).map((v, j) => 2 * p[j] - v);
      expect(maxScaledError(toNumbers(ascent[name]), twice, 1e-6)).toBeLessThan(1e-5);
      expect(toNumbers(untouched[name])).toEqual(p);
    });
  });

  it('count-not-fraction is B times the accuracy', async () => {
    const acc = accuracy.generate({ batch: 10, classes: 4, hit_fraction: 0.6 }, createRng('acc-mistakes'));
    const right = scalarValue((await accuracy.solve(acc)).accuracy);
    expect(right).toBeGreaterThan(0);
    expect(right).toBeLessThan(1);
    expect(scalarValue((await accuracy.mistakes!['count-not-fraction'](acc)).accuracy)).toBeCloseTo(right * 10, 5);
  });
});
