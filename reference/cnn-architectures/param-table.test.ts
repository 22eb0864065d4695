// The engine's parameter table (graders/compare/param-table.ts) on the arrays of the cnn-architectures key.
import { describe, expect, it } from 'vitest';
import { alignParams, buildParamTable, decodeLines, decodeShapes, describeMissingGradients, encodeLines, encodeShapes, formatParamTable, modelFeedback, paramTableFromArrays, type ParamList } from '../../graders/compare/param-table.js';
import { solveParams } from './index.js';
import { scalar } from '../../graders/npz/ndarray.js';

const config = (k: number, nf: number, nc: number, nin: number) => ({
  kernel: scalar(k, 'int64'),
  num_filters: scalar(nf, 'int64'),
  num_colours: scalar(nc, 'int64'),
  num_in_channels: scalar(nin, 'int64'),
});

/** The reference's expected arrays for a small ConvTransposeNet: 18 tensors, 12 layers. */
const expected = solveParams('conv_transpose_net')(config(3, 4, 3, 1));
const reference = { shapes: decodeShapes(expected.param_shapes)!, names: decodeLines(expected.param_names)! };

/** The student's arrays, as probes.model_summary encodes them. */
const student = (list: ParamList) => ({ param_shapes: encodeShapes(list.shapes), param_names: encodeLines(list.names ?? []) });

describe('encodings', () => {
  it('shapes round-trip through int64 [P, R] padded with -1', () => {
    const shapes = [[32, 1, 3, 3], [32], [], [2, 3]];
    const a = encodeShapes(shapes);
    expect(a.shape).toEqual([4, 4]);
    expect(Array.from(a.data as BigInt64Array, Number).slice(4, 8)).toEqual([32, -1, -1, -1]);
    expect(decodeShapes(a)).toEqual(shapes);
    expect(encodeShapes([]).shape).toEqual([0, 1]);
    expect(decodeShapes(encodeShapes([]))).toEqual([]);
  });

  it('names round-trip through UTF-8 bytes joined by newlines', () => {
    expect(decodeLines(encodeLines(['layer1.0.weight', 'décodeur.bias']))).toEqual(['layer1.0.weight', 'décodeur.bias']);
    expect(decodeLines(encodeLines([]))).toEqual([]);
    expect(decodeLines(undefined)).toBeUndefined();
  });
});

describe('alignment', () => {
  it('matches everything when shapes agree, whatever the names', () => {
    const rows = alignParams({ shapes: reference.shapes, names: reference.names.map((n) => n.replace('layer', 'block')) }, reference);
    expect(rows.every((r) => r.status === 'same')).toBe(true);
  });

  it('a conv without bias shows one missing tensor and realigns after it', () => {
    const shapes = reference.shapes.filter((_, i) => i !== 1);
    const names = reference.names.filter((_, i) => i !== 1);
    const rows = alignParams({ shapes, names }, reference);
    expect(rows.map((r) => r.status).filter((s) => s !== 'same')).toEqual(['missing']);
    expect(rows[1]).toMatchObject({ status: 'missing', expected: { name: 'layer1.0.bias', shape: [4] } });
  });

  it('a tensor with another shape in the same place is "changed"; an added one is "extra"', () => {
    const shapes = reference.shapes.map((s, i) => (i === 8 ? [s[1], s[0], s[2], s[3]] : s));
    shapes.push([3, 3, 1, 1]);
    const rows = alignParams({ shapes }, reference);
    expect(rows.filter((r) => r.status !== 'same')).toMatchObject([
      { status: 'changed', expected: { index: 8, shape: [8, 4, 3, 3] }, actual: { index: 8, shape: [4, 8, 3, 3] } },
      { status: 'extra', actual: { index: 18, shape: [3, 3, 1, 1] } },
    ]);
  });
});

