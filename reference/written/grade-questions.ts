// The cells of each written question: what is compared, how, and which known mistakes are recognised.
import { createRng } from '../../graders/answer-key/rng.js';
import type { AnswersQuestionContext, QuestionCells } from '../../graders/answer-key/answers-key.js';
import type { WrittenVariant } from './variant.js';
import type { SectionAnswers, WrittenQuestionId } from './schema.js';
import { BACKPROP_PARAM_IDS, CNN_TABLE_LAYER_IDS, VGG11_LAYER_IDS } from './schema.js';
import {
  NOT_ANSWERED,
  booleanCell,
  formatList,
  integerCell,
  integerListCell,
  matrixProblem,
  numberCell,
  numbersClose,
  type AnswerCell,
  type KnownMistake,
  type NumberTolerance,
} from '../../graders/answers/cells.js';
import { CONV_SETTING, convAsMatrixMistakes, crossCorrelate2d } from './conv-as-matrix.js';
import { BINARY_INPUTS, stepUnit, truthTable, type Gate } from './perceptron.js';
import { XOR_MAX_HIDDEN, XOR_TOLERANCE, evaluateTwoLayer } from './xor.js';
import { BACKPROP_SETTING, backpropMistakes, type BackpropParam as BackpropParamId } from './backprop.js';
import type { WrittenKey } from './solve.js';

/** What a question's grader gets: its section, the key for the variant, the variant and its tolerance. */
export type QuestionContext<Q extends WrittenQuestionId> = AnswersQuestionContext<SectionAnswers<Q>, WrittenKey, WrittenVariant>;

/** How many random inputs the conv_as_matrix property is checked on. */
export const CONV_PROPERTY_SAMPLES = 5;

/** conv_as_matrix: the output size exactly (1 share), and A by property: A vec(X) = vec(X ⋆ W) for random X (2 shares). */
export function gradeConvAsMatrix(ctx: QuestionContext<'conv_as_matrix'>): QuestionCells {
  const { answers, variant } = ctx;
  const key = ctx.key.conv_as_matrix;
  const messages: string[] = [];
  const size = integerListCell('conv_as_matrix.output_size', key.output_size, answers.output_size, { weight: 1 });
  const n = CONV_SETTING.inputSize;
  const outputs = key.output_size[0] * key.output_size[1];
  const property = `A vec(X) = vec(W ⋆ X) (stride ${CONV_SETTING.stride}, padding ${CONV_SETTING.padding}, vec row-major) for ${CONV_PROPERTY_SAMPLES} random ${n}×${n} inputs X`;
  const A = answers.A;
  const cell: AnswerCell = { path: 'conv_as_matrix.A', expected: property, actual: A ?? null, pass: false, weight: 2 };
  if (A === null || A === undefined) {
    cell.message = NOT_ANSWERED;
  } else {
    const problem = matrixProblem(A, outputs, n * n, 'A');
    if (problem) {
      cell.message = `${problem} (one row per output pixel, one column per input pixel)`;
    } else {
      // Integer inputs keep the products exact, and a counterexample is easy to read.
      const rng = createRng('written', 'conv_as_matrix', variant.studentId ?? 'canonical');
      const tol: NumberTolerance = { mode: 'allclose', rtol: 1e-6, atol: 1e-6 };
      for (let s = 0; s < CONV_PROPERTY_SAMPLES && !cell.message; s++) {
        const X = Array.from({ length: n }, () => Array.from({ length: n }, () => rng.int(-3, 4)));
        const want = crossCorrelate2d(X, key.W, CONV_SETTING.stride, CONV_SETTING.padding).flat();
        const got = A.map((row) => row.reduce((acc, a, c) => acc + a * X[Math.floor(c / n)][c % n], 0));
        if (got.some((g, i) => !numbersClose(g, want[i], tol))) {
          cell.message = `for X = ${JSON.stringify(X)}, A vec(X) = ${formatList(got)} but the convolution gives ${formatList(want)}`;
        }
      }
      cell.pass = !cell.message;
      if (!cell.pass) {
        const hint = recognise(A, convAsMatrixMistakes, variant, {
          'flipped-kernel': 'your A computes a convolution with the kernel flipped; PyTorch’s conv2d is a cross-correlation (no flip)',
          'column-major': 'your A uses column-major vec; vec(X) and vec(Y) here are row-major (row by row)',
        });
        if (hint) {
          cell.message = `${cell.message} — ${hint}`;
          messages.push(hint);
        }
      }
    }
  }
  return { cells: [size, cell], messages };
}

