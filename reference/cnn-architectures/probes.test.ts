// graders/runners/python/probes.py, run directly under the interpreter that has PyTorch, on small inline models.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpz } from '../../graders/npz/npz.js';
import { decodeLines, decodeShapes, paramTableFromArrays } from '../../graders/compare/param-table.js';
import { HAS_TORCH, runTorchSnippets } from './torch-helper.js';
import { solveParams } from './index.js';
import { scalar } from '../../graders/npz/ndarray.js';

const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../graders/runners/python');
const CORRECT = path.resolve(HERE, '../../../examples/cnn-architectures/correct');

/** Python prelude: probes and the full-marks models importable, a helper that turns a ProbeResult into JSON. */
const PRELUDE = `
import json, sys, math
import numpy as np, torch
from torch import nn
sys.path.insert(0, ${JSON.stringify(HERE)})
sys.path.insert(0, ${JSON.stringify(CORRECT)})
import probes, models
torch.manual_seed(0)
def plain(result):
    # JSON has no Infinity or NaN: non-finite floats travel as their repr.
    value = lambda v: v.tolist() if v.dtype.kind != "f" or np.isfinite(v).all() else repr(v.tolist())
    return {k: {"dtype": str(v.dtype), "shape": list(v.shape), "value": value(v)} for k, v in result.items()}
def attempt(fn):
    try:
        return {"ok": plain(fn())}
    except Exception as e:
        return {"error": type(e).__name__, "message": str(e)}
`;

interface Plain {
  dtype: string;
  shape: number[];
  value: unknown;
}
type Probe = Record<string, Plain>;
type Attempt = { ok: Probe } | { error: string; message: string };

// Where the .npz snippet writes, made once and removed after the file's tests.
const SCRATCH = mkdtempSync(path.join(tmpdir(), 'dlgrade-probes-'));
const SUMMARY_NPZ = path.join(SCRATCH, 'summary.npz');
afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

/** Every snippet the tests read, run together in one interpreter on first use (one PyTorch import, not one each). */
const SNIPPETS: Record<string, string> = {
  'unet summary': `print(json.dumps(plain(probes.model_summary(models.UNet(3, 32, 24, 1), x=torch.zeros(2, 1, 32, 32)))))`,
  'counts without x': `
class Broken(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
    def forward(self, x):
        raise RuntimeError("forward must not run")
print(json.dumps(attempt(lambda: probes.model_summary(Broken()))))`,
  'trainable only': `
class Sneaky(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(3, 2)
        self.b = nn.Linear(2, 2)
        self.b.weight.requires_grad_(False)
        self.register_buffer("stats", torch.zeros(7))
    def named_parameters(self, *args, **kwargs):
        return iter([])
    def parameters(self, *args, **kwargs):
        return iter([])
print(json.dumps(plain(probes.model_summary(Sneaky()))))`,
  'no parameters': `print(json.dumps(plain(probes.model_summary(nn.ReLU(), x=torch.zeros(1, 3)))))`,
  refusals: `
class Pair(nn.Module):
    def forward(self, x):
        return x, x
print(json.dumps([attempt(lambda: probes.model_summary(object())), attempt(lambda: probes.model_summary(Pair(), x=torch.zeros(1)))]))`,
  getattr: `
s = probes.model_summary(nn.Linear(2, 3))
try:
    getattr(s, "shape")
    missing = ""
except AttributeError as e:
    missing = str(e)
print(json.dumps({"count": int(getattr(s, "param_count")), "missing": missing}))`,
  ...Object.fromEntries(
    ['PoolUpsampleNet', 'ConvTransposeNet', 'UNet'].map((cls) => [
      `train_step ${cls}`,
      `print(json.dumps(plain(probes.train_step(models.${cls}(5, 8, 3, 3), torch.randn(2, 3, 32, 32)))))`,
    ]),
  ),
  'relu before batchnorm': `
import torch.nn.functional as F
class Functional(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv, self.bn = nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4)
    def forward(self, x):
        return self.bn(F.relu(self.conv(x)))
swapped = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(4), nn.Conv2d(4, 2, 3, padding=1))
spec = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Conv2d(4, 2, 3, padding=1))
print(json.dumps([plain(probes.train_step(m, torch.randn(2, 1, 8, 8))) for m in (Functional(), swapped, spec)]))`,
  'unused layer': `
class Unused(nn.Module):
    def __init__(self):
        super().__init__()
        self.used = nn.Conv2d(1, 2, 3, padding=1)
        self.unused = nn.Conv2d(2, 2, 3, padding=1)
    def forward(self, x):
        return self.used(x)
print(json.dumps(plain(probes.train_step(Unused(), torch.randn(2, 1, 8, 8)))))`,
  'non-finite, no_grad, eval': `
class Nan(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(2, 2)
    def forward(self, x):
        return self.lin(x) / 0.0
class NoGrad(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(2, 2)
    def forward(self, x):
        with torch.no_grad():
            return self.lin(x)
bn = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)).eval()
out = [probes.train_step(Nan(), torch.randn(3, 2)), probes.train_step(NoGrad(), torch.randn(3, 2)), probes.train_step(bn, torch.randn(3, 2))]
print(json.dumps([plain(o) for o in out] + [{"training": {"dtype": "bool", "shape": [], "value": bn.training}}]))`,
  'stale gradients': `
class Half(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 2)
        self.b = nn.Linear(2, 2)
    def forward(self, x):
        return self.a(x)
m = Half()
(m.b(torch.randn(1, 2)).sum()).backward()
print(json.dumps(plain(probes.train_step(m, torch.randn(3, 2)))))`,
  npz: `
s = probes.model_summary(models.ConvTransposeNet(3, 32, 24, 1))
np.savez(${JSON.stringify(SUMMARY_NPZ)}, **s)
print("null")`,
};
let results: ((name: string) => unknown) | undefined;
const py = <T>(name: string): T => (results ??= runTorchSnippets(PRELUDE, SNIPPETS))(name) as T;

