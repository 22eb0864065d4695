// Answer key for cnn-architectures (assignments.md §3): output shape, parameter count and trainability of three colourisation CNNs.
//
// Questions `<net>_shape`, `<net>_params`, `<net>_trains` for net in pool_upsample_net, conv_transpose_net, unet.
// Inputs (every question): kernel, num_filters, num_colours, num_in_channels — int64 0-d; `_shape` and `_trains`
// also get x, float32 [N, num_in_channels, 32, 32].
// Outputs:
//   _shape   shape          int64 [4]   the output shape of forward(x)
//   _params  param_count    int64 0-d   trainable parameters
//            param_shapes, param_names, layer_names, layer_kinds, layer_shapes, layer_params — the reference
//            architecture for the per-layer feedback table (encodings in graders/compare/param-table.ts)
//   _trains  finite         bool 0-d    forward output and loss are finite
//            all_have_grad  bool 0-d    after backward every trainable tensor has a finite gradient
//            batchnorm_input_nonnegative  bool 0-d  some BatchNorm2d got an input with no negative value (a ReLU
//                                       before it); false for the spec's Conv → (pool) → BN → ReLU blocks
//            grad_ok, param_names, param_shapes — per tensor, for feedback (not graded)
import type { AssignmentReference, Arrays, QuestionReference } from '../../graders/answer-key/types.js';
import { createRng } from '../../graders/answer-key/rng.js';
import { int64, scalar, scalarValue, type NdArray } from '../../graders/npz/ndarray.js';
import { encodeLines, encodeShapes } from '../../graders/compare/param-table.js';
import { NET_IDS, analyse, buildNetwork, type NetConfig, type NetId, type NetVariant } from './networks.js';
import { initParams, trainStep } from './execute.js';
import { LayerShapeError } from './layers.js';

/** Image height and width of every input (the spec fixes 32×32). */
export const IMAGE_SIZE = 32;

const CONFIG_ARGS = { kernel: 'kernel', numFilters: 'num_filters', numColours: 'num_colours', numInChannels: 'num_in_channels' } as const;