function recognise(
  A: number[][],
  mistakes: Record<string, (v: WrittenVariant) => number[][]>,
  variant: WrittenVariant,
  explanations: Record<string, string>,
): string | undefined {
  for (const [id, wrong] of Object.entries(mistakes)) {
    const M = wrong(variant);
    if (M.length === A.length && M.every((row, r) => row.length === A[r].length && row.every((v, c) => Math.abs(v - A[r][c]) <= 1e-6))) {
      return explanations[id];
    }
  }
  return undefined;
}

/** perceptron: AND and OR, each passing when the step unit reproduces the truth table on all four inputs. */
export function gradePerceptron(ctx: QuestionContext<'perceptron'>): QuestionCells {
  const cells = (['and', 'or'] as const).map((gate) => perceptronCell(gate, ctx.answers[gate]));
  return { cells, messages: [] };
}

function perceptronCell(gate: Gate, unit: { w?: (number | null)[] | null; b?: number | null } | null | undefined): AnswerCell {
  const path = `perceptron.${gate}`;
  const name = gate.toUpperCase();
  const expected = `f(x) = ${name}(x1, x2) on all four inputs in {0,1}²`;
  const cell: AnswerCell = { path, expected, actual: unit ?? null, pass: false, weight: 1 };
  const w = unit?.w;
  const b = unit?.b;
  if ((w === null || w === undefined || w.every((v) => v === null)) && (b === null || b === undefined)) {
    cell.actual = null;
    cell.message = NOT_ANSWERED;
    return cell;
  }
  if (!w || w.length !== 2 || w.some((v) => v === null)) {
    cell.message = `w must be two numbers [w1, w2], got ${JSON.stringify(w ?? null)}`;
    return cell;
  }
  if (b === null || b === undefined) {
    cell.message = 'b is not answered';
    return cell;
  }
  const weights = w as number[];
  const table = truthTable(gate);
  const wrong = BINARY_INPUTS.flatMap((x, i) => {
    const f = stepUnit(weights, b, x);
    const sum = weights[0] * x[0] + weights[1] * x[1] + b;
    return f === table[i] ? [] : [`at x = (${x.join(', ')}) w·x + b = ${Math.round(sum * 1e9) / 1e9} so f = ${f}, but ${name} = ${table[i]}`];
  });
  cell.pass = wrong.length === 0;
  if (!cell.pass) cell.message = wrong.join('; ');
  return cell;
}

