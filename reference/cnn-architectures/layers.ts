// Architecture calculator: output shape and trainable parameters of each PyTorch layer kind, by PyTorch's formulas.

/** A tensor shape including the batch dimension, e.g. [N, C, H, W] for images or [N, F] for features. */
export type Shape = readonly number[];

/** A 2-d convolution, as `nn.Conv2d(inChannels, outChannels, kernel, stride, padding, dilation, bias=bias)`. */
export interface Conv2dSpec {
  kind: 'Conv2d';
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  padding: number;
  dilation: number;
  bias: boolean;
}

/** A transposed convolution, as `nn.ConvTranspose2d(in, out, kernel, stride, padding, output_padding, bias=bias, dilation=dilation)`. */
export interface ConvTranspose2dSpec {
  kind: 'ConvTranspose2d';
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  padding: number;
  outputPadding: number;
  dilation: number;
  bias: boolean;
}

/** `nn.BatchNorm2d(numFeatures, affine=affine)`: a trainable scale and shift per channel; running statistics are buffers. */
export interface BatchNorm2dSpec {
  kind: 'BatchNorm2d';
  numFeatures: number;
  affine: boolean;
}

/** `nn.MaxPool2d(kernel, stride, padding)` with dilation 1 and floor rounding (PyTorch's defaults). */
export interface MaxPool2dSpec {
  kind: 'MaxPool2d';
  kernel: number;
  stride: number;
  padding: number;
}

/** `nn.Upsample(scale_factor=scale)`, nearest neighbour (PyTorch's default mode). */
export interface UpsampleSpec {
  kind: 'Upsample';
  scale: number;
}

/** `nn.ReLU()`. */
export interface ReluSpec {
  kind: 'ReLU';
}

/** `nn.Linear(inFeatures, outFeatures, bias=bias)`, applied to the last dimension. */
export interface LinearSpec {
  kind: 'Linear';
  inFeatures: number;
  outFeatures: number;
  bias: boolean;
}

/** `torch.cat(inputs, dim=1)`: channels of several tensors whose other dimensions agree. */
export interface ConcatSpec {
  kind: 'Concat';
}

export type LayerSpec =
  | Conv2dSpec
  | ConvTranspose2dSpec
  | BatchNorm2dSpec
  | MaxPool2dSpec
  | UpsampleSpec
  | ReluSpec
  | LinearSpec
  | ConcatSpec;

export type LayerKind = LayerSpec['kind'];

/** One trainable tensor of a layer, named as PyTorch names it within the layer ("weight", "bias"). */
export interface ParamSpec {
  name: string;
  shape: number[];
}

/** A layer's shapes do not fit: the message names the layer kind and both values. */
export class LayerShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LayerShapeError';
  }
}

/** nn.Conv2d with PyTorch's defaults (stride 1, padding 0, dilation 1, bias). */
export function conv2d(inChannels: number, outChannels: number, kernel: number, options: Partial<Omit<Conv2dSpec, 'kind' | 'inChannels' | 'outChannels' | 'kernel'>> = {}): Conv2dSpec {
  return { kind: 'Conv2d', inChannels, outChannels, kernel, stride: 1, padding: 0, dilation: 1, bias: true, ...options };
}

/** nn.ConvTranspose2d with PyTorch's defaults (stride 1, padding 0, output_padding 0, dilation 1, bias). */
export function convTranspose2d(
  inChannels: number,
  outChannels: number,
  kernel: number,
  options: Partial<Omit<ConvTranspose2dSpec, 'kind' | 'inChannels' | 'outChannels' | 'kernel'>> = {},
): ConvTranspose2dSpec {
  return { kind: 'ConvTranspose2d', inChannels, outChannels, kernel, stride: 1, padding: 0, outputPadding: 0, dilation: 1, bias: true, ...options };
}

/** nn.BatchNorm2d(numFeatures) (affine). */
export function batchNorm2d(numFeatures: number, affine = true): BatchNorm2dSpec {
  return { kind: 'BatchNorm2d', numFeatures, affine };
}

/** nn.MaxPool2d(kernel) — the stride defaults to the kernel size, as in PyTorch. */
export function maxPool2d(kernel: number, stride = kernel, padding = 0): MaxPool2dSpec {
  return { kind: 'MaxPool2d', kernel, stride, padding };
}

