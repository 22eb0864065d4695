// Reference for `cnn_table`: neurons, parameters and input connections of a small CNN on a 112×112×3 input.
import { conv3, fc, pool2, tabulateLayers, type LayerRow, type LayerSpec } from './layer-arithmetic.js';

/** conv3-64, pool, conv3-128, pool, conv3-256, conv3-256, pool, FC-1024, FC-100 (3×3 convs, padding 1; 2×2 pools). */
export const CNN_TABLE_LAYERS: LayerSpec[] = [
  conv3('conv1', 64),
  pool2('pool1'),
  conv3('conv2', 128),
  pool2('pool2'),
  conv3('conv3', 256),
  conv3('conv4', 256),
  pool2('pool3'),
  fc('fc1', 1024),
  fc('fc2', 100),
];

export const CNN_TABLE_INPUT: [number, number, number] = [112, 112, 3];

export interface CnnTableCounts {
  neurons: number;
  params: number;
  connections: number;
}

/** The expected answers: one row of counts per layer and the column totals. */
export interface CnnTableKey {
  layers: Record<string, CnnTableCounts>;
  totals: CnnTableCounts;
  /** Not asked; kept to recognise answers that leave the biases out. */
  rows: LayerRow[];
}

/** Computes the table from the layer definitions. Input connections do not count the bias. */
export function solveCnnTable(): CnnTableKey {
  const rows = tabulateLayers(CNN_TABLE_INPUT, CNN_TABLE_LAYERS);
  const sum = (f: (r: LayerRow) => number) => rows.reduce((s, r) => s + f(r), 0);
  return {
    layers: Object.fromEntries(rows.map((r) => [r.name, { neurons: r.neurons, params: r.params, connections: r.connections }])),
    totals: { neurons: sum((r) => r.neurons), params: sum((r) => r.params), connections: sum((r) => r.connections) },
    rows,
  };
}
