import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLASS_NAMES, NET_IDS, analyse, buildNetwork, formatLayerTable, type NetConfig } from './networks.js';
import { HAS_TORCH, runTorch } from './torch-helper.js';

const PUBLIC: NetConfig = { kernel: 3, numFilters: 32, numColours: 24, numInChannels: 1 };
const K5: NetConfig = { ...PUBLIC, kernel: 5 };
const NIN3: NetConfig = { ...PUBLIC, numInChannels: 3 };
const ODD: NetConfig = { kernel: 7, numFilters: 4, numColours: 5, numInChannels: 2 };
const POINTWISE: NetConfig = { kernel: 1, numFilters: 8, numColours: 3, numInChannels: 2 };
const input = (c: NetConfig, n = 2) => [n, c.numInChannels, 32, 32];

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CORRECT = path.resolve(HERE, '../../examples/cnn-architectures/correct');

describe('the public configuration (k=3, nf=32, nc=24, nin=1)', () => {
  it.each([
    ['pool_upsample_net', 49_728],
    ['conv_transpose_net', 49_728],
    ['unet', 56_856],
  ] as const)('%s has %i trainable parameters and a [N, 24, 32, 32] output', (id, count) => {
    const a = analyse(buildNetwork(id, PUBLIC), input(PUBLIC, 4));
    expect(a.paramCount).toBe(count);
    expect(a.outputShape).toEqual([4, 24, 32, 32]);
  });

  it('PoolUpsampleNet, layer by layer', () => {
    expect(formatLayerTable(analyse(buildNetwork('pool_upsample_net', PUBLIC), input(PUBLIC, 1)))).toMatchInlineSnapshot(`
      "layer     kind                          output shape     params
      --------  ----------------------------  ---------------  ------
      layer1.0  Conv2d(1→32, k=3, s=1, p=1)   [1, 32, 32, 32]     320
      layer1.1  MaxPool2d(2)                  [1, 32, 16, 16]       0
      layer1.2  BatchNorm2d(32)               [1, 32, 16, 16]      64
      layer1.3  ReLU                          [1, 32, 16, 16]       0
      layer2.0  Conv2d(32→64, k=3, s=1, p=1)  [1, 64, 16, 16]  18,496
      layer2.1  MaxPool2d(2)                  [1, 64, 8, 8]         0
      layer2.2  BatchNorm2d(64)               [1, 64, 8, 8]       128
      layer2.3  ReLU                          [1, 64, 8, 8]         0
      layer3.0  Conv2d(64→32, k=3, s=1, p=1)  [1, 32, 8, 8]    18,464
      layer3.1  Upsample(×2)                  [1, 32, 16, 16]       0
      layer3.2  BatchNorm2d(32)               [1, 32, 16, 16]      64
      layer3.3  ReLU                          [1, 32, 16, 16]       0
      layer4.0  Conv2d(32→24, k=3, s=1, p=1)  [1, 24, 16, 16]   6,936
      layer4.1  Upsample(×2)                  [1, 24, 32, 32]       0
      layer4.2  BatchNorm2d(24)               [1, 24, 32, 32]      48
      layer4.3  ReLU                          [1, 24, 32, 32]       0
      layer5    Conv2d(24→24, k=3, s=1, p=1)  [1, 24, 32, 32]   5,208
      total                                   [1, 24, 32, 32]  49,728"
    `);
  });

  it('UNet concatenates the skips where the spec says', () => {
    const a = analyse(buildNetwork('unet', PUBLIC), input(PUBLIC, 1));
    const row = (name: string) => a.rows.find((r) => r.name === name);
    expect(row('cat1')).toMatchObject({ inputs: ['layer3.2', 'layer1.2'], outputShape: [1, 64, 16, 16] });
    expect(row('layer4.0')?.description).toBe('ConvTranspose2d(64→24, k=3, s=2, p=1, op=1)');
    expect(row('cat2')).toMatchObject({ inputs: ['layer4.2', 'x'], outputShape: [1, 25, 32, 32], description: 'cat([layer4.2, x], dim=1)' });
    expect(row('layer5')?.paramCount).toBe(25 * 24 * 9 + 24);
  });
});

