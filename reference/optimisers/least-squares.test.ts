import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../graders/answer-key/backend.js';
import { scalarValue, toNumbers } from '../../graders/npz/ndarray.js';
import { gradient_descent, hypergradient, loss_after_step, min_norm, optimal_lr } from './least-squares.js';
import { gradientLoop, hypergradientLoop, lossAfterStepLoop, minNormLoop, optimalLrLoop, relError, rowsOf } from './float64-oracle.js';
import { casesOf } from './manifest-cases.js';

const num = toNumbers;
const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const distance = (a: number[], b: number[]) => norm(a.map((x, i) => x - b[i]));
const value = async (p: ReturnType<typeof loss_after_step.solve>, key: string) => scalarValue((await p)[key]);

describe('least-squares references in float64', () => {
  it('generate float64 inputs with full float64 precision (not float32 values widened)', () => {
    for (const { id, inputs } of casesOf('min_norm')) {
      expect(inputs.X.dtype, id).toBe('float64');
      expect(num(inputs.X).some((v) => Math.fround(v) !== v), id).toBe(true);
    }
  });

  it('the ill-conditioned X has the condition number its case names', () => {
    const X = rowsOf(casesOf('min_norm').find((c) => c.id === 'cond-1e3')!.inputs.X);
    const K = X.map((ri) => X.map((rj) => ri.reduce((s, x, j) => s + x * rj[j], 0)));
    // K⁻¹ column by column (K Kinv_j = e_j through the min-norm oracle of the square system K), then power iteration.
    const Kinv = K.map((_, j) => minNormLoop(K, K.map((__, i) => (i === j ? 1 : 0))));
    const largestEigenvalue = (M: number[][]) => {
      let v = M.map(() => 1);
      let lambda = 0;
      for (let k = 0; k < 500; k++) {
        const Mv = M.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
        lambda = norm(Mv) / norm(v);
        v = Mv.map((x) => x / norm(Mv));
      }
      return lambda;
    };
    const cond = Math.sqrt(largestEigenvalue(K) * largestEigenvalue(Kinv));
    expect(cond / 1000).toBeCloseTo(1, 2);
  });

  it.each(casesOf('min_norm'))('min_norm/$id: solves X w = t, lies in the row space, and equals Gauss–Jordan on X Xᵀ', async ({ inputs }) => {
    const w = num((await min_norm.solve(inputs)).w);
    const X = rowsOf(inputs.X);
    const t = num(inputs.t);
    expect(distance(X.map((row) => row.reduce((s, x, j) => s + x * w[j], 0)), t) / norm(t)).toBeLessThan(1e-10);
    const oracle = minNormLoop(X, t);
    expect(distance(w, oracle) / norm(oracle)).toBeLessThan(1e-8);
    expect(relError(w, oracle)).toBeLessThan(1e-6);
    // Any other solution w* + z with X z = 0 is longer: w* has the minimum norm.
    expect(norm(w)).toBeLessThanOrEqual(norm(oracle) * (1 + 1e-9));
  });

  it.each(casesOf('gradient_descent'))('gradient_descent/$id: the steps of the definition, from w = 0', async ({ args, inputs }) => {
    const w = num((await gradient_descent.solve(inputs)).w);
    const X = rowsOf(inputs.X);
    const t = num(inputs.t);
    let oracle = new Array<number>(X[0].length).fill(0);
    const lr = scalarValue(inputs.lr);
    for (let k = 0; k < Number(args.steps); k++) {
      const g = gradientLoop(X, t, oracle);
      oracle = oracle.map((x, i) => x - lr * g[i]);
    }
    expect(distance(w, oracle)).toBeLessThan(1e-10 * Math.max(1, norm(oracle)));
  });

  it('gradient_descent/long-run reaches w* within 1e-9, so "within 1e-6 of w*" is what the grader checks', async () => {
    const { inputs } = casesOf('gradient_descent').find((c) => c.id === 'long-run')!;
    const w = num((await gradient_descent.solve(inputs)).w);
    const wStar = minNormLoop(rowsOf(inputs.X), num(inputs.t));
    expect(Math.max(...w.map((x, i) => Math.abs(x - wStar[i])))).toBeLessThan(1e-9);
    // ... and is not there after a tenth of the steps: the run is long for a reason.
    const short = num((await gradient_descent.solve({ ...inputs, steps: { ...inputs.steps, data: BigInt64Array.from([300n]) } })).w);
    expect(Math.max(...short.map((x, i) => Math.abs(x - wStar[i])))).toBeGreaterThan(1e-6);
  });

  it.each(casesOf('loss_after_step'))('loss_after_step/$id equals L(w0 − η∇L(w0))', async ({ inputs }) => {
    const oracle = lossAfterStepLoop(rowsOf(inputs.X), num(inputs.t), num(inputs.w0), scalarValue(inputs.lr));
    expect(relError([await value(loss_after_step.solve(inputs), 'loss')], [oracle])).toBeLessThan(1e-10);
  });

  it.each(casesOf('optimal_lr'))('optimal_lr/$id is the minimiser of the quadratic L1', async ({ inputs }) => {
    const oracle = optimalLrLoop(rowsOf(inputs.X), num(inputs.t), num(inputs.w0));
    const lr = await value(optimal_lr.solve(inputs), 'lr');
    expect(relError([lr], [oracle])).toBeLessThan(1e-7);
    // The hypergradient vanishes there.
    const h = hypergradientLoop(rowsOf(inputs.X), num(inputs.t), num(inputs.w0), lr);
    const scale = Math.abs(hypergradientLoop(rowsOf(inputs.X), num(inputs.t), num(inputs.w0), 0));
    expect(Math.abs(h) / scale).toBeLessThan(1e-9);
  });

  it.each(casesOf('hypergradient'))('hypergradient/$id equals −∇L(w1)·∇L(w0), away from η*', async ({ inputs }) => {
    const X = rowsOf(inputs.X);
    const [t, w0, lr] = [num(inputs.t), num(inputs.w0), scalarValue(inputs.lr)];
    const oracle = hypergradientLoop(X, t, w0, lr);
    expect(relError([await value(hypergradient.solve(inputs), 'hypergradient')], [oracle])).toBeLessThan(1e-9);
    expect(Math.abs(lr / optimalLrLoop(X, t, w0) - 1)).toBeGreaterThan(0.1);
  });
});