describe.skipIf(!HAS_TORCH)('probes.model_summary', () => {
  it('reports the trainable parameters of the full-marks UNet in order, and the output shape for x', () => {
    const r = py<Probe>('unet summary');
    expect(r.param_count).toEqual({ dtype: 'int64', shape: [], value: 56_856 });
    expect(r.shape).toEqual({ dtype: 'int64', shape: [4], value: [2, 24, 32, 32] });
    expect(r.param_shapes.dtype).toBe('int64');
    expect(r.param_shapes.shape).toEqual([18, 4]);
    expect((r.param_shapes.value as number[][]).slice(0, 3)).toEqual([
      [32, 1, 3, 3],
      [32, -1, -1, -1],
      [32, -1, -1, -1],
    ]);
    expect(r.param_names.dtype).toBe('uint8');
  });

  it('without x it only counts: forward is never called', () => {
    const r = py<Attempt>('counts without x');
    expect(r).toEqual({ ok: expect.objectContaining({ param_count: { dtype: 'int64', shape: [], value: 20 } }) });
    expect('ok' in r && Object.keys(r.ok).sort()).toEqual(['param_count', 'param_names', 'param_shapes']);
  });

  it('counts only trainable tensors, and cannot be fooled by an overridden named_parameters()', () => {
    const r = py<Probe>('trainable only');
    expect(r.param_count.value).toBe(8 + 2);
    expect(r.param_shapes.value).toEqual([
      [2, 3],
      [2, -1],
      [2, -1],
    ]);
  });

  it('a model without parameters gives an empty [0, 1] table and no names', () => {
    const r = py<Probe>('no parameters');
    expect(r.param_count.value).toBe(0);
    expect(r.param_shapes.shape).toEqual([0, 1]);
    expect(r.param_names.shape).toEqual([0]);
    expect(r.shape.value).toEqual([1, 3]);
  });

  it('refuses what is not a module, and a forward that returns no tensor, with a message', () => {
    const r = py<Attempt[]>('refusals');
    expect(r[0]).toEqual({ error: 'ProbeError', message: 'expected a torch.nn.Module, got object' });
    expect(r[1]).toEqual({ error: 'ProbeError', message: 'forward returned tuple; expected a torch.Tensor' });
  });

  it('its result resolves "$summary.param_count" as the runner walks it (getattr), and names a missing key', () => {
    const r = py<{ count: number; missing: string }>('getattr');
    expect(r).toEqual({ count: 9, missing: "the probe result has no 'shape' (it has param_count, param_names, param_shapes)" });
  });
});