/** xor: linear_separable (1 share) and a two-layer ReLU network equal to XOR within 1e-6 (3 shares). */
export function gradeXor(ctx: QuestionContext<'xor'>): QuestionCells {
  const { answers, key } = ctx;
  const separable = booleanCell('xor.linear_separable', key.xor.linear_separable, answers.linear_separable, 1);
  if (separable.actual === true) separable.message = 'XOR is not linearly separable: no line puts (0,1) and (1,0) on one side and (0,0) and (1,1) on the other';
  const net = answers.network;
  const expected = `f(x) = W2 relu(W1 x + b1) + b2 equals XOR on {0,1}² within ${XOR_TOLERANCE}, hidden width ≤ ${XOR_MAX_HIDDEN}`;
  const cell: AnswerCell = { path: 'xor.network', expected, actual: net ?? null, pass: false, weight: 3 };
  const empty = !net || [net.W1, net.b1, net.W2, net.b2].every((v) => v === null || v === undefined);
  if (empty) {
    cell.actual = null;
    cell.message = NOT_ANSWERED;
    return { cells: [separable, cell], messages: [] };
  }
  const h = Array.isArray(net.W1) ? net.W1.length : 0;
  const problem =
    (h > XOR_MAX_HIDDEN ? `the hidden layer may have at most ${XOR_MAX_HIDDEN} units, W1 has ${h} rows` : undefined) ??
    matrixProblem(net.W1, Math.max(h, 1), 2, 'W1') ??
    (!Array.isArray(net.b1) || net.b1.length !== h || net.b1.some((v) => v === null) ? `b1 must be ${h} numbers (one per row of W1)` : undefined) ??
    (!Array.isArray(net.W2) || net.W2.length !== h || net.W2.some((v) => v === null) ? `W2 must be ${h} numbers (one per hidden unit)` : undefined) ??
    (typeof net.b2 !== 'number' ? 'b2 must be a number' : undefined);
  if (problem) {
    cell.message = problem;
    return { cells: [separable, cell], messages: [] };
  }
  const model = { W1: net.W1 as number[][], b1: net.b1 as number[], W2: net.W2 as number[], b2: net.b2 as number };
  const table = truthTable('xor');
  const wrong = BINARY_INPUTS.flatMap((x, i) => {
    const f = evaluateTwoLayer(model, x);
    return Number.isFinite(f) && Math.abs(f - table[i]) <= XOR_TOLERANCE ? [] : [`f(${x.join(', ')}) = ${Math.round(f * 1e9) / 1e9}, XOR = ${table[i]}`];
  });
  cell.pass = wrong.length === 0;
  if (!cell.pass) cell.message = wrong.join('; ');
  return { cells: [separable, cell], messages: [] };
}

/** relu_net: h and dh/dx at each variant point, one share each. */
export function gradeReluNet(ctx: QuestionContext<'relu_net'>): QuestionCells {
  const { answers, key, tolerance } = ctx;
  const cells: AnswerCell[] = [];
  for (const name of ['h', 'dh_dx'] as const) {
    const given = answers[name];
    key.relu_net.points.forEach((x, i) => {
      cells.push(numberCell(`relu_net.${name}[${i}]`, key.relu_net[name][i], given?.[i], tolerance, { context: `at x = ${x}` }));
    });
  }
  return { cells, messages: [] };
}

/**
 * backprop: 4 activations, the loss, 12 gradients and 12 updated parameters, one share each (rtol from the manifest).
 * An updated parameter is graded on its step p_old − p_new against lr·dL/dp (rtol 1e-2, an absolute floor of a hundredth
 * of the smallest step): graded on the value, a hundred times the step would fit in the tolerance, and the initial
 * weights would pass.
 */