/** nn.Upsample(scale_factor=scale), nearest. */
export function upsample(scale: number): UpsampleSpec {
  return { kind: 'Upsample', scale };
}

/** nn.ReLU(). */
export function relu(): ReluSpec {
  return { kind: 'ReLU' };
}

/** nn.Linear(inFeatures, outFeatures). */
export function linear(inFeatures: number, outFeatures: number, bias = true): LinearSpec {
  return { kind: 'Linear', inFeatures, outFeatures, bias };
}

/** torch.cat(…, dim=1). */
export function concat(): ConcatSpec {
  return { kind: 'Concat' };
}

const fmt = (shape: Shape): string => `[${shape.join(', ')}]`;

function requireImage(kind: string, input: Shape): void {
  if (input.length !== 4) throw new LayerShapeError(`${kind} expects an [N, C, H, W] input, got ${fmt(input)}`);
}

function requireChannels(kind: string, input: Shape, channels: number): void {
  if (input[1] !== channels) throw new LayerShapeError(`${kind} expects ${channels} input channels, got ${input[1]} (input ${fmt(input)})`);
}

/** floor((size + 2p - d(k-1) - 1) / s) + 1: Conv2d's and MaxPool2d's output size along one dimension. */
export function convOutputSize(size: number, kernel: number, stride: number, padding: number, dilation = 1): number {
  return Math.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** (size - 1)s - 2p + d(k-1) + output_padding + 1: ConvTranspose2d's output size along one dimension. */
export function convTransposeOutputSize(size: number, kernel: number, stride: number, padding: number, outputPadding: number, dilation = 1): number {
  return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1;
}

function positive(kind: string, input: Shape, out: number[]): number[] {
  if (out.some((d) => d <= 0)) throw new LayerShapeError(`${kind} on input ${fmt(input)} gives an empty output ${fmt(out)}`);
  return out;
}

/** The layer's output shape for the given input shapes (one input, or several for Concat), by PyTorch's formulas. */
export function outputShape(spec: LayerSpec, inputs: readonly Shape[]): number[] {
  if (spec.kind !== 'Concat' && inputs.length !== 1) throw new LayerShapeError(`${spec.kind} takes one input, got ${inputs.length}`);
  const input = inputs[0];
  switch (spec.kind) {
    case 'Conv2d': {
      requireImage('Conv2d', input);
      requireChannels('Conv2d', input, spec.inChannels);
      const size = (d: number) => convOutputSize(d, spec.kernel, spec.stride, spec.padding, spec.dilation);
      return positive('Conv2d', input, [input[0], spec.outChannels, size(input[2]), size(input[3])]);
    }
    case 'ConvTranspose2d': {
      requireImage('ConvTranspose2d', input);
      requireChannels('ConvTranspose2d', input, spec.inChannels);
      // PyTorch refuses output_padding >= max(stride, dilation): it would add rows no input reaches.
      if (spec.outputPadding >= Math.max(spec.stride, spec.dilation)) {
        throw new LayerShapeError(`ConvTranspose2d output_padding ${spec.outputPadding} must be smaller than stride ${spec.stride} or dilation ${spec.dilation}`);
      }
      const size = (d: number) => convTransposeOutputSize(d, spec.kernel, spec.stride, spec.padding, spec.outputPadding, spec.dilation);
      return positive('ConvTranspose2d', input, [input[0], spec.outChannels, size(input[2]), size(input[3])]);
    }
    case 'BatchNorm2d':
      requireImage('BatchNorm2d', input);
      requireChannels('BatchNorm2d', input, spec.numFeatures);
      return [...input];
    case 'MaxPool2d': {
      requireImage('MaxPool2d', input);
      // PyTorch: "pad should be at most half of effective kernel size".
      if (2 * spec.padding > spec.kernel) throw new LayerShapeError(`MaxPool2d padding ${spec.padding} is more than half the kernel ${spec.kernel}`);
      const size = (d: number) => convOutputSize(d, spec.kernel, spec.stride, spec.padding);
      return positive('MaxPool2d', input, [input[0], input[1], size(input[2]), size(input[3])]);
    }
    case 'Upsample':
      requireImage('Upsample', input);
      return [input[0], input[1], Math.floor(input[2] * spec.scale), Math.floor(input[3] * spec.scale)];
    case 'ReLU':
      return [...input];
    case 'Linear': {
      const features = input[input.length - 1];
      if (features !== spec.inFeatures) throw new LayerShapeError(`Linear expects ${spec.inFeatures} input features, got ${features} (input ${fmt(input)})`);
      return [...input.slice(0, -1), spec.outFeatures];
    }
    case 'Concat': {
      if (inputs.length < 1) throw new LayerShapeError('Concat needs at least one input');
      const first = inputs[0];
      for (const other of inputs.slice(1)) {
        const agrees = other.length === first.length && other.every((d, i) => i === 1 || d === first[i]);
        if (!agrees) throw new LayerShapeError(`Concat along channels needs equal N, H, W; got ${inputs.map(fmt).join(' and ')}`);
      }
      return [first[0], inputs.reduce((c, s) => c + s[1], 0), ...first.slice(2)];
    }
  }
}

/** The layer's trainable tensors in the order PyTorch registers them (weight, then bias). */
export function parameters(spec: LayerSpec): ParamSpec[] {
  const withBias = (weight: number[], bias: boolean, out: number): ParamSpec[] =>
    bias ? [{ name: 'weight', shape: weight }, { name: 'bias', shape: [out] }] : [{ name: 'weight', shape: weight }];
  switch (spec.kind) {
    case 'Conv2d':
      return withBias([spec.outChannels, spec.inChannels, spec.kernel, spec.kernel], spec.bias, spec.outChannels);
    case 'ConvTranspose2d':
      // PyTorch stores a transposed convolution's weight as [in, out, k, k].
      return withBias([spec.inChannels, spec.outChannels, spec.kernel, spec.kernel], spec.bias, spec.outChannels);
    case 'BatchNorm2d':
      return spec.affine ? [{ name: 'weight', shape: [spec.numFeatures] }, { name: 'bias', shape: [spec.numFeatures] }] : [];
    case 'Linear':
      return withBias([spec.outFeatures, spec.inFeatures], spec.bias, spec.outFeatures);
    case 'MaxPool2d':
    case 'Upsample':
    case 'ReLU':
    case 'Concat':
      return [];
  }
}

/** Number of elements of a shape. */
export function numel(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The layer's number of trainable parameters (what `sum(p.numel() for p in layer.parameters())` prints). */
export function paramCount(spec: LayerSpec): number {
  return parameters(spec).reduce((total, p) => total + numel(p.shape), 0);
}

/** A short PyTorch-like description, e.g. "ConvTranspose2d(64→32, k=3, s=2, p=1, op=1)". */
export function describe(spec: LayerSpec): string {
  switch (spec.kind) {
    case 'Conv2d':
      return `Conv2d(${spec.inChannels}→${spec.outChannels}, k=${spec.kernel}, s=${spec.stride}, p=${spec.padding}${spec.dilation !== 1 ? `, d=${spec.dilation}` : ''}${spec.bias ? '' : ', no bias'})`;
    case 'ConvTranspose2d':
      return `ConvTranspose2d(${spec.inChannels}→${spec.outChannels}, k=${spec.kernel}, s=${spec.stride}, p=${spec.padding}, op=${spec.outputPadding}${spec.dilation !== 1 ? `, d=${spec.dilation}` : ''}${spec.bias ? '' : ', no bias'})`;
    case 'BatchNorm2d':
      return `BatchNorm2d(${spec.numFeatures}${spec.affine ? '' : ', affine=False'})`;
    case 'MaxPool2d':
      return `MaxPool2d(${spec.kernel}${spec.stride !== spec.kernel ? `, s=${spec.stride}` : ''}${spec.padding ? `, p=${spec.padding}` : ''})`;
    case 'Upsample':
      return `Upsample(×${spec.scale})`;
    case 'ReLU':
      return 'ReLU';
    case 'Linear':
      return `Linear(${spec.inFeatures}→${spec.outFeatures}${spec.bias ? '' : ', no bias'})`;
    case 'Concat':
      return 'cat(dim=1)';
  }
}