describe('the per-layer table', () => {
  it('all equal: every layer ticks, no first difference', () => {
    const table = paramTableFromArrays(student(reference), expected)!;
    expect(table.firstDifference).toBeUndefined();
    expect(table.layers.map((l) => l.name)).toEqual(['layer1.0', 'layer1.1', 'layer1.2', 'layer2.0', 'layer2.1', 'layer2.2', 'layer3.0', 'layer3.1', 'layer3.2', 'layer4.0', 'layer4.1', 'layer4.2', 'layer5']);
    expect(table.layers.every((l) => l.ok && l.actualCount === l.paramCount)).toBe(true);
    expect(formatParamTable(table).slice(-2)).toEqual(['Total trainable parameters: 861, as expected.', 'Every parameter tensor has the expected shape, in the expected order.']);
  });

  it('a ConvTranspose2d built as Conv2d: same count, the first differing row names the layer and both shapes', () => {
    const shapes = reference.shapes.map((s, i) => (i === 8 ? [s[1], s[0], s[2], s[3]] : s));
    const names = reference.names.map((n) => n.replace('layer3.0', 'up1'));
    const lines = formatParamTable(paramTableFromArrays(student({ shapes, names }), expected)!);
    expect(lines.join('\n')).toMatchInlineSnapshot(`
      "   layer     kind                                       output shape  params  yours  your tensors that differ
      -------------------------------------------------------------------------------------------------------------------------------------------
         layer1.0  Conv2d(1→4, k=3, s=2, p=1)                 [4, 16, 16]       40     40
         layer1.1  BatchNorm2d(4)                             [4, 16, 16]        8      8
         layer1.2  ReLU                                       [4, 16, 16]        -
         layer2.0  Conv2d(4→8, k=3, s=2, p=1)                 [8, 8, 8]        296    296
         layer2.1  BatchNorm2d(8)                             [8, 8, 8]         16     16
         layer2.2  ReLU                                       [8, 8, 8]          -
      ✗  layer3.0  ConvTranspose2d(8→4, k=3, s=2, p=1, op=1)  [4, 16, 16]      292    292  weight: up1.weight [4, 8, 3, 3], expected [8, 4, 3, 3]
         layer3.1  BatchNorm2d(4)                             [4, 16, 16]        8      8
         layer3.2  ReLU                                       [4, 16, 16]        -
         layer4.0  ConvTranspose2d(4→3, k=3, s=2, p=1, op=1)  [3, 32, 32]      111    111
         layer4.1  BatchNorm2d(3)                             [3, 32, 32]        6      6
         layer4.2  ReLU                                       [3, 32, 32]        -
         layer5    Conv2d(3→3, k=3, s=1, p=1)                 [3, 32, 32]       84     84
         total                                                                 861    861
      Total trainable parameters: 861, as expected.
      First difference at layer3.0.weight (ConvTranspose2d(8→4, k=3, s=2, p=1, op=1), output [4, 16, 16]): expected shape [8, 4, 3, 3], your tensor 8 (up1.weight) has [4, 8, 3, 3]."
    `);
  });

  it('UNet whose final convolution ignores the input skip: the count and the layer5 row show it', () => {
    const unet = solveParams('unet')(config(3, 32, 24, 1));
    const wrong = solveParams('unet', { noInputSkip: true })(config(3, 32, 24, 1));
    const table = paramTableFromArrays({ param_shapes: wrong.param_shapes }, unet)!;
    expect(table.totals).toEqual({ expected: 56_856, actual: 56_640, expectedTensors: 18, actualTensors: 18 });
    const lines = formatParamTable(table);
    expect(lines.find((l) => l.includes('layer5 '))).toMatch(/^✗\s+layer5\s+Conv2d\(25→24, k=3, s=1, p=1\)\s+\[24, 32, 32\]\s+5,424\s+5,208\s+weight: \[24, 24, 3, 3\], expected \[24, 25, 3, 3\]$/);
    expect(lines.slice(-2)).toEqual([
      'Total trainable parameters: 56,640, expected 56,856 (-216).',
      'First difference at layer5.weight (Conv2d(25→24, k=3, s=1, p=1), output [24, 32, 32]): expected shape [24, 25, 3, 3], your tensor 16 has [24, 24, 3, 3].',
    ]);
  });

  it('missing and extra tensors are listed in the layer they fall in', () => {
    const shapes = [...reference.shapes.slice(0, 1), ...reference.shapes.slice(2), [5]];
    const names = [...reference.names.slice(0, 1), ...reference.names.slice(2), 'extra.bias'];
    const table = paramTableFromArrays(student({ shapes, names }), expected)!;
    const lines = formatParamTable(table);
    expect(lines.find((l) => l.includes('layer1.0'))).toMatch(/✗\s+layer1\.0 .* 40\s+36\s+bias: missing, expected \[4\]$/);
    expect(lines.find((l) => l.includes('layer5 '))).toMatch(/\+1 extra tensor \(below\)$/);
    expect(lines.find((l) => /^✗\s+extra\s/.test(l))).toMatch(/extra: not in the spec\s+-\s+5\s+bias \[5\]$/);
    expect(lines.at(-1)).toBe('First difference: your model has no tensor for layer1.0.bias (Conv2d(1→4, k=3, s=2, p=1), output [4, 16, 16]), shape [4].');
  });

  it('a network with extra levels names the extra layers in rows of their own, not one long cell', () => {
    const unetExpected = solveParams('unet')(config(3, 32, 24, 1));
    const ref = { shapes: decodeShapes(unetExpected.param_shapes)!, names: decodeLines(unetExpected.param_names)! };
    // Two more down/up levels, as real work had them: layer6 and layer7 (conv + BatchNorm each) after layer5.
    const extraShapes = [[64, 64, 3, 3], [64], [64], [64], [32, 64, 3, 3], [32], [32], [32]];
    const extraNames = ['layer6.0.weight', 'layer6.0.bias', 'layer6.1.weight', 'layer6.1.bias', 'layer7.0.weight', 'layer7.0.bias', 'layer7.1.weight', 'layer7.1.bias'];
    const table = paramTableFromArrays(student({ shapes: [...ref.shapes, ...extraShapes], names: [...ref.names, ...extraNames] }), unetExpected)!;
    const lines = formatParamTable(table);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(200);
    expect(lines.find((l) => /^✗\s+layer6\.0\s/.test(l))).toMatch(/extra: not in the spec .*weight \[64, 64, 3, 3\], bias \[64\]$/);
    expect(lines.some((l) => /^✗\s+layer7\.1\s/.test(l))).toBe(true);
    expect(lines).toContain('Your model has 4 layers the spec does not: layer6.0, layer6.1, layer7.0, layer7.1 (55,584 parameters).');
  });

  it('without layer information it falls back to one row per tensor', () => {
    const table = buildParamTable({ shapes: [[2, 3], [3]] }, { shapes: [[2, 3], [2]], names: ['fc.weight', 'fc.bias'] });
    expect(formatParamTable(table)).toEqual([
      '   #      reference tensor  expected  yours   your tensor',
      '---------------------------------------------------------',
      '   0      fc.weight         [2, 3]    [2, 3]',
      '✗  1      fc.bias           [2]       [3]',
      '   total                    8         9',
      'Total trainable parameters: 9, expected 8 (+1).',
      'First difference at fc.bias: expected shape [2], your tensor 1 has [3].',
    ]);
  });

  it('a model with thousands of tensors is paired by position, and long names are clipped', () => {
    const shapes = Array.from({ length: 3000 }, () => [1]);
    const table = buildParamTable({ shapes, names: shapes.map((_, i) => `${'x'.repeat(100)}${i}`) }, reference);
    expect(table.rows).toHaveLength(3000);
    expect(table.rows[2]).toMatchObject({ status: 'changed', expected: { index: 2 }, actual: { index: 2 } });
    const lines = formatParamTable(table);
    expect(Math.max(...lines.slice(0, -2).map((l) => [...l].length))).toBeLessThan(400);
  });

  it('undefined when the student produced no decodable shapes', () => {
    expect(paramTableFromArrays({}, expected)).toBeUndefined();
  });
});

