import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
// Only for autodiffStep and tf.variableGrads below; the production reference does not differentiate.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { createRng } from '../../graders/answer-key/rng.js';
import { autodiffStep, conv2dNhwc, convTranspose2dNhwc, forward, initParams, maxPoolNhwc, reachesOutput, trainStep, upsampleNhwc } from './execute.js';
import { CLASS_NAMES, NET_IDS, analyse, buildNetwork, type NetConfig } from './networks.js';
import { relu } from './layers.js';
import { HAS_TORCH, runTorch } from './torch-helper.js';

const BACKENDS = ['cpu', 'wasm'] as const;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const CORRECT = path.resolve(HERE, '../../examples/cnn-architectures/correct');

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe.each(BACKENDS)('patch-based layers equal the native TensorFlow.js ops (%s back end)', (backend) => {
  beforeAll(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
  });
  const rng = createRng('execute.test', backend);
  const randn = (shape: number[]) => {
    const a = rng.randn(shape);
    return tf.tensor(a.data as Float32Array, shape);
  };

  it.each([
    [3, 1, 1, 9],
    [5, 2, 2, 10],
    [3, 2, 0, 11],
    [1, 1, 0, 4],
    [4, 3, 1, 12],
  ])('conv2d k=%i s=%i p=%i on a %i-row input', (k, s, p, h) => {
    tf.tidy(() => {
      const x = randn([2, h, h + 1, 3]) as tf.Tensor4D;
      const w = randn([5, 3, k, k]) as tf.Tensor4D; // PyTorch [out, in, k, k]
      const b = randn([5]);
      const native = tf.add(tf.conv2d(x, tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D, s, [[0, 0], [p, p], [p, p], [0, 0]]), b);
      expect(maxAbsDiff(conv2dNhwc(x, w, b, s, p), native)).toBeLessThan(1e-4);
    });
  });

  it.each([
    [3, 1, 1, 4],
    [5, 2, 1, 4],
    [3, 0, 1, 5],
    [5, 0, 1, 3],
    [3, 1, 0, 4],
    [2, 0, 0, 3],
  ])('conv_transpose2d (stride 2) k=%i p=%i op=%i on a %i-row input', (k, p, op, h) => {
    tf.tidy(() => {
      const x = randn([2, h, h, 6]) as tf.Tensor4D;
      const w = randn([6, 4, k, k]) as tf.Tensor4D; // PyTorch [in, out, k, k]
      const out = (h - 1) * 2 - 2 * p + k + op;
      // tf.conv2dTranspose wants [k, k, out, in]; it is the adjoint of a stride-2 convolution with padding p of an out×out input.
      const native = tf.conv2dTranspose(x, tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D, [2, out, out, 4], 2, [[0, 0], [p, p], [p, p], [0, 0]]);
      expect(maxAbsDiff(convTranspose2dNhwc(x, w, undefined, 2, p, op), native)).toBeLessThan(1e-4);
    });
  });

  it.each([
    [2, 2, 8],
    [2, 2, 7],
    [3, 2, 9],
  ])('max pool k=%i s=%i on a %i-row input', (k, s, h) => {
    tf.tidy(() => {
      const x = randn([2, h, h, 3]) as tf.Tensor4D;
      expect(maxAbsDiff(maxPoolNhwc(x, k, s, 0), tf.maxPool(x, k, s, 'valid'))).toBe(0);
    });
  });

  it('nearest upsampling ×2', () => {
    tf.tidy(() => {
      const x = randn([1, 3, 5, 2]) as tf.Tensor4D;
      expect(maxAbsDiff(upsampleNhwc(x, 2), tf.image.resizeNearestNeighbor(x, [6, 10]))).toBe(0);
    });
  });

  it.each(NET_IDS)('%s: autodiff reaches every parameter with a finite gradient, as trainStep says without autodiff', (id) => {
    const config: NetConfig = { kernel: 3, numFilters: 4, numColours: 3, numInChannels: 2 };
    const a = analyse(buildNetwork(id, config), [2, 2, 32, 32]);
    const params = initParams(a, createRng('step', id));
    const x = createRng('x', id).randn([2, 2, 32, 32]);
    const auto = autodiffStep(a, params, x);
    tf.dispose(auto.grads.filter((g): g is tf.Tensor => g !== undefined));
    const plain = trainStep(a, params, x);
    expect(auto.outputShape).toEqual([2, 3, 32, 32]);
    expect(auto.finite).toBe(true);
    expect(auto.gradOk).toHaveLength(a.params.length);
    expect(auto.gradOk.every(Boolean)).toBe(true);
    expect(plain).toMatchObject({ outputShape: auto.outputShape, finite: true, gradOk: auto.gradOk });
    expect(plain.loss).toBeCloseTo(auto.loss, 5);
  });
});