describe.skipIf(!HAS_TORCH)('probes.train_step', () => {
  it.each(['PoolUpsampleNet', 'ConvTransposeNet', 'UNet'])('the full-marks %s trains: finite, a finite gradient for every tensor', (cls) => {
    const r = py<Probe>(`train_step ${cls}`);
    expect(r.finite).toEqual({ dtype: 'bool', shape: [], value: true });
    expect(r.all_have_grad).toEqual({ dtype: 'bool', shape: [], value: true });
    expect(r.grad_ok.value).toEqual(new Array(18).fill(true));
    expect(r.shape.value).toEqual([2, 3, 32, 32]);
    expect(r.loss.dtype).toBe('float64');
    expect(r.batchnorm_input_nonnegative).toEqual({ dtype: 'bool', shape: [], value: false });
  });

  it('ReLU before BatchNorm, as a module or as a function: a BatchNorm sees only non-negative inputs', () => {
    const r = py<Probe[]>('relu before batchnorm');
    expect(r.map((x) => x.batchnorm_input_nonnegative.value)).toEqual([true, true, false]);
    expect(r.map((x) => x.all_have_grad.value)).toEqual([true, true, true]);
  });

  it('a layer created but not used in forward: no gradient for its two tensors', () => {
    const r = py<Probe>('unused layer');
    expect(r.finite.value).toBe(true);
    expect(r.all_have_grad.value).toBe(false);
    expect(r.grad_ok.value).toEqual([true, true, false, false]);
  });

  it('non-finite output, a forward under no_grad, and eval mode left on by the student', () => {
    const r = py<Probe[]>('non-finite, no_grad, eval');
    expect(r[0].finite.value).toBe(false);
    expect(r[0].loss.value).toMatch(/inf|nan/);
    expect(r[1].finite.value).toBe(true);
    expect(r[1].all_have_grad.value).toBe(false);
    expect(r[1].grad_ok.value).toEqual([false, false]);
    expect(r[2].all_have_grad.value).toBe(true);
    expect(r[3].training.value).toBe(true);
  });

  it('stale gradients from an earlier backward do not count', () => {
    const r = py<Probe>('stale gradients');
    expect(r.grad_ok.value).toEqual([true, true, false, false]);
  });
});

describe.skipIf(!HAS_TORCH)('the encodings travel through .npz into the TypeScript decoders', () => {
  it('np.savez of a ProbeResult reads back with readNpz, decodeShapes and decodeLines, and feeds the param table', () => {
    py<null>('npz');
    const arrays = Object.fromEntries(readNpz(new Uint8Array(readFileSync(SUMMARY_NPZ)), SUMMARY_NPZ));
    expect(arrays.param_names.dtype).toBe('uint8');
    const names = decodeLines(arrays.param_names) as string[];
    expect(names.slice(0, 3)).toEqual(['layer1.0.weight', 'layer1.0.bias', 'layer1.1.weight']);
    expect(decodeShapes(arrays.param_shapes)?.[8]).toEqual([64, 32, 3, 3]);
    const inputs = { kernel: scalar(3, 'int64'), num_filters: scalar(32, 'int64'), num_colours: scalar(24, 'int64'), num_in_channels: scalar(1, 'int64') };
    const table = paramTableFromArrays(arrays, solveParams('conv_transpose_net')(inputs));
    expect(table?.firstDifference).toBeUndefined();
    expect(table?.totals).toEqual({ expected: 49_728, actual: 49_728, expectedTensors: 18, actualTensors: 18 });
  });
});