describe('model feedback', () => {
  const gradOk = (values: boolean[]) => ({ dtype: 'bool' as const, shape: [values.length], data: Uint8Array.from(values, Number) });

  it('names the tensors without a gradient', () => {
    const actual = { ...student({ shapes: [[2, 1, 3, 3], [2], [2, 2, 3, 3], [2]], names: ['used.weight', 'used.bias', 'unused.weight', 'unused.bias'] }), grad_ok: gradOk([true, true, false, false]) };
    expect(describeMissingGradients(actual)).toEqual(['No finite gradient after backward for 2 of 4 trainable tensors:', '  unused.weight [2, 2, 3, 3]', '  unused.bias [2]']);
    expect(describeMissingGradients({ grad_ok: gradOk([true]) })).toBeUndefined();
    expect(modelFeedback(actual, {})).toHaveLength(3);
  });

  it('the table when some tensor differs, nothing when there is nothing to say', () => {
    const wrong = student({ shapes: reference.shapes.slice(1), names: reference.names.slice(1) });
    expect(modelFeedback(wrong, expected)?.at(-1)).toMatch(/^First difference: your model has no tensor for layer1\.0\.weight/);
    expect(modelFeedback(student(reference), expected)).toBeUndefined();
    expect(modelFeedback({}, expected)).toBeUndefined();
  });
});