function intArg(args: Record<string, unknown>, name: string, fallback?: number): number {
  const value = args[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`args.${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The network configuration from a case's arguments. */
export function configFromArgs(args: Record<string, unknown>): NetConfig {
  return {
    kernel: intArg(args, CONFIG_ARGS.kernel),
    numFilters: intArg(args, CONFIG_ARGS.numFilters),
    numColours: intArg(args, CONFIG_ARGS.numColours),
    numInChannels: intArg(args, CONFIG_ARGS.numInChannels),
  };
}

/** The network configuration from a case's stored inputs. */
export function configFromInputs(inputs: Arrays): NetConfig {
  const read = (name: string) => {
    const a = inputs[name];
    if (!a) throw new Error(`missing input ${name}`);
    return scalarValue(a);
  };
  return {
    kernel: read(CONFIG_ARGS.kernel),
    numFilters: read(CONFIG_ARGS.numFilters),
    numColours: read(CONFIG_ARGS.numColours),
    numInChannels: read(CONFIG_ARGS.numInChannels),
  };
}

function configInputs(config: NetConfig): Arrays {
  return {
    [CONFIG_ARGS.kernel]: scalar(config.kernel, 'int64'),
    [CONFIG_ARGS.numFilters]: scalar(config.numFilters, 'int64'),
    [CONFIG_ARGS.numColours]: scalar(config.numColours, 'int64'),
    [CONFIG_ARGS.numInChannels]: scalar(config.numInChannels, 'int64'),
  };
}

/** Config inputs plus, when `withBatch`, a random batch x [batch, nin, 32, 32] (args.batch, default 4). */
function generator(id: NetId, withBatch: boolean): QuestionReference['generate'] {
  return (args, rng) => {
    const config = configFromArgs(args);
    // Fail at fixture time, with the network named, if a configuration cannot give a valid network.
    analyse(buildNetwork(id, config), [1, config.numInChannels, IMAGE_SIZE, IMAGE_SIZE]);
    if (!withBatch) return configInputs(config);
    const batch = intArg(args, 'batch', 4);
    return { ...configInputs(config), x: rng.randn([batch, config.numInChannels, IMAGE_SIZE, IMAGE_SIZE]) };
  };
}

function inputShape(inputs: Arrays, config: NetConfig): number[] {
  return inputs.x ? [...inputs.x.shape] : [1, config.numInChannels, IMAGE_SIZE, IMAGE_SIZE];
}

/** `shape`: the network's output shape for x, by the architecture calculator. */
function solveShape(id: NetId, variant: NetVariant = {}) {
  return (inputs: Arrays): Arrays => {
    const config = configFromInputs(inputs);
    return { shape: int64(analyse(buildNetwork(id, config, variant), inputShape(inputs, config)).outputShape) };
  };
}

/** `param_count` and the reference architecture (for the feedback table). */
export function solveParams(id: NetId, variant: NetVariant = {}) {
  return (inputs: Arrays): Arrays => {
    const config = configFromInputs(inputs);
    const analysis = analyse(buildNetwork(id, config, variant), [1, config.numInChannels, IMAGE_SIZE, IMAGE_SIZE]);
    return {
      param_count: scalar(analysis.paramCount, 'int64'),
      param_shapes: encodeShapes(analysis.params.map((p) => p.shape)),
      param_names: encodeLines(analysis.params.map((p) => p.name)),
      layer_names: encodeLines(analysis.rows.map((r) => r.name)),
      layer_kinds: encodeLines(analysis.rows.map((r) => r.description)),
      layer_shapes: encodeShapes(analysis.rows.map((r) => r.outputShape.slice(1))),
      layer_params: int64(analysis.rows.map((r) => r.paramCount)),
    };
  };
}

function bool(value: boolean): NdArray {
  return { dtype: 'bool', shape: [], data: Uint8Array.of(value ? 1 : 0) };
}

/** `finite` and `all_have_grad`: one forward and backward pass of the reference in TensorFlow.js. */
function solveTrains(id: NetId, variant: NetVariant = {}) {
  return (inputs: Arrays): Arrays => {
    const config = configFromInputs(inputs);
    const analysis = analyse(buildNetwork(id, config, variant), inputShape(inputs, config));
    // Fixed initial weights: the answer must not depend on anything but the case's inputs.
    const params = initParams(analysis, createRng('cnn-architectures', id, 'init', JSON.stringify(config)));
    const step = trainStep(analysis, params, inputs.x);
    if (step.outputShape.join() !== analysis.outputShape.join()) {
      throw new Error(`${id}: the TensorFlow.js forward gives [${step.outputShape}], the calculator [${analysis.outputShape}]`);
    }
    return {
      finite: bool(step.finite),
      all_have_grad: bool(step.gradOk.length > 0 && step.gradOk.every(Boolean)),
      batchnorm_input_nonnegative: bool(step.batchNormInputNonNegative),
      // Feedback only (graded: false in the manifest): which tensors got a gradient, and which tensors those are.
      grad_ok: { dtype: 'bool', shape: [step.gradOk.length], data: Uint8Array.from(step.gradOk, Number) },
      param_names: encodeLines(analysis.params.map((p) => p.name)),
      param_shapes: encodeShapes(analysis.params.map((p) => p.shape)),
    };
  };
}

/** Known wrong counts and shapes; ids must match the manifest's `mistakes`. */
const MISTAKES: Record<NetId, { shape: Record<string, NetVariant>; params: Record<string, NetVariant> }> = {
  pool_upsample_net: {
    shape: { 'no-padding': { padding: 0 } },
    params: { 'no-bias-before-batchnorm': { noBiasBeforeBatchNorm: true } },
  },
  conv_transpose_net: {
    shape: {
      'no-padding': { padding: 0 },
      'transpose-no-padding': { transposePadding: 0, transposeOutputPadding: 0 },
      'transpose-no-output-padding': { transposeOutputPadding: 0 },
      'encoder-no-padding': { encoderPadding: 0 },
    },
    params: { 'no-bias-before-batchnorm': { noBiasBeforeBatchNorm: true } },
  },
  unet: {
    shape: { 'input-skip-after-final-conv': { inputSkipAfterFinal: true } },
    params: { 'no-bias-before-batchnorm': { noBiasBeforeBatchNorm: true }, 'final-conv-without-input-channels': { noInputSkip: true } },
  },
};

/** A mistake's output `keep`; nothing when that wrong network cannot even run on this configuration (e.g. no padding with k=5). */
function mistakeFns(variants: Record<string, NetVariant>, solve: (variant: NetVariant) => (inputs: Arrays) => Arrays, keep: string) {
  return Object.fromEntries(
    Object.entries(variants).map(([mistake, variant]) => [
      mistake,
      (inputs: Arrays): Arrays => {
        try {
          return { [keep]: solve(variant)(inputs)[keep] };
        } catch (error) {
          if (error instanceof LayerShapeError) return {};
          throw error;
        }
      },
    ]),
  );
}

function questionsFor(id: NetId): Record<string, QuestionReference> {
  return {
    [`${id}_shape`]: {
      generate: generator(id, true),
      solve: solveShape(id),
      mistakes: mistakeFns(MISTAKES[id].shape, (v) => solveShape(id, v), 'shape'),
    },
    [`${id}_params`]: {
      generate: generator(id, false),
      solve: solveParams(id),
      mistakes: {
        ...mistakeFns(MISTAKES[id].params, (v) => solveParams(id, v), 'param_count'),
        // UNet without any skip connection has exactly ConvTransposeNet's parameters.
        ...(id === 'unet' ? { 'no-skip-connections': (inputs: Arrays) => ({ param_count: solveParams('conv_transpose_net')(inputs).param_count }) } : {}),
      },
    },
    [`${id}_trains`]: {
      generate: generator(id, true),
      solve: solveTrains(id),
      mistakes: {
        'parameter-without-gradient': () => ({ finite: bool(true), all_have_grad: bool(false) }),
        // The swapped network run forward: its BatchNorm layers see the ReLU's non-negative outputs.
        'relu-before-batchnorm': (inputs: Arrays) => ({ batchnorm_input_nonnegative: solveTrains(id, { reluBeforeBatchNorm: true })(inputs).batchnorm_input_nonnegative }),
      },
    },
  };
}

export const cnnArchitecturesReference: AssignmentReference = {
  assignment: 'cnn-architectures',
  version: '1',
  questions: Object.assign({}, ...NET_IDS.map(questionsFor)),
};