describe('the hypergradient against TensorFlow.js autodiff', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it.each(casesOf('hypergradient').filter((c) => c.args.cond === undefined))('$id: tf.grad of L1(η) in float32 agrees', async ({ inputs }) => {
    const X = tf.tensor2d(rowsOf(inputs.X));
    const t = tf.tensor1d(num(inputs.t));
    const w0 = tf.tensor1d(num(inputs.w0));
    const n = X.shape[0];
    const loss = (w: tf.Tensor) => tf.div(tf.sum(tf.square(tf.sub(tf.squeeze(tf.matMul(X, tf.reshape(w, [-1, 1]))), t))), n);
    // ∇L(w0) by autodiff too; it does not depend on η, so L1's derivative needs no second-order gradient.
    const g0 = tf.grad(loss)(w0);
    const l1 = (lr: tf.Tensor) => loss(tf.sub(w0, tf.mul(lr, g0)));
    const auto = (await tf.grad(l1)(tf.scalar(scalarValue(inputs.lr))).data())[0];
    expect(relError([auto], [await value(hypergradient.solve(inputs), 'hypergradient')])).toBeLessThan(1e-3);
    tf.dispose([X, t, w0, g0]);
  });
});

describe('least-squares mistakes', () => {
  it('gradient-one-over-n: half-length steps, L1(η/2), 2η*, and the derivative of L1(η/2) in η', async () => {
    for (const { id, inputs } of casesOf('loss_after_step')) {
      const lr = scalarValue(inputs.lr);
      const half = await value(loss_after_step.solve({ ...inputs, lr: { ...inputs.lr, data: Float64Array.from([lr / 2]) } }), 'loss');
      expect(relError([await value(Promise.resolve(loss_after_step.mistakes!['gradient-one-over-n'](inputs)), 'loss')], [half]), id).toBeLessThan(1e-12);
      expect(relError([half], [await value(loss_after_step.solve(inputs), 'loss')]), `${id} shows the mistake`).toBeGreaterThan(1e-3);
    }
    for (const { id, inputs } of casesOf('optimal_lr')) {
      const right = await value(optimal_lr.solve(inputs), 'lr');
      expect(await value(Promise.resolve(optimal_lr.mistakes!['gradient-one-over-n'](inputs)), 'lr'), id).toBeCloseTo(2 * right, 10);
    }
    for (const { id, inputs } of casesOf('hypergradient')) {
      const lr = scalarValue(inputs.lr);
      const atHalf = await value(hypergradient.solve({ ...inputs, lr: { ...inputs.lr, data: Float64Array.from([lr / 2]) } }), 'hypergradient');
      expect(relError([await value(Promise.resolve(hypergradient.mistakes!['gradient-one-over-n'](inputs)), 'hypergradient')], [atHalf / 2]), id).toBeLessThan(1e-12);
      const right = await value(hypergradient.solve(inputs), 'hypergradient');
      expect(await value(Promise.resolve(hypergradient.mistakes!['wrong-sign'](inputs)), 'hypergradient'), id).toBe(-right);
    }
  });
});