describe('reachability stands in for autodiff', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
  });

  it('a layer whose output is never used gets no gradient, by both accounts', () => {
    const config: NetConfig = { kernel: 3, numFilters: 4, numColours: 3, numInChannels: 1 };
    const full = buildNetwork('pool_upsample_net', config);
    // The final convolution exists, but the output is taken from layer4 (the mistake in examples/…/unused-final-conv).
    const net = { ...full, layers: [...full.layers, { name: 'out', spec: relu(), inputs: ['layer4.3'] }] };
    const a = analyse(net, [2, 1, 32, 32]);
    expect(reachesOutput(net).slice(-2)).toEqual([false, true]);
    expect(reachesOutput(full).every(Boolean)).toBe(true);
    const params = initParams(a, createRng('unused'));
    const x = createRng('unused-x').randn([2, 1, 32, 32]);
    const auto = autodiffStep(a, params, x);
    tf.dispose(auto.grads.filter((g): g is tf.Tensor => g !== undefined));
    expect(trainStep(a, params, x).gradOk).toEqual(auto.gradOk);
    expect(auto.gradOk.filter((ok) => !ok)).toHaveLength(2);
  });
});

interface TorchRun {
  names: string[];
  out: number[];
  loss: number;
  grads: number[][];
}

// Loads the TypeScript-made weights into the full-marks example, in named_parameters() order, and runs one step; every
// job in one interpreter, so PyTorch is imported once.
const TORCH_STEPS = `
import json, sys, torch
sys.path.insert(0, ${JSON.stringify(CORRECT)})
import models
def step(job):
    k, nf, nc, nin = job["config"]
    net = getattr(models, job["cls"])(k, nf, nc, nin).train()
    params = [(n, p) for n, p in net.named_parameters()]
    with torch.no_grad():
        for (n, p), values in zip(params, job["params"]):
            p.copy_(torch.tensor(values, dtype=torch.float32).reshape(p.shape))
    x = torch.tensor(job["x"], dtype=torch.float32).reshape(job["x_shape"])
    out = net(x)
    loss = (out ** 2).mean()
    loss.backward()
    return {"names": [n for n, _ in params], "out": out.detach().reshape(-1).tolist(), "loss": loss.item(),
            "grads": [p.grad.reshape(-1).tolist() for _, p in params]}
print(json.dumps([step(job) for job in json.load(sys.stdin)]))
`;

describe.skipIf(!HAS_TORCH)('the TensorFlow.js forward and backward equal PyTorch on the same weights', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
  });

  const configs: NetConfig[] = [
    { kernel: 3, numFilters: 8, numColours: 5, numInChannels: 1 },
    { kernel: 5, numFilters: 4, numColours: 3, numInChannels: 3 },
  ];
  const cases = configs.flatMap((c) => NET_IDS.map((id) => [id, c.kernel, c] as const));
  const setUp = (id: (typeof NET_IDS)[number], config: NetConfig) => {
    const a = analyse(buildNetwork(id, config), [2, config.numInChannels, 32, 32]);
    const params = initParams(a, createRng('torch', id, config.kernel));
    const x = createRng('torch-x', id).randn([2, config.numInChannels, 32, 32]);
    return { a, params, x };
  };
  let torchRuns: TorchRun[] | undefined;
  const torchRunsOnce = () =>
    (torchRuns ??= runTorch<TorchRun[]>(
      TORCH_STEPS,
      cases.map(([id, , config]) => {
        const { a, params, x } = setUp(id, config);
        return {
          cls: CLASS_NAMES[id],
          config: [config.kernel, config.numFilters, config.numColours, config.numInChannels],
          params: a.params.map((p) => Array.from(params[p.name].data as Float32Array)),
          x: Array.from(x.data as Float32Array),
          x_shape: x.shape,
        };
      }),
      { timeoutMs: 300_000 },
    ));
  it.each(cases.map(([id, k, config], i) => [id, k, config, i] as const))('%s with k=%i', (id, _k, config, i) => {
    const { a, params, x } = setUp(id, config);
    const torch = torchRunsOnce()[i];
    expect(torch.names).toEqual(a.params.map((p) => p.name));

    const variables = a.params.map((p) => tf.variable(tf.tensor(params[p.name].data as Float32Array, p.shape)));
    const byName = Object.fromEntries(a.params.map((p, i) => [p.name, variables[i] as tf.Tensor]));
    const input = tf.tensor(x.data as Float32Array, x.shape);
    const out = tf.tidy(() => forward(a.network, byName, input));
    expect(maxAbsDiff(out, tf.tensor(torch.out, out.shape))).toBeLessThan(1e-3);
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(forward(a.network, byName, input))) as tf.Scalar, variables);
    expect(value.dataSync()[0]).toBeCloseTo(torch.loss, 4);
    variables.forEach((v, i) => {
      const g = grads[v.name];
      const scale = Math.max(1e-3, ...torch.grads[i].map(Math.abs));
      expect(maxAbsDiff(g, tf.tensor(torch.grads[i], g.shape)) / scale, a.params[i].name).toBeLessThan(1e-3);
    });
    tf.dispose([out, value, input, ...variables, ...Object.values(grads)]);
  });
});