export function gradeBackprop(ctx: QuestionContext<'backprop'>): QuestionCells {
  const { answers, key, tolerance, variant } = ctx;
  const bp = key.backprop;
  const wrongKeys = Object.entries(backpropMistakes).map(([id, m]) => ({ id, message: m.message, key: m.solve(variant) }));
  const cells: AnswerCell[] = [];
  for (const name of ['h1', 'h2', 'o1', 'o2'] as const) {
    cells.push(numberCell(`backprop.forward.${name}`, bp.forward[name], answers.forward?.[name], tolerance));
  }
  cells.push(numberCell('backprop.loss', bp.loss, answers.loss, tolerance));
  const messages = new Set<string>();
  const gradientCells: Record<string, AnswerCell> = {};
  for (const p of BACKPROP_PARAM_IDS) {
    const mistakes: KnownMistake[] = wrongKeys.filter((w) => !numbersClose(w.key.gradients[p], bp.gradients[p], tolerance)).map((w) => ({ value: w.key.gradients[p], message: w.message }));
    const cell = numberCell(`backprop.gradients.${p}`, bp.gradients[p], answers.gradients?.[p], tolerance, { mistakes });
    if (!cell.pass && mistakes.some((m) => m.message === cell.message)) messages.add(cell.message!);
    gradientCells[p] = cell;
    cells.push(cell);
  }
  for (const message of namePathRatios(gradientCells, bp.gradients)) messages.add(message);

  const { params: initial, learningRate } = BACKPROP_SETTING;
  const step = (p: BackpropParamId) => learningRate * bp.gradients[p];
  // A hundredth of the smallest step (the spec allows up to a tenth): wider, a step 2% off would pass next to it.
  const floor = Math.min(...BACKPROP_PARAM_IDS.map((p) => Math.abs(step(p))).filter((s) => s > 0)) / 100;
  const stepTolerance: NumberTolerance = { mode: 'allclose', rtol: 1e-2, atol: floor };
  for (const p of BACKPROP_PARAM_IDS) {
    const given = answers.updated?.[p];
    const mistakes: KnownMistake[] = [
      { value: 0, message: `this is the initial value of ${p}: the update is ${p} − ${learningRate}·dL/d${p}` },
      { value: -step(p), message: `your step has the wrong sign: SGD moves against the gradient, ${p} − ${learningRate}·dL/d${p}` },
      ...wrongKeys.filter((w) => !numbersClose(learningRate * w.key.gradients[p], step(p), stepTolerance)).map((w) => ({ value: learningRate * w.key.gradients[p], message: w.message })),
    ];
    const stepGiven = given === null || given === undefined ? given : initial[p] - given;
    const cell = numberCell(`backprop.updated.${p}`, step(p), stepGiven, stepTolerance, { mistakes });
    if (!cell.pass && cell.message !== NOT_ANSWERED && !mistakes.some((m) => m.message === cell.message)) {
      cell.message = `your step ${p}_old − ${p}_new = ${initial[p]} − ${given} is not ${learningRate}·dL/d${p} (within 1%)`;
    }
    if (!cell.pass && wrongKeys.some((w) => w.message === cell.message)) messages.add(cell.message!);
    cells.push({ ...cell, expected: bp.updated[p], actual: given ?? null });
  }
  return { cells, messages: [...messages] };
}

/** The gradients that share one delta: a unit's incoming weights (and nothing else). */
const DELTA_PATHS: { unit: string; params: BackpropParamId[]; formula: string }[] = [
  { unit: 'h1', params: ['w1', 'w3', 'w5'], formula: 'δ_h1 = h1(1 − h1)·(w7·δ_o1 + w8·δ_o2)' },
  { unit: 'h2', params: ['w2', 'w4', 'w6'], formula: 'δ_h2 = h2(1 − h2)·(w9·δ_o1 + w10·δ_o2)' },
  { unit: 'o1', params: ['w7', 'w9'], formula: 'δ_o1 = (o1 − t1)·o1(1 − o1)' },
  { unit: 'o2', params: ['w8', 'w10'], formula: 'δ_o2 = (o2 − t2)·o2(1 − o2)' },
];

/**
 * Names a whole path off by one common ratio (a wrong delta) or by a power of ten (a decimal slip) on the cells
 * that no known mistake explained; returns the question-level messages.
 */
function namePathRatios(cells: Record<string, AnswerCell>, expected: Record<BackpropParamId, number>): string[] {
  const found: string[] = [];
  for (const path of DELTA_PATHS) {
    const group = path.params.map((p) => cells[p]);
    if (group.some((c) => c.pass || typeof c.actual !== 'number' || !c.message?.includes('is not the expected value'))) continue;
    const ratios = path.params.map((p) => (cells[p].actual as number) / expected[p]);
    if (!ratios.every((r) => Number.isFinite(r) && r !== 0 && Math.abs(r - ratios[0]) <= 1e-2 * Math.abs(ratios[0]))) continue;
    const r = ratios[0];
    const power = Math.round(Math.log10(Math.abs(r)));
    const slip = power !== 0 && Math.abs(Math.abs(r) / 10 ** power - 1) <= 1e-2;
    const names = path.params.map((p) => `dL/d${p}`).join(', ');
    const message = slip
      ? `${names} are ${r > 0 ? '' : '−'}${10 ** power} times the expected values: a decimal point slipped by ${Math.abs(power)} place${Math.abs(power) === 1 ? '' : 's'}`
      : `${names} are all the expected values times ${Number(r.toPrecision(3))}: they share δ_${path.unit}, so δ_${path.unit} is off (${path.formula})`;
    for (const c of group) c.message = message;
    found.push(message);
  }
  return found;
}

