// The three colourisation networks of assignments.md §3 as layer lists, and their per-layer shape/parameter table.
import { LayerShapeError, batchNorm2d, concat, conv2d, convTranspose2d, describe, maxPool2d, numel, outputShape, parameters, relu, upsample } from './layers.js';
import type { LayerKind, LayerSpec, ParamSpec, Shape } from './layers.js';

/** The constructor arguments every network takes: `Net(kernel, num_filters, num_colours, num_in_channels)`. */
export interface NetConfig {
  kernel: number;
  numFilters: number;
  numColours: number;
  numInChannels: number;
}

/**
 * Deliberate departures from the specification, used to compute the outputs of known mistakes.
 * The correct network is `{}`.
 */
export interface NetVariant {
  /** Padding of every convolution instead of kernel // 2 (0: "forgot the padding"). */
  padding?: number;
  /** Encoder-decoder nets: padding of the two stride-2 Conv2d layers only. */
  encoderPadding?: number;
  /** Encoder-decoder nets: padding and output_padding of the ConvTranspose2d layers (spec: kernel // 2 and 1). */
  transposePadding?: number;
  transposeOutputPadding?: number;
  /** Convolutions that feed a BatchNorm are built with bias=False. */
  noBiasBeforeBatchNorm?: boolean;
  /** UNet: the network input is concatenated after the final convolution instead of before it. */
  inputSkipAfterFinal?: boolean;
  /** UNet: the network input is not concatenated at all. */
  noInputSkip?: boolean;
  /** Every block applies its ReLU before its BatchNorm instead of after it. */
  reluBeforeBatchNorm?: boolean;
}

export const NET_IDS = ['pool_upsample_net', 'conv_transpose_net', 'unet'] as const;
export type NetId = (typeof NET_IDS)[number];

/** The Python class a student writes for each network. */
export const CLASS_NAMES: Record<NetId, string> = {
  pool_upsample_net: 'PoolUpsampleNet',
  conv_transpose_net: 'ConvTransposeNet',
  unet: 'UNet',
};

/** One layer of a network and where its input comes from (earlier layer names, or the network input "x"). */
export interface NetworkLayer {
  name: string;
  spec: LayerSpec;
  inputs: string[];
}

/** A network as an ordered list of layers; the last layer is the output. */
export interface Network {
  id: NetId;
  config: NetConfig;
  input: string;
  layers: NetworkLayer[];
}

/** One trainable tensor of a network, named as `named_parameters()` would name it. */
export interface NetworkParam extends ParamSpec {
  /** Index of the layer in `Network.layers` that owns it. */
  layer: number;
}

/** One row of the architecture table. */
export interface LayerRow {
  name: string;
  kind: LayerKind;
  /** e.g. "Conv2d(1→32, k=3, s=1, p=1)". */
  description: string;
  inputs: string[];
  outputShape: number[];
  params: NetworkParam[];
  paramCount: number;
}

/** A network's layers with their shapes for one input shape, its parameters in registration order, and totals. */
export interface Analysis {
  network: Network;
  inputShape: number[];
  rows: LayerRow[];
  params: NetworkParam[];
  outputShape: number[];
  paramCount: number;
}

/** Builds a layer list the way an `nn.Sequential` names its children ("layer1.0", "layer1.1", …). */
class NetworkBuilder {
  readonly layers: NetworkLayer[] = [];
  private last: string;

  constructor(readonly input = 'x') {
    this.last = input;
  }

  /** Adds one layer reading `inputs` (by default the previous layer) and returns its name. */
  add(name: string, spec: LayerSpec, inputs: string[] = [this.last]): string {
    if (this.layers.some((l) => l.name === name) || name === this.input) throw new Error(`duplicate layer name ${name}`);
    this.layers.push({ name, spec, inputs });
    this.last = name;
    return name;
  }

