// The format of the `written` answers file: one TypeBox section schema per question (JSON Schema for Ajv + TS types).
import { Type, type Static } from '@sinclair/typebox';
import { int, matrix, num, numList, orNull, record, section, text } from '../../graders/answer-key/sections.js';

/** VGG-11 layers (configuration A), in order; the answers name them so. */
export const VGG11_LAYER_IDS = [
  'conv1', 'pool1', 'conv2', 'pool2', 'conv3_1', 'conv3_2', 'pool3', 'conv4_1', 'conv4_2', 'pool4',
  'conv5_1', 'conv5_2', 'pool5', 'fc6', 'fc7', 'fc8',
] as const;

/** The cnn_table layers, in order. */
export const CNN_TABLE_LAYER_IDS = ['conv1', 'pool1', 'conv2', 'pool2', 'conv3', 'conv4', 'pool3', 'fc1', 'fc2'] as const;

/** The backprop parameters, in order. */
export const BACKPROP_PARAM_IDS = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8', 'w9', 'w10', 'b1', 'b2'] as const;

const perceptronUnit = (gate: string) =>
  section({ w: numList('the two weights [w1, w2]'), b: num('the bias') }, `weights and bias of a step unit computing ${gate}`);

/** One schema per question section, keyed by question id. */
export const SECTION_SCHEMAS = {
  conv_as_matrix: section(
    {
      output_size: numList('[rows, columns] of the output Y'),
      A: matrix('the 4×9 matrix with vec(Y) = A vec(X): a list of 4 rows of 9 numbers, vec row-major'),
    },
    '3×3 input X, the kernel W of your variant, stride 4, padding 2, cross-correlation',
  ),
  perceptron: section({ and: perceptronUnit('AND'), or: perceptronUnit('OR') }, 'f(x) = 1 if w·x + b >= 0 else 0'),
  xor: section(
    {
      linear_separable: orNull(Type.Boolean({ description: 'whether XOR is linearly separable' })),
      network: section(
        {
          W1: matrix('hidden weights: a list of h rows [w_j1, w_j2], h <= 4'),
          b1: numList('hidden biases, h numbers'),
          W2: numList('output weights, h numbers'),
          b2: num('output bias'),
        },
        'f(x) = W2 relu(W1 x + b1) + b2, equal to XOR on {0,1}² within 1e-6',
      ),
    },
    'XOR with a linear unit and with a two-layer ReLU network',
  ),
  relu_net: section(
    {
      h: numList('h(x) at your three points, in order'),
      dh_dx: numList('dh/dx at your three points, in order'),
    },
    'h(x) = W3 relu(W2 relu(W1 x + b1) + b2) + b3 at your variant points',
  ),
  backprop: section(
    {
      forward: section(record(['h1', 'h2', 'o1', 'o2'] as const, () => num()), 'hidden and output activations'),
      loss: num('½(o1 − t1)² + ½(o2 − t2)²'),
      gradients: section(record(BACKPROP_PARAM_IDS, () => num()), 'dL/dp for every parameter'),
      updated: section(record(BACKPROP_PARAM_IDS, () => num()), 'every parameter after one SGD step, learning rate 0.01'),
    },
    'the 3-2-2 sigmoid network with your variant input x',
  ),
  vgg11: section(
    {
      layers: section(
        record(VGG11_LAYER_IDS, (id) =>
          section(
            {
              output_shape: numList('[H, W, C] after a conv or pool layer, [units] after a fully connected one'),
              params: int('trainable parameters, biases included'),
            },
            `layer ${id}`,
          ),
        ),
        'one entry per layer of configuration A',
      ),
      total_params: int('total trainable parameters'),
      fc_fraction: num('fraction of the parameters in the fully connected layers'),
    },
    'VGG-11 (configuration A) on a 224×224×3 input, biases included',
  ),
  cnn_table: section(
    {
      layers: section(
        record(CNN_TABLE_LAYER_IDS, (id) =>
          section(
            {
              neurons: int('output values of the layer'),
              params: int('trainable parameters, biases included'),
              connections: int('input connections, summed over the layer’s neurons (bias not counted)'),
            },
            `layer ${id}`,
          ),
        ),
        'one entry per layer',
      ),
      totals: section(
        { neurons: int('sum of the neurons column'), params: int('sum of the params column'), connections: int('sum of the connections column') },
        'column totals',
      ),
    },
    'the CNN on a 112×112×3 input (3×3 convs with padding 1, 2×2 pools)',
  ),
  xor_proof: text('proof that XOR is not linearly separable (graded by staff)'),
  min_norm_proof: text('proof that gradient descent from 0 reaches the minimum-norm solution (graded by staff)'),
} as const;

export type WrittenQuestionId = keyof typeof SECTION_SCHEMAS;
/** Question ids in the order of the answers file. */
export const WRITTEN_QUESTION_IDS = Object.keys(SECTION_SCHEMAS) as WrittenQuestionId[];

/** The answers of one question, once its section is valid. */
export type SectionAnswers<Q extends WrittenQuestionId> = NonNullable<Static<(typeof SECTION_SCHEMAS)[Q]>>;
