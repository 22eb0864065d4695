import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../graders/answer-key/backend.js';
import { scalarValue, toNumbers } from '../../graders/npz/ndarray.js';
import { adam, rmsprop, sgd_momentum } from './steps.js';
import { adamLoop, relError, rmspropLoop, sgdMomentumLoop } from './float64-oracle.js';
import { casesOf } from './manifest-cases.js';

const num = (a: Parameters<typeof toNumbers>[0]) => toNumbers(a);

describe.each(['cpu', 'wasm'])('the optimiser steps on the %s back end agree with float64 loops', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each(casesOf('sgd_momentum'))('sgd_momentum/$id', async ({ inputs }) => {
    const out = await sgd_momentum.solve(inputs);
    const want = sgdMomentumLoop(num(inputs.w), num(inputs.grad), num(inputs.velocity), scalarValue(inputs.lr), scalarValue(inputs.momentum));
    expect(out.w.shape).toEqual(inputs.w.shape);
    expect(relError(num(out.w), want.w)).toBeLessThan(1e-6);
    expect(relError(num(out.velocity), want.velocity)).toBeLessThan(1e-6);
  });

  it.each(casesOf('rmsprop'))('rmsprop/$id', async ({ inputs }) => {
    const out = await rmsprop.solve(inputs);
    const want = rmspropLoop(num(inputs.w), num(inputs.grad), num(inputs.square_avg), scalarValue(inputs.lr), scalarValue(inputs.alpha), scalarValue(inputs.eps));
    expect(relError(num(out.w), want.w)).toBeLessThan(1e-6);
    expect(relError(num(out.square_avg), want.square_avg)).toBeLessThan(1e-6);
  });

  it.each(casesOf('adam'))('adam/$id', async ({ inputs }) => {
    const out = await adam.solve(inputs);
    const s = (k: string) => scalarValue(inputs[k]);
    const want = adamLoop(num(inputs.w), num(inputs.grad), num(inputs.m), num(inputs.v), s('t'), s('lr'), s('beta1'), s('beta2'), s('eps'));
    expect(relError(num(out.w), want.w)).toBeLessThan(1e-6);
    expect(relError(num(out.m), want.m)).toBeLessThan(1e-6);
    expect(relError(num(out.v), want.v)).toBeLessThan(1e-6);
  });
});

describe('the optimiser mistakes are what their names say', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('lr-in-velocity: v = momentum*v + lr*g, w = w - v; the same w as torch only when the velocity is 0', async () => {
    for (const { id, inputs } of casesOf('sgd_momentum')) {
      const wrong = await sgd_momentum.mistakes!['lr-in-velocity'](inputs);
      const [w, g, v] = [num(inputs.w), num(inputs.grad), num(inputs.velocity)];
      const [lr, mu] = [scalarValue(inputs.lr), scalarValue(inputs.momentum)];
      const velocity = v.map((x, i) => mu * x + lr * g[i]);
      expect(relError(num(wrong.velocity), velocity), id).toBeLessThan(1e-6);
      expect(relError(num(wrong.w), w.map((x, i) => x - velocity[i])), id).toBeLessThan(1e-6);
      expect(lr, `${id}: lr = 1 would hide the convention`).not.toBe(1);
    }
  });

  it('eps-inside-sqrt changes the RMSProp step at least tenfold on the tiny-gradient cases, with square_avg = 0', async () => {
    const tiny = casesOf('rmsprop').filter((c) => c.id.startsWith('tiny-gradients'));
    expect(tiny.length).toBeGreaterThanOrEqual(2);
    for (const { id, inputs } of tiny) {
      expect(num(inputs.square_avg).every((x) => x === 0), id).toBe(true);
      expect(Math.max(...num(inputs.grad).map(Math.abs)), id).toBeLessThan(1e-5);
      const w = num(inputs.w);
      const right = num((await rmsprop.solve(inputs)).w).map((x, i) => w[i] - x);
      const wrong = num((await rmsprop.mistakes!['eps-inside-sqrt'](inputs)).w).map((x, i) => w[i] - x);
      right.forEach((step, i) => expect(Math.abs(step / wrong[i]), `${id}[${i}]`).toBeGreaterThan(10));
    }
  });

  it('no-bias-correction and eps-inside-sqrt change the Adam step', async () => {
    for (const { id, inputs } of casesOf('adam').filter((c) => Number(c.args.t) <= 3)) {
      const right = await adam.solve(inputs);
      const noCorrection = await adam.mistakes!['no-bias-correction'](inputs);
      expect(relError(num(noCorrection.w), num(right.w)), id).toBeGreaterThan(1e-3);
      // The moments themselves are the same: only the step differs.
      expect(relError(num(noCorrection.m), num(right.m)), id).toBeLessThan(1e-6);
    }
    const [tiny] = casesOf('adam').filter((c) => c.id === 'tiny-gradients');
    const right = await adam.solve(tiny.inputs);
    expect(relError(num((await adam.mistakes!['eps-inside-sqrt'](tiny.inputs)).w), num(right.w))).toBeGreaterThan(1e-3);
  });
});
