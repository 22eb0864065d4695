import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { createRng } from '../../graders/answer-key/rng.js';
import { toNumbers } from '../../graders/npz/ndarray.js';
import { decodeLines, decodeShapes } from '../../graders/compare/param-table.js';
import { cnnArchitecturesReference as ref } from './index.js';

const PUBLIC = { kernel: 3, num_filters: 32, num_colours: 24, num_in_channels: 1 };
const gen = (qid: string, args: Record<string, unknown>) => ref.questions[qid].generate(args, createRng('cnn-architectures', 231, qid, 'test'));

describe('cnn-architectures answer key', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  it('has the nine questions of assignments.md §3, with valid ids', () => {
    const ids = Object.keys(ref.questions);
    expect(ids).toEqual([
      'pool_upsample_net_shape',
      'pool_upsample_net_params',
      'pool_upsample_net_trains',
      'conv_transpose_net_shape',
      'conv_transpose_net_params',
      'conv_transpose_net_trains',
      'unet_shape',
      'unet_params',
      'unet_trains',
    ]);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
  });

  it('generates the configuration as int64 scalars and, for shape and trains, x [N, nin, 32, 32]', () => {
    const shape = gen('unet_shape', { ...PUBLIC, num_in_channels: 3, batch: 2 });
    expect(Object.keys(shape).sort()).toEqual(['kernel', 'num_colours', 'num_filters', 'num_in_channels', 'x']);
    expect(shape.kernel).toMatchObject({ dtype: 'int64', shape: [] });
    expect(shape.x).toMatchObject({ dtype: 'float32', shape: [2, 3, 32, 32] });
    expect(Object.keys(gen('unet_params', PUBLIC)).sort()).toEqual(['kernel', 'num_colours', 'num_filters', 'num_in_channels']);
    expect(gen('unet_trains', PUBLIC).x.shape).toEqual([4, 1, 32, 32]);
    expect(gen('unet_shape', PUBLIC)).toEqual(gen('unet_shape', PUBLIC));
  });

  it('refuses bad arguments and configurations, naming them', () => {
    expect(() => gen('unet_shape', { ...PUBLIC, kernel: 2.5 })).toThrow('args.kernel must be a positive integer, got 2.5');
    expect(() => gen('unet_params', { ...PUBLIC, num_filters: undefined })).toThrow(/args.num_filters/);
    // An even kernel with padding k // 2 grows the image by one pixel per convolution; UNet's skips cannot be concatenated.
    expect(() => gen('unet_shape', { ...PUBLIC, kernel: 4 })).toThrow(/unet: layer cat2: Concat along channels needs equal N, H, W; got \[1, 24, 33, 33\] and \[1, 1, 32, 32\]/);
  });

  it.each([
    ['pool_upsample_net', 49_728],
    ['conv_transpose_net', 49_728],
    ['unet', 56_856],
  ])('public configuration: %s has %i parameters, a [4, 24, 32, 32] output, and trains', async (net, count) => {
    const params = await ref.questions[`${net}_params`].solve(gen(`${net}_params`, PUBLIC));
    expect(params.param_count).toMatchObject({ dtype: 'int64', shape: [] });
    expect(toNumbers(params.param_count)).toEqual([count]);
    expect(decodeShapes(params.param_shapes)).toHaveLength(18);
    expect(decodeLines(params.param_names)?.[0]).toBe('layer1.0.weight');
    expect(toNumbers(params.layer_params).reduce((a, b) => a + b, 0)).toBe(count);

    const shape = await ref.questions[`${net}_shape`].solve(gen(`${net}_shape`, PUBLIC));
    expect(shape.shape).toMatchObject({ dtype: 'int64', shape: [4] });
    expect(toNumbers(shape.shape)).toEqual([4, 24, 32, 32]);

    const trains = await ref.questions[`${net}_trains`].solve(gen(`${net}_trains`, PUBLIC));
    expect(trains.finite).toEqual({ dtype: 'bool', shape: [], data: Uint8Array.of(1) });
    expect(trains.all_have_grad).toEqual({ dtype: 'bool', shape: [], data: Uint8Array.of(1) });
    // The spec's blocks normalise a convolution's output, which always has negative values.
    expect(trains.batchnorm_input_nonnegative).toEqual({ dtype: 'bool', shape: [], data: Uint8Array.of(0) });
  });

  it('hidden configurations: k=5 and nin=3', async () => {
    const count = async (net: string, args: Record<string, unknown>) => toNumbers((await ref.questions[`${net}_params`].solve(gen(`${net}_params`, args))).param_count)[0];
    expect(await count('unet', { ...PUBLIC, kernel: 5 })).toBe(157_080);
    expect(await count('pool_upsample_net', { ...PUBLIC, kernel: 5 })).toBe(137_280);
    expect(await count('unet', { ...PUBLIC, num_in_channels: 3 })).toBe(57_864);
    const trains = await ref.questions.unet_trains.solve(gen('unet_trains', { ...PUBLIC, kernel: 5, num_in_channels: 3 }));
    expect(toNumbers(trains.all_have_grad)).toEqual([1]);
  });

  it('known mistakes: their outputs, and nothing where the wrong network cannot run', async () => {
    const k5 = { ...PUBLIC, kernel: 5 };
    const m = (qid: string, id: string, args: Record<string, unknown>) => ref.questions[qid].mistakes![id](gen(qid, args));
    expect(toNumbers((await m('conv_transpose_net_shape', 'no-padding', k5)).shape)).toEqual([4, 24, 28, 28]);
    expect(toNumbers((await m('conv_transpose_net_shape', 'no-padding', PUBLIC)).shape)).toEqual([4, 24, 32, 32]);
    // The decoder's own slips, each a different size on the public configuration.
    expect(toNumbers((await m('conv_transpose_net_shape', 'transpose-no-padding', PUBLIC)).shape)).toEqual([4, 24, 35, 35]);
    expect(toNumbers((await m('conv_transpose_net_shape', 'transpose-no-output-padding', PUBLIC)).shape)).toEqual([4, 24, 29, 29]);
    expect(toNumbers((await m('conv_transpose_net_shape', 'encoder-no-padding', PUBLIC)).shape)).toEqual([4, 24, 28, 28]);
    expect(await m('pool_upsample_net_shape', 'no-padding', k5)).toEqual({});
    expect(toNumbers((await m('unet_shape', 'input-skip-after-final-conv', PUBLIC)).shape)).toEqual([4, 25, 32, 32]);
    expect(toNumbers((await m('unet_params', 'final-conv-without-input-channels', PUBLIC)).param_count)).toEqual([56_640]);
    expect(toNumbers((await m('unet_params', 'no-skip-connections', PUBLIC)).param_count)).toEqual([49_728]);
    expect(toNumbers((await m('pool_upsample_net_params', 'no-bias-before-batchnorm', PUBLIC)).param_count)).toEqual([49_576]);
    expect(toNumbers((await m('unet_trains', 'parameter-without-gradient', PUBLIC)).all_have_grad)).toEqual([0]);
    for (const net of ['pool_upsample_net', 'conv_transpose_net', 'unet']) {
      expect(toNumbers((await m(`${net}_trains`, 'relu-before-batchnorm', PUBLIC)).batchnorm_input_nonnegative), net).toEqual([1]);
      expect(toNumbers((await m(`${net}_trains`, 'relu-before-batchnorm', { ...PUBLIC, kernel: 7, num_in_channels: 3 })).batchnorm_input_nonnegative), net).toEqual([1]);
    }
  });
});
