// A model's trainable parameters next to the reference's, layer by layer, with the first row that differs.
//
// Array encodings (.npz holds numbers only, so text travels as bytes):
//   param_shapes  int64 [P, R]  the P trainable tensors in registration order; row i is tensor i's shape,
//                               right-padded with -1 to R = max(1, largest rank).
//   param_names   uint8 [B]     the P names ("layer1.0.weight"), UTF-8, joined with "\n".
// Reference-only arrays (stored with the expected outputs; a student's model does not produce them):
//   layer_names   uint8 [B]     the L layers ("layer1.0"), UTF-8, joined with "\n"; a parameter belongs to the
//                               layer whose name followed by "." begins the parameter's name.
//   layer_kinds   uint8 [B]     the L layer descriptions ("Conv2d(1→32, k=3, s=1, p=1)"), UTF-8, "\n"-joined.
//   layer_shapes  int64 [L, R]  each layer's output shape without the batch dimension, padded with -1.
//   layer_params  int64 [L]     each layer's trainable parameter count.
import type { NdArray } from '../npz/ndarray.js';

/** Output names of the encodings above. */
export const PARAM_TABLE_KEYS = {
  paramShapes: 'param_shapes',
  paramNames: 'param_names',
  layerNames: 'layer_names',
  layerKinds: 'layer_kinds',
  layerShapes: 'layer_shapes',
  layerParams: 'layer_params',
} as const;

/** Lines of text as UTF-8 bytes joined by "\n" (uint8 [B]). */
export function encodeLines(lines: readonly string[]): NdArray {
  const bytes = new TextEncoder().encode(lines.join('\n'));
  return { dtype: 'uint8', shape: [bytes.length], data: bytes };
}

/** The lines encoded by encodeLines (an empty array gives no lines); undefined if the array is not uint8 bytes. */
export function decodeLines(a: NdArray | undefined): string[] | undefined {
  if (!a || (a.dtype !== 'uint8' && a.dtype !== 'int64' && a.dtype !== 'int32') || a.shape.length !== 1) return undefined;
  const bytes = a.data instanceof Uint8Array ? a.data : Uint8Array.from(a.data as ArrayLike<number | bigint>, Number);
  if (bytes.length === 0) return [];
  return new TextDecoder().decode(bytes).split('\n');
}

/** Shapes as an int64 [P, R] array, R = max(1, largest rank), right-padded with -1. */
export function encodeShapes(shapes: readonly (readonly number[])[]): NdArray {
  const rank = Math.max(1, ...shapes.map((s) => s.length));
  const data = new BigInt64Array(shapes.length * rank).fill(-1n);
  shapes.forEach((s, i) => s.forEach((d, j) => (data[i * rank + j] = BigInt(d))));
  return { dtype: 'int64', shape: [shapes.length, rank], data };
}

/** The shapes encoded by encodeShapes; undefined if the array is not 2-d. */
export function decodeShapes(a: NdArray | undefined): number[][] | undefined {
  if (!a || a.shape.length !== 2) return undefined;
  const [rows, rank] = a.shape;
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const shape: number[] = [];
    for (let j = 0; j < rank; j++) {
      const d = Number(a.data[i * rank + j]);
      if (d < 0) break;
      shape.push(d);
    }
    out.push(shape);
  }
  return out;
}

/** One side's parameters: shapes in order, names when known. */
export interface ParamList {
  shapes: number[][];
  names?: string[];
}

/** A reference layer, parameterised or not, as the architecture table shows it. */
export interface ReferenceLayer {
  name: string;
  description: string;
  /** Output shape without the batch dimension. */
  outputShape: number[];
  paramCount: number;
}

export interface ParamRef {
  /** Position in its own side's order. */
  index: number;
  name?: string;
  shape: number[];
  numel: number;
}

/**
 * One aligned row: `same` (equal shapes), `changed` (a tensor in the same place with another shape), `missing`
 * (a reference tensor the model lacks) or `extra` (a tensor the reference does not have).
 */
export interface ParamRow {
  status: 'same' | 'changed' | 'missing' | 'extra';
  expected?: ParamRef & { layer?: number };
  actual?: ParamRef;
}