describe('known mistakes, as the calculator sees them', () => {
  it('ConvTransposeNet without padding still gives 32×32 with k=3, but not with k=5', () => {
    expect(analyse(buildNetwork('conv_transpose_net', PUBLIC, { padding: 0 }), input(PUBLIC)).outputShape).toEqual([2, 24, 32, 32]);
    expect(analyse(buildNetwork('conv_transpose_net', K5, { padding: 0 }), input(K5)).outputShape).toEqual([2, 24, 28, 28]);
  });

  it('UNet: input skip after the final conv, no input skip, no skips at all', () => {
    expect(analyse(buildNetwork('unet', PUBLIC, { inputSkipAfterFinal: true }), input(PUBLIC)).outputShape).toEqual([2, 25, 32, 32]);
    expect(analyse(buildNetwork('unet', PUBLIC, { noInputSkip: true }), input(PUBLIC)).paramCount).toBe(56_856 - 24 * 9);
    expect(analyse(buildNetwork('conv_transpose_net', PUBLIC), input(PUBLIC)).paramCount).toBe(49_728);
  });

  it('convolutions without bias before BatchNorm lose exactly those biases', () => {
    expect(analyse(buildNetwork('pool_upsample_net', PUBLIC, { noBiasBeforeBatchNorm: true }), input(PUBLIC)).paramCount).toBe(49_728 - (32 + 64 + 32 + 24));
  });

  it('a configuration the network cannot take is refused with the layer named', () => {
    expect(() => analyse(buildNetwork('pool_upsample_net', K5, { padding: 0 }), input(K5))).toThrow(/pool_upsample_net: layer layer\d\.\d: .*empty output/);
    expect(() => buildNetwork('unet', { ...PUBLIC, kernel: 0 })).toThrow(/kernel must be a positive integer/);
  });
});

interface TorchNet {
  count: number;
  names: string[];
  shapes: number[][];
  out: number[];
}

// The PyTorch side: the full-marks example submission, built for each configuration.
const TORCH_SUMMARY = `
import json, sys, torch
sys.path.insert(0, ${JSON.stringify(CORRECT)})
import models
cases = json.load(sys.stdin)
result = []
for case in cases:
    k, nf, nc, nin = case["config"]
    net = getattr(models, case["cls"])(k, nf, nc, nin)
    params = [(n, p) for n, p in net.named_parameters() if p.requires_grad]
    with torch.no_grad():
        out = net(torch.zeros(2, nin, 32, 32))
    result.append({"count": sum(p.numel() for _, p in params), "names": [n for n, _ in params],
                   "shapes": [list(p.shape) for _, p in params], "out": list(out.shape)})
print(json.dumps(result))
`;

describe.skipIf(!HAS_TORCH)('the calculator agrees with PyTorch (torch 1.13, /usr/bin/python3)', () => {
  const configs: [string, NetConfig][] = [
    ['public', PUBLIC],
    ['k=5', K5],
    ['nin=3', NIN3],
    ['k=7, nf=4, nc=5, nin=2', ODD],
    ['k=1', POINTWISE],
  ];
  const cases = configs.flatMap(([label, c]) => NET_IDS.map((id) => ({ label, id, config: c })));
  const torch = HAS_TORCH
    ? runTorch<TorchNet[]>(
        TORCH_SUMMARY,
        cases.map((c) => ({ cls: CLASS_NAMES[c.id], config: [c.config.kernel, c.config.numFilters, c.config.numColours, c.config.numInChannels] })),
      )
    : [];

  it.each(cases.map((c, i) => [c.label, c.id, i] as const))('%s: %s — count, parameter names and shapes in order, output shape', (_label, id, i) => {
    const a = analyse(buildNetwork(id, cases[i].config), input(cases[i].config));
    expect(torch[i].count).toBe(a.paramCount);
    expect(torch[i].shapes).toEqual(a.params.map((p) => p.shape));
    expect(torch[i].names).toEqual(a.params.map((p) => p.name));
    expect(torch[i].out).toEqual(a.outputShape);
  });

  it('the hidden configurations have the counts PyTorch prints', () => {
    const torchCounts = (label: string) => NET_IDS.map((id) => torch[cases.findIndex((c) => c.label === label && c.id === id)].count);
    expect(torchCounts('k=5')).toEqual([137_280, 137_280, 157_080]);
    expect(torchCounts('nin=3')).toEqual([50_304, 50_304, 57_864]);
  });
});