const WITHOUT_BIASES = 'this is the count without the biases: add one bias per output channel / unit';

/** vgg11: every layer's output shape and parameter count, the total and the FC fraction, one share each. */
export function gradeVgg11(ctx: QuestionContext<'vgg11'>): QuestionCells {
  const { answers, key, tolerance } = ctx;
  const cells: AnswerCell[] = [];
  let withoutBiases = 0;
  for (const id of VGG11_LAYER_IDS) {
    const want = key.vgg11.layers[id];
    const row = key.vgg11.rows.find((r) => r.name === id)!;
    const given = answers.layers?.[id];
    const shapeMistakes: KnownMistake[] =
      want.output_shape.length === 3
        ? [{ value: [want.output_shape[2], want.output_shape[0], want.output_shape[1]], message: 'write shapes as [H, W, C] (height, width, channels), not [C, H, W]' }]
        : [];
    cells.push(integerListCell(`vgg11.layers.${id}.output_shape`, want.output_shape, given?.output_shape, { mistakes: shapeMistakes }));
    const paramMistakes = row.weightsOnly !== row.params ? [{ value: row.weightsOnly, message: WITHOUT_BIASES }] : [];
    const cell = integerCell(`vgg11.layers.${id}.params`, want.params, given?.params, { mistakes: paramMistakes });
    if (cell.message === WITHOUT_BIASES) withoutBiases++;
    cells.push(cell);
  }
  const weightsOnlyTotal = key.vgg11.rows.reduce((s, r) => s + r.weightsOnly, 0);
  cells.push(integerCell('vgg11.total_params', key.vgg11.total_params, answers.total_params, { mistakes: [{ value: weightsOnlyTotal, message: WITHOUT_BIASES }] }));
  cells.push(numberCell('vgg11.fc_fraction', key.vgg11.fc_fraction, answers.fc_fraction, tolerance));
  const messages = withoutBiases > 1 ? [`${withoutBiases} layers are counted without their biases (the question asks for biases included)`] : [];
  return { cells, messages };
}

/** cnn_table: every layer's neurons, parameters and input connections, and the three totals, one share each. */
export function gradeCnnTable(ctx: QuestionContext<'cnn_table'>): QuestionCells {
  const { answers, key } = ctx;
  const cells: AnswerCell[] = [];
  for (const id of CNN_TABLE_LAYER_IDS) {
    const want = key.cnn_table.layers[id];
    const row = key.cnn_table.rows.find((r) => r.name === id)!;
    const given = answers.layers?.[id];
    cells.push(integerCell(`cnn_table.layers.${id}.neurons`, want.neurons, given?.neurons));
    const paramMistakes = row.weightsOnly !== row.params ? [{ value: row.weightsOnly, message: WITHOUT_BIASES }] : [];
    cells.push(integerCell(`cnn_table.layers.${id}.params`, want.params, given?.params, { mistakes: paramMistakes }));
    const connectionMistakes = row.params > 0 ? [{ value: row.connections + row.neurons, message: 'input connections do not count the bias' }] : [];
    cells.push(integerCell(`cnn_table.layers.${id}.connections`, want.connections, given?.connections, { mistakes: connectionMistakes }));
  }
  for (const column of ['neurons', 'params', 'connections'] as const) {
    cells.push(integerCell(`cnn_table.totals.${column}`, key.cnn_table.totals[column], answers.totals?.[column]));
  }
  return { cells, messages: [] };
}