/** A reference layer with what the model has in its place. */
export interface LayerComparison extends ReferenceLayer {
  /** Parameters of the model's tensors aligned with this layer's. */
  actualCount: number;
  ok: boolean;
  /** Indices into `rows` of this layer's parameter rows (and extra tensors that follow them). */
  rows: number[];
}

/** Everything the per-layer table shows, as data. */
export interface ParamTable {
  rows: ParamRow[];
  layers: LayerComparison[];
  /** Index into `rows` of the first row that is not `same`; undefined when every shape matches. */
  firstDifference?: number;
  totals: { expected: number; actual: number; expectedTensors: number; actualTensors: number };
}

const numelOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;
const count = (n: number): string => n.toLocaleString('en-US');
/** A name as shown in a table: at most 60 characters, so one odd name cannot stretch every line. */
const clip = (name: string): string => ([...name].length > 60 ? [...name].slice(0, 59).join('') + '…' : name);

/**
 * Aligns the two ordered parameter lists like a diff: equal shapes (preferring equal names) are matched so that as
 * many as possible line up in order; unmatched tensors between two matches are paired as `changed`, the rest are
 * `missing` or `extra`.
 */
export function alignParams(actual: ParamList, expected: ParamList): ParamRow[] {
  const a = actual.shapes;
  const e = expected.shapes;
  if ((a.length + 1) * (e.length + 1) > MAX_ALIGN_CELLS) return alignByPosition(actual, expected);
  const score = (i: number, j: number): number => {
    if (!sameShape(e[i], a[j])) return 0;
    return expected.names?.[i] !== undefined && expected.names[i] === actual.names?.[j] ? 3 : 2;
  };
  // best[i][j]: the best alignment score of e[i:] with a[j:].
  const best: number[][] = Array.from({ length: e.length + 1 }, () => new Array<number>(a.length + 1).fill(0));
  for (let i = e.length - 1; i >= 0; i--) {
    for (let j = a.length - 1; j >= 0; j--) {
      const s = score(i, j);
      best[i][j] = Math.max(best[i + 1][j], best[i][j + 1], s ? s + best[i + 1][j + 1] : 0);
    }
  }
  const ref = (side: ParamList, index: number): ParamRef => ({ index, name: side.names?.[index], shape: side.shapes[index], numel: numelOf(side.shapes[index]) });
  const rows: ParamRow[] = [];
  let pendingMissing: number[] = [];
  let pendingExtra: number[] = [];
  const flush = () => {
    const paired = Math.min(pendingMissing.length, pendingExtra.length);
    for (let k = 0; k < paired; k++) rows.push({ status: 'changed', expected: ref(expected, pendingMissing[k]), actual: ref(actual, pendingExtra[k]) });
    for (const i of pendingMissing.slice(paired)) rows.push({ status: 'missing', expected: ref(expected, i) });
    for (const j of pendingExtra.slice(paired)) rows.push({ status: 'extra', actual: ref(actual, j) });
    pendingMissing = [];
    pendingExtra = [];
  };
  let i = 0;
  let j = 0;
  while (i < e.length || j < a.length) {
    if (i < e.length && j < a.length && score(i, j) && best[i][j] === score(i, j) + best[i + 1][j + 1]) {
      flush();
      rows.push({ status: 'same', expected: ref(expected, i), actual: ref(actual, j) });
      i++;
      j++;
    } else if (i < e.length && (j >= a.length || best[i][j] === best[i + 1][j])) {
      pendingMissing.push(i++);
    } else {
      pendingExtra.push(j++);
    }
  }
  flush();
  return rows;
}

/** Above this many alignment cells (a model with thousands of tensors) rows are paired by position instead. */
const MAX_ALIGN_CELLS = 1_000_000;

/** Pairs tensor i with tensor i; the longer list's rest is missing or extra. */
function alignByPosition(actual: ParamList, expected: ParamList): ParamRow[] {
  const ref = (side: ParamList, index: number): ParamRef => ({ index, name: side.names?.[index], shape: side.shapes[index], numel: numelOf(side.shapes[index]) });
  const rows: ParamRow[] = [];
  for (let i = 0; i < Math.max(actual.shapes.length, expected.shapes.length); i++) {
    const e = i < expected.shapes.length ? ref(expected, i) : undefined;
    const a = i < actual.shapes.length ? ref(actual, i) : undefined;
    rows.push({ status: !a ? 'missing' : !e ? 'extra' : sameShape(e.shape, a.shape) ? 'same' : 'changed', expected: e, actual: a });
  }
  return rows;
}

