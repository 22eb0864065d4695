// Reference for `vgg11`: per-layer output shape and parameter count of VGG-11 (configuration A) on 224×224×3.
import { conv3, fc, pool2, tabulateLayers, type LayerRow, type LayerSpec } from './layer-arithmetic.js';

/** VGG configuration A (Simonyan & Zisserman, Table 1): 8 convolutions, 5 pools, 3 fully connected layers. */
export const VGG11_LAYERS: LayerSpec[] = [
  conv3('conv1', 64),
  pool2('pool1'),
  conv3('conv2', 128),
  pool2('pool2'),
  conv3('conv3_1', 256),
  conv3('conv3_2', 256),
  pool2('pool3'),
  conv3('conv4_1', 512),
  conv3('conv4_2', 512),
  pool2('pool4'),
  conv3('conv5_1', 512),
  conv3('conv5_2', 512),
  pool2('pool5'),
  fc('fc6', 4096),
  fc('fc7', 4096),
  fc('fc8', 1000),
];

export const VGG11_INPUT: [number, number, number] = [224, 224, 3];

/** The expected answers: per layer output shape [H, W, C] (or [units]) and parameters, the total, the FC share. */
export interface Vgg11Key {
  layers: Record<string, { output_shape: number[]; params: number }>;
  total_params: number;
  fc_fraction: number;
  /** Not asked; kept to recognise answers that leave the biases out. */
  rows: LayerRow[];
}

/** Computes the VGG-11 table from the layer definitions. */
export function solveVgg11(): Vgg11Key {
  const rows = tabulateLayers(VGG11_INPUT, VGG11_LAYERS);
  const total = rows.reduce((s, r) => s + r.params, 0);
  const fcParams = rows.filter((r) => r.kind === 'fc').reduce((s, r) => s + r.params, 0);
  return {
    layers: Object.fromEntries(rows.map((r) => [r.name, { output_shape: r.outputShape, params: r.params }])),
    total_params: total,
    fc_fraction: fcParams / total,
    rows,
  };
}