  /** Adds a block of layers named `prefix.0`, `prefix.1`, …; the first reads `inputs`. Returns the last name. */
  sequential(prefix: string, specs: LayerSpec[], inputs?: string[]): string {
    specs.forEach((spec, i) => this.add(`${prefix}.${i}`, spec, i === 0 ? inputs : undefined));
    return this.last;
  }
}

/** A block's closing BatchNorm and ReLU, in the spec's order or, for the known mistake, swapped. */
function normAndActivation(channels: number, variant: NetVariant): LayerSpec[] {
  return variant.reluBeforeBatchNorm ? [relu(), batchNorm2d(channels)] : [batchNorm2d(channels), relu()];
}

function checkConfig(config: NetConfig): void {
  for (const [key, value] of Object.entries(config)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${key} must be a positive integer, got ${String(value)}`);
  }
}

/** [Conv(nin→nf) → MaxPool(2) → BN → ReLU] → [Conv(nf→2nf) → MaxPool → BN → ReLU] → [Conv(2nf→nf) → Upsample(×2) → BN → ReLU] → [Conv(nf→nc) → Upsample → BN → ReLU] → Conv(nc→nc). */
export function poolUpsampleNet(config: NetConfig, variant: NetVariant = {}): Network {
  checkConfig(config);
  const { kernel: k, numFilters: nf, numColours: nc, numInChannels: nin } = config;
  const padding = variant.padding ?? Math.floor(k / 2);
  const bias = !variant.noBiasBeforeBatchNorm;
  const b = new NetworkBuilder();
  b.sequential('layer1', [conv2d(nin, nf, k, { padding, bias }), maxPool2d(2), ...normAndActivation(nf, variant)]);
  b.sequential('layer2', [conv2d(nf, 2 * nf, k, { padding, bias }), maxPool2d(2), ...normAndActivation(2 * nf, variant)]);
  b.sequential('layer3', [conv2d(2 * nf, nf, k, { padding, bias }), upsample(2), ...normAndActivation(nf, variant)]);
  b.sequential('layer4', [conv2d(nf, nc, k, { padding, bias }), upsample(2), ...normAndActivation(nc, variant)]);
  b.add('layer5', conv2d(nc, nc, k, { padding }));
  return { id: 'pool_upsample_net', config, input: b.input, layers: b.layers };
}

/** Shared by ConvTransposeNet and UNet: two stride-2 convolutions down, two stride-2 transposed convolutions up, a final convolution. */
function encoderDecoder(id: NetId, config: NetConfig, variant: NetVariant, skips: boolean): Network {
  checkConfig(config);
  const { kernel: k, numFilters: nf, numColours: nc, numInChannels: nin } = config;
  const padding = variant.padding ?? Math.floor(k / 2);
  const bias = !variant.noBiasBeforeBatchNorm;
  const up = { stride: 2, padding: variant.transposePadding ?? padding, outputPadding: variant.transposeOutputPadding ?? 1, bias };
  const down = { stride: 2, padding: variant.encoderPadding ?? padding, bias };
  const b = new NetworkBuilder();
  const down1 = b.sequential('layer1', [conv2d(nin, nf, k, down), ...normAndActivation(nf, variant)]);
  b.sequential('layer2', [conv2d(nf, 2 * nf, k, down), ...normAndActivation(2 * nf, variant)]);
  const up1 = b.sequential('layer3', [convTranspose2d(2 * nf, nf, k, up), ...normAndActivation(nf, variant)]);
  if (!skips) {
    b.sequential('layer4', [convTranspose2d(nf, nc, k, up), ...normAndActivation(nc, variant)]);
    b.add('layer5', conv2d(nc, nc, k, { padding }));
    return { id, config, input: b.input, layers: b.layers };
  }
  // UNet: the first transposed convolution's block output is concatenated with the first block's output …
  const cat1 = b.add('cat1', concat(), [up1, down1]);
  const up2 = b.sequential('layer4', [convTranspose2d(2 * nf, nc, k, up), ...normAndActivation(nc, variant)], [cat1]);
  if (variant.noInputSkip) {
    b.add('layer5', conv2d(nc, nc, k, { padding }));
  } else if (variant.inputSkipAfterFinal) {
    const last = b.add('layer5', conv2d(nc, nc, k, { padding }));
    b.add('cat2', concat(), [last, b.input]);
  } else {
    // … and the second one's with the network input, so the final convolution takes nc + nin channels.
    const cat2 = b.add('cat2', concat(), [up2, b.input]);
    b.add('layer5', conv2d(nc + nin, nc, k, { padding }), [cat2]);
  }
  return { id, config, input: b.input, layers: b.layers };
}

/** [Conv(nin→nf, s2) → BN → ReLU] → [Conv(nf→2nf, s2) → BN → ReLU] → [ConvT(2nf→nf, s2, p, op1) → BN → ReLU] → [ConvT(nf→nc) → BN → ReLU] → Conv(nc→nc). */
export function convTransposeNet(config: NetConfig, variant: NetVariant = {}): Network {
  return encoderDecoder('conv_transpose_net', config, variant, false);
}

/** ConvTransposeNet with skips: cat(layer3, layer1) feeds layer4 (2nf channels), cat(layer4, x) feeds layer5 (nc + nin channels). */
export function unet(config: NetConfig, variant: NetVariant = {}): Network {
  return encoderDecoder('unet', config, variant, true);
}

/** Builds the network with the given id. */
export function buildNetwork(id: NetId, config: NetConfig, variant: NetVariant = {}): Network {
  switch (id) {
    case 'pool_upsample_net':
      return poolUpsampleNet(config, variant);
    case 'conv_transpose_net':
      return convTransposeNet(config, variant);
    case 'unet':
      return unet(config, variant);
  }
}

/** Walks the layers: each layer's output shape and parameters for an input of `inputShape` ([N, nin, H, W]). */
export function analyse(network: Network, inputShape: Shape): Analysis {
  const shapes = new Map<string, number[]>([[network.input, [...inputShape]]]);
  const rows: LayerRow[] = [];
  const params: NetworkParam[] = [];
  network.layers.forEach((layer, index) => {
    const inputShapes = layer.inputs.map((name) => {
      const shape = shapes.get(name);
      if (!shape) throw new Error(`${network.id}: layer ${layer.name} reads ${name}, which is not an earlier layer`);
      return shape;
    });
    let out: number[];
    try {
      out = outputShape(layer.spec, inputShapes);
    } catch (error) {
      if (error instanceof LayerShapeError) throw new LayerShapeError(`${network.id}: layer ${layer.name}: ${error.message}`);
      throw error;
    }
    shapes.set(layer.name, out);
    const own = parameters(layer.spec).map((p) => ({ name: `${layer.name}.${p.name}`, shape: p.shape, layer: index }));
    params.push(...own);
    rows.push({
      name: layer.name,
      kind: layer.spec.kind,
      // A concatenation is described by what it joins, e.g. "cat([layer3.2, layer1.2], dim=1)".
      description: layer.spec.kind === 'Concat' ? `cat([${layer.inputs.join(', ')}], dim=1)` : describe(layer.spec),
      inputs: layer.inputs,
      outputShape: out,
      params: own,
      paramCount: own.reduce((t, p) => t + numel(p.shape), 0),
    });
  });
  const last = rows[rows.length - 1];
  return {
    network,
    inputShape: [...inputShape],
    rows,
    params,
    outputShape: last.outputShape,
    paramCount: params.reduce((t, p) => t + numel(p.shape), 0),
  };
}

/** The architecture table as aligned text: name, kind, output shape, parameters, and a total line. */
export function formatLayerTable(analysis: Analysis): string {
  const header = ['layer', 'kind', 'output shape', 'params'];
  const body = analysis.rows.map((r) => [r.name, r.description, `[${r.outputShape.join(', ')}]`, r.paramCount.toLocaleString('en-US')]);
  body.push(['total', '', `[${analysis.outputShape.join(', ')}]`, analysis.paramCount.toLocaleString('en-US')]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