/** Index of the layer a parameter belongs to: the longest layer name that, followed by ".", begins the parameter's name. */
function layerOf(paramName: string | undefined, layers: readonly ReferenceLayer[]): number | undefined {
  if (paramName === undefined) return undefined;
  let found: number | undefined;
  layers.forEach((layer, index) => {
    if (paramName.startsWith(layer.name + '.') && (found === undefined || layer.name.length > layers[found].name.length)) found = index;
  });
  return found;
}

/** Builds the comparison of the model's parameters (`actual`) with the reference's, grouped by the reference layers. */
export function buildParamTable(actual: ParamList, expected: ParamList, layers: readonly ReferenceLayer[] = []): ParamTable {
  const rows = alignParams(actual, expected);
  for (const row of rows) if (row.expected) row.expected.layer = layerOf(row.expected.name, layers);
  const comparisons: LayerComparison[] = layers.map((layer) => ({ ...layer, actualCount: 0, ok: true, rows: [] }));
  // Extra tensors are listed with the layer of the last reference tensor before them.
  let current: number | undefined;
  rows.forEach((row, r) => {
    if (row.expected?.layer !== undefined) current = row.expected.layer;
    if (current === undefined) return;
    const layer = comparisons[current];
    layer.rows.push(r);
    if (row.actual && row.status !== 'extra') layer.actualCount += row.actual.numel;
    // Extra tensors are listed as layers of their own; the reference layer they follow may be right.
    if (row.status !== 'same' && row.status !== 'extra') layer.ok = false;
  });
  const firstDifference = rows.findIndex((r) => r.status !== 'same');
  return {
    rows,
    layers: comparisons,
    firstDifference: firstDifference < 0 ? undefined : firstDifference,
    totals: {
      expected: expected.shapes.reduce((t, s) => t + numelOf(s), 0),
      actual: actual.shapes.reduce((t, s) => t + numelOf(s), 0),
      expectedTensors: expected.shapes.length,
      actualTensors: actual.shapes.length,
    },
  };
}

/**
 * Builds the table from a case's arrays: the student's outputs (`param_shapes`, optional `param_names`) and the
 * expected ones (`param_shapes`, `param_names` and the reference-only `layer_*` arrays). Undefined when either side
 * has no decodable `param_shapes`.
 */
export function paramTableFromArrays(actual: Record<string, NdArray | undefined>, expected: Record<string, NdArray | undefined>): ParamTable | undefined {
  const K = PARAM_TABLE_KEYS;
  const actualShapes = decodeShapes(actual[K.paramShapes]);
  const expectedShapes = decodeShapes(expected[K.paramShapes]);
  if (!actualShapes || !expectedShapes) return undefined;
  const names = (a: NdArray | undefined, n: number) => {
    const lines = decodeLines(a);
    return lines && lines.length === n ? lines : undefined;
  };
  const layerNames = decodeLines(expected[K.layerNames]) ?? [];
  const kinds = decodeLines(expected[K.layerKinds]) ?? [];
  const shapes = decodeShapes(expected[K.layerShapes]) ?? [];
  const params = expected[K.layerParams];
  const layers: ReferenceLayer[] =
    kinds.length === layerNames.length && shapes.length === layerNames.length && params?.data.length === layerNames.length
      ? layerNames.map((name, i) => ({ name, description: kinds[i], outputShape: shapes[i], paramCount: Number(params.data[i]) }))
      : [];
  return buildParamTable(
    { shapes: actualShapes, names: names(actual[K.paramNames], actualShapes.length) },
    { shapes: expectedShapes, names: names(expected[K.paramNames], expectedShapes.length) },
    layers,
  );
}

/** One sentence about the first difference, or undefined when all shapes match. */
export function describeFirstDifference(table: ParamTable): string | undefined {
  if (table.firstDifference === undefined) return undefined;
  const row = table.rows[table.firstDifference];
  const where = (r: ParamRef | undefined, layer?: number) => {
    if (!r) return '';
    const l = layer !== undefined ? table.layers[layer] : undefined;
    return `${r.name !== undefined ? clip(r.name) : `tensor ${r.index}`}${l ? ` (${l.description}, output ${shapeText(l.outputShape)})` : ''}`;
  };
  const yours = (r: ParamRef) => `your tensor ${r.index}${r.name ? ` (${clip(r.name)})` : ''}`;
  switch (row.status) {
    case 'changed': {
      const e = row.expected as ParamRef & { layer?: number };
      const a = row.actual as ParamRef;
      return `First difference at ${where(e, e.layer)}: expected shape ${shapeText(e.shape)}, ${yours(a)} has ${shapeText(a.shape)}.`;
    }
    case 'missing': {
      const e = row.expected as ParamRef & { layer?: number };
      return `First difference: your model has no tensor for ${where(e, e.layer)}, shape ${shapeText(e.shape)}.`;
    }
    default: {
      const a = row.actual as ParamRef;
      return `First difference: ${yours(a)} ${shapeText(a.shape)} has no counterpart in the reference.`;
    }
  }
}

function alignColumns(table: string[][], rightAligned: Set<number>): string[] {
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => [...(row[c] ?? '')].length)));
  return table.map((row) =>
    row
      .map((cell, c) => {
        const pad = ' '.repeat(widths[c] - [...cell].length);
        return rightAligned.has(c) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd(),
  );
}

/**
 * Preformatted lines for a report (CaseResult.details): the reference architecture with the model's parameter count
 * beside each layer, the totals, and the first difference. Without layer information, one line per tensor.
 */
export function formatParamTable(table: ParamTable): string[] {
  const mark = (ok: boolean) => (ok ? '' : '✗');
  const grid: string[][] = [];
  const actualText = (r: ParamRef | undefined) => (r ? `${r.name ? clip(r.name) + ' ' : ''}${shapeText(r.shape)}` : 'missing');
  if (table.layers.length) {
    grid.push(['', 'layer', 'kind', 'output shape', 'params', 'yours', 'your tensors that differ']);
    table.layers.forEach((layer) => {
      const rows = layer.rows.map((r) => table.rows[r]);
      // Extra tensors get rows of their own below (one per extra layer), so no cell grows with them.
      const differing = rows.filter((r) => r.status !== 'same' && r.status !== 'extra').map((r) => `${r.expected?.name?.slice(layer.name.length + 1) ?? '?'}: ${actualText(r.actual)}, expected ${shapeText(r.expected?.shape ?? [])}`);
      const extras = rows.filter((r) => r.status === 'extra').length;
      if (extras) differing.push(`+${extras} extra tensor${extras === 1 ? '' : 's'} (below)`);
      const hasParams = layer.paramCount > 0 || rows.length > 0;
      grid.push([mark(layer.ok), layer.name, layer.description, shapeText(layer.outputShape), hasParams ? count(layer.paramCount) : '-', hasParams ? count(layer.actualCount) : '', differing.join('; ')]);
    });
    for (const extra of extraLayers(table)) grid.push(['✗', extra.name, 'extra: not in the spec', '', '-', count(extra.numel), clip(extra.tensors.join(', '))]);
    const unplaced = table.rows.filter((row, r) => row.status !== 'extra' && !table.layers.some((l) => l.rows.includes(r)));
    for (const row of unplaced) grid.push([mark(row.status === 'same'), row.expected?.name ?? '', row.status, '', row.expected ? count(row.expected.numel) : '', row.actual ? count(row.actual.numel) : '', actualText(row.actual)]);
    grid.push(['', 'total', '', '', count(table.totals.expected), count(table.totals.actual), '']);
  } else {
    grid.push(['', '#', 'reference tensor', 'expected', 'yours', 'your tensor']);
    table.rows.forEach((row, r) => {
      grid.push([mark(row.status === 'same'), String(r), row.expected?.name ?? (row.status === 'extra' ? '(extra)' : ''), row.expected ? shapeText(row.expected.shape) : '', row.actual ? shapeText(row.actual.shape) : 'missing', clip(row.actual?.name ?? '')]);
    });
    grid.push(['', 'total', '', count(table.totals.expected), count(table.totals.actual), '']);
  }
  const lines = alignColumns(grid, new Set(table.layers.length ? [4, 5] : []));
  lines.splice(1, 0, '-'.repeat(Math.max(...lines.map((l) => [...l].length))));
  const first = describeFirstDifference(table);
  const countNote =
    table.totals.expected === table.totals.actual
      ? `Total trainable parameters: ${count(table.totals.actual)}, as expected.`
      : `Total trainable parameters: ${count(table.totals.actual)}, expected ${count(table.totals.expected)} (${table.totals.actual > table.totals.expected ? '+' : ''}${count(table.totals.actual - table.totals.expected)}).`;
  const extras = extraLayers(table);
  const extraNote = extras.length
    ? [`Your model has ${extras.length === 1 ? 'a layer' : `${extras.length} layers`} the spec does not: ${extras.slice(0, 8).map((e) => e.name).join(', ')}${extras.length > 8 ? `, … (${extras.length - 8} more)` : ''} (${count(extras.reduce((t, e) => t + e.numel, 0))} parameters).`]
    : [];
  return [...lines, countNote, ...extraNote, ...(first ? [first] : ['Every parameter tensor has the expected shape, in the expected order.'])];
}

/** The model's tensors the reference has no counterpart for, grouped by the layer (module) that holds them. */
export function extraLayers(table: ParamTable): { name: string; numel: number; tensors: string[] }[] {
  const groups = new Map<string, { name: string; numel: number; tensors: string[] }>();
  for (const row of table.rows) {
    if (row.status !== 'extra' || !row.actual) continue;
    const full = row.actual.name;
    const dot = full?.lastIndexOf('.') ?? -1;
    const layer = full === undefined ? `tensor ${row.actual.index}` : dot > 0 ? clip(full.slice(0, dot)) : clip(full);
    const group = groups.get(layer) ?? { name: layer, numel: 0, tensors: [] };
    group.numel += row.actual.numel;
    group.tensors.push(`${full !== undefined && dot > 0 ? full.slice(dot + 1) : 'tensor'} ${shapeText(row.actual.shape)}`);
    groups.set(layer, group);
  }
  return [...groups.values()];
}

/**
 * The parameters that got no finite gradient, from a train-step probe's `grad_ok` (bool [P]) with `param_names`
 * and `param_shapes`; undefined when grad_ok is absent or every tensor has a gradient.
 */
export function describeMissingGradients(actual: Record<string, NdArray | undefined>): string[] | undefined {
  const ok = actual.grad_ok;
  if (!ok || ok.shape.length !== 1) return undefined;
  const names = decodeLines(actual[PARAM_TABLE_KEYS.paramNames]);
  const shapes = decodeShapes(actual[PARAM_TABLE_KEYS.paramShapes]);
  const missing: string[] = [];
  for (let i = 0; i < ok.data.length; i++) {
    if (Number(ok.data[i]) !== 0) continue;
    const name = names && names.length === ok.data.length ? clip(names[i]) : `tensor ${i}`;
    missing.push(shapes && shapes.length === ok.data.length ? `${name} ${shapeText(shapes[i])}` : name);
  }
  if (missing.length === 0) return undefined;
  const shown = missing.slice(0, 20);
  return [
    `No finite gradient after backward for ${missing.length} of ${ok.data.length} trainable tensors:`,
    ...shown.map((m) => `  ${m}`),
    ...(missing.length > shown.length ? [`  … and ${missing.length - shown.length} more`] : []),
  ];
}

/**
 * Feedback lines for a failed case of a model question, from the raw arrays of both sides: the per-layer parameter
 * table (when both carry param_shapes and some tensor differs) and the tensors without a gradient (when the
 * student's carry grad_ok).
 * Undefined when there is nothing to add. This is the one function the engine calls.
 */
export function modelFeedback(actual: Record<string, NdArray | undefined>, expected: Record<string, NdArray | undefined>): string[] | undefined {
  const table = paramTableFromArrays(actual, expected);
  // A table whose every row matches says nothing about why the case failed (e.g. a train step without gradients).
  const differs = table !== undefined && table.firstDifference !== undefined;
  const lines = [...(differs ? formatParamTable(table) : []), ...(describeMissingGradients(actual) ?? [])];
  return lines.length ? lines : undefined;
}
