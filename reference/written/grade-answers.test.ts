import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAssignment } from '../../graders/manifest/load-manifest.js';
import { parseAnswers, type LoadedAnswers } from '../../graders/answers/load-answers.js';
import { variantFor } from './variant.js';
import {
  DEFAULT_ANSWERS_COMPARE,
  gradeAnswers,
  gradeUnreadable,
  type GradeAnswersOptions,
  type QuestionGrade,
} from '../../graders/answers/grade-answers.js';
import { writtenKey } from './index.js';
import { answersQuestionConfigs } from '../../graders/answers/grade-submission.js';
import type { WrittenVariant } from './variant.js';
import { answersFromKey } from './answers-from-key.js';
import { solveWritten } from './index.js';

const root = path.resolve(import.meta.dirname, '../..');
const writtenAssignment = await loadAssignment(path.join(root, 'assignments/written'));
/** The manifest's questions that the key grades, with their points and tolerances. */
const WRITTEN_QUESTIONS = answersQuestionConfigs(writtenAssignment, writtenKey);

/** Grades with the written key and the manifest's points unless told otherwise. */
const gradeWritten = (answers: LoadedAnswers, variant: WrittenVariant, options: Partial<GradeAnswersOptions> = {}) =>
  gradeAnswers(writtenKey, answers, variant, { questions: WRITTEN_QUESTIONS, ...options });
const QUESTION_KINDS = Object.fromEntries(Object.entries(writtenKey.questions).map(([id, q]) => [id, q.kind]));

const examplesDir = path.join(root, 'examples/written');

function fromObject(answers: Record<string, unknown>): LoadedAnswers {
  return parseAnswers(writtenKey, JSON.stringify(answers), 'answers.json');
}

function grade(answers: Record<string, unknown>, studentId?: string): Record<string, QuestionGrade> {
  const graded = gradeWritten(fromObject(answers), variantFor(studentId));
  return Object.fromEntries(graded.map((g) => [g.id, g]));
}

const canonical = answersFromKey(variantFor(undefined));

describe('gradeAnswers on the examples', () => {
  const examples = readdirSync(examplesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

  it('has the examples the assignment promises', () => {
    expect(examples.sort()).toEqual(['and-fails-one-row', 'backprop-wrong-output-grad', 'correct', 'malformed', 'vgg-no-biases']);
  });

  it.each(examples)('%s loses exactly the questions expected.json names', (name) => {
    const expected = JSON.parse(readFileSync(path.join(examplesDir, name, 'expected.json'), 'utf8'));
    const file = path.join(examplesDir, name, 'answers.yaml');
    const answers = parseAnswers(writtenKey, readFileSync(file, 'utf8'), `${name}/answers.yaml`);
    const grades = gradeWritten(answers, variantFor(answers.studentId));
    // The key grades its own questions; a manual question outside it (the review) is the engine's.
    const byKey = (id: string) => Object.hasOwn(writtenKey.questions, id);
    expect(Object.fromEntries(grades.map((g) => [g.id, g.status]))).toEqual(Object.fromEntries(Object.entries(expected.status).filter(([id]) => byKey(id))));
    const lost = grades.filter((g) => g.kind !== 'manual' && g.points < g.maxPoints).map((g) => g.id);
    expect(lost).toEqual(expected.lose);
    expect(grades.filter((g) => g.status === 'pending').map((g) => g.id)).toEqual((expected.pending as string[]).filter(byKey));
  });

  it('the malformed example says which line is wrong', () => {
    const answers = parseAnswers(writtenKey, readFileSync(path.join(examplesDir, 'malformed/answers.yaml'), 'utf8'), 'answers.yaml');
    const backprop = gradeWritten(answers, variantFor(undefined)).find((g) => g.id === 'backprop')!;
    expect(backprop.messages).toEqual([expect.stringMatching(/^answers\.yaml:\d+: backprop\.gradients\.w3: expected a number, got "abc" \(string\)$/)]);
  });

  it('vgg-no-biases names the mistake on each conv and FC layer', () => {
    const answers = parseAnswers(writtenKey, readFileSync(path.join(examplesDir, 'vgg-no-biases/answers.yaml'), 'utf8'), 'answers.yaml');
    const vgg = gradeWritten(answers, variantFor(undefined)).find((g) => g.id === 'vgg11')!;
    const failed = vgg.cells.filter((c) => !c.pass);
    expect(failed.map((c) => c.path)).toEqual([
      ...['conv1', 'conv2', 'conv3_1', 'conv3_2', 'conv4_1', 'conv4_2', 'conv5_1', 'conv5_2', 'fc6', 'fc7', 'fc8'].map((l) => `vgg11.layers.${l}.params`),
      'vgg11.total_params',
    ]);
    expect(failed.every((c) => /without the biases/.test(c.message!))).toBe(true);
    expect(vgg.points).toBeCloseTo((4 * 22) / 34, 6);
  });

  it('backprop-wrong-output-grad is recognised as the missing sigmoid derivative', () => {
    const answers = parseAnswers(writtenKey, readFileSync(path.join(examplesDir, 'backprop-wrong-output-grad/answers.yaml'), 'utf8'), 'answers.yaml');
    const bp = gradeWritten(answers, variantFor(undefined)).find((g) => g.id === 'backprop')!;
    expect(bp.messages).toEqual([expect.stringContaining('without the output sigmoid derivative')]);
    expect(bp.cells.filter((c) => c.path.startsWith('backprop.gradients.')).every((c) => !c.pass)).toBe(true);
    expect(bp.cells.filter((c) => c.path.startsWith('backprop.forward.') || c.path === 'backprop.loss').every((c) => c.pass)).toBe(true);
  });
});

describe('gradeAnswers with per-student variants', () => {
  it.each(['s123', 'alice', '20231234'])('the key of student %s scores full marks for that student', (id) => {
    const grades = grade(answersFromKey(variantFor(id)), id);
    for (const g of Object.values(grades)) {
      if (g.kind === 'manual') expect(g.status).toBe('pending');
      else expect([g.id, g.status, g.points]).toEqual([g.id, 'passed', g.maxPoints]);
    }
  });

  it('the canonical answers lose exactly the variant questions for another student', () => {
    const grades = grade(canonical, 's123');
    const lost = Object.values(grades).filter((g) => g.kind !== 'manual' && g.points < g.maxPoints).map((g) => g.id);
    expect(lost).toEqual(['conv_as_matrix', 'relu_net', 'backprop']);
    // The output size does not depend on W: only A is lost.
    expect(grades.conv_as_matrix.cells.map((c) => c.pass)).toEqual([true, false]);
  });

  it('four significant digits are enough for backprop (rtol 1e-2), an update\'s digits kept in its step', () => {
    const grades = grade(answersFromKey(variantFor('bob'), 4), 'bob');
    expect(grades.backprop.status).toBe('passed');
  });

  it('an updated parameter is graded on its step: the initial weights, a wrong sign or a step off by 3% fail', () => {
    const v = variantFor('bob');
    const key = solveWritten(v).backprop;
    const right = answersFromKey(v) as { backprop: { updated: Record<string, number> } };
    const cellsFor = (updated: Record<string, number>) => grade({ ...right, backprop: { ...right.backprop, updated } }, 'bob').backprop.cells.filter((c) => c.path.startsWith('backprop.updated.'));
    const initial = { w1: 0.1, w2: 0.2, w3: 0.3, w4: 0.4, w5: 0.5, w6: 0.6, w7: 0.7, w8: 0.8, w9: 0.9, w10: 0.1, b1: 0.5, b2: 0.5 } as Record<string, number>;
    const copied = cellsFor(initial);
    expect(copied.every((c) => !c.pass && /this is the initial value/.test(c.message!))).toBe(true);
    const flipped = cellsFor(Object.fromEntries(Object.entries(initial).map(([p, x]) => [p, x + 0.01 * key.gradients[p as keyof typeof key.gradients]])));
    expect(flipped.every((c) => !c.pass && /wrong sign/.test(c.message!))).toBe(true);
    const offBy2 = cellsFor(Object.fromEntries(Object.entries(initial).map(([p, x]) => [p, x - 1.03 * 0.01 * key.gradients[p as keyof typeof key.gradients]])));
    expect(offBy2.every((c) => !c.pass)).toBe(true);
    const offByHalfPercent = cellsFor(Object.fromEntries(Object.entries(initial).map(([p, x]) => [p, x - 1.005 * 0.01 * key.gradients[p as keyof typeof key.gradients]])));
    expect(offByHalfPercent.every((c) => c.pass)).toBe(true);
  });

  it('names a hidden delta off by a common ratio, a decimal slip, and a shared bias counted on either path', () => {
    const v = variantFor('bob');
    const key = solveWritten(v).backprop;
    const right = answersFromKey(v) as { backprop: { gradients: Record<string, number> } };
    const withGradients = (g: Record<string, number>) => grade({ ...right, backprop: { ...right.backprop, gradients: { ...right.backprop.gradients, ...g } } }, 'bob').backprop;
    const ratio = withGradients({ w1: key.gradients.w1 * 1.7, w3: key.gradients.w3 * 1.7, w5: key.gradients.w5 * 1.7 });
    expect(ratio.messages.some((m) => /dL\/dw1, dL\/dw3, dL\/dw5 are all the expected values times 1\.7: they share δ_h1/.test(m))).toBe(true);
    const slip = withGradients({ w7: key.gradients.w7 * 10, w9: key.gradients.w9 * 10 });
    expect(slip.messages.some((m) => /a decimal point slipped by 1 place/.test(m))).toBe(true);
    for (const only of ['w7', 'w8'] as const) {
      // b2 counted on o1's path only (δ_o1 = dL/dw7 / h1), then on o2's only.
      const h1 = solveWritten(v).backprop.forward.h1;
      const b = withGradients({ b2: key.gradients[only] / h1 });
      expect(b.cells.find((c) => c.path === 'backprop.gradients.b2')!.message, only).toMatch(/b1 and b2 each feed two units/);
    }
  });
});

describe('property checks', () => {
  it.each([
    ['and', { w: [0.5, 0.5], b: -0.75 }, true],
    ['and', { w: [2, 1], b: -3 }, true],
    ['and', { w: [1, 1], b: -1 }, false],
    ['or', { w: [1, 1], b: -1 }, true],
    ['or', { w: [-0.1, -0.2], b: 0.3 }, false],
    ['or', { w: [1, 1], b: 0 }, false],
  ])('perceptron %s with %j passes: %s', (gate, unit, pass) => {
    const g = grade({ perceptron: { [gate]: unit } }).perceptron;
    expect(g.cells.find((c) => c.path === `perceptron.${gate}`)!.pass).toBe(pass);
  });

  it('says which rows of the truth table fail', () => {
    const cell = grade({ perceptron: { and: { w: [1, 1], b: -1 } } }).perceptron.cells[0];
    expect(cell.message).toBe('at x = (0, 1) w·x + b = 0 so f = 1, but AND = 0; at x = (1, 0) w·x + b = 0 so f = 1, but AND = 0');
  });

  it.each([
    ['two units', { W1: [[1, 1], [1, 1]], b1: [0, -1], W2: [1, -2], b2: 0 }, true, undefined],
    ['three units', { W1: [[1, -1], [-1, 1], [0, 0]], b1: [0, 0, 0], W2: [1, 1, 5], b2: 0 }, true, undefined],
    ['four units', { W1: [[1, 0], [0, 1], [1, 1], [0, 0]], b1: [0, 0, -1, 0], W2: [1, 1, -2, 0], b2: 0 }, true, undefined],
    ['five units', { W1: [[1, 1], [1, 1], [0, 0], [0, 0], [0, 0]], b1: [0, -1, 0, 0, 0], W2: [1, -2, 0, 0, 0], b2: 0 }, false, 'the hidden layer may have at most 4 units, W1 has 5 rows'],
    ['off by 1e-3', { W1: [[1, 1], [1, 1]], b1: [0, -1], W2: [1, -2], b2: 0.001 }, false, 'f(0, 0) = 0.001, XOR = 0; f(0, 1) = 1.001, XOR = 1; f(1, 0) = 1.001, XOR = 1; f(1, 1) = 0.001, XOR = 0'],
    ['W2 too short', { W1: [[1, 1], [1, 1]], b1: [0, -1], W2: [1], b2: 0 }, false, 'W2 must be 2 numbers (one per hidden unit)'],
    ['rows of 3', { W1: [[1, 1, 1], [1, 1, 1]], b1: [0, -1], W2: [1, -2], b2: 0 }, false, 'W1 must have 2 columns, row 0 has 3'],
  ])('xor network with %s', (_name, network, pass, message) => {
    const cell = grade({ xor: { network } }).xor.cells[1];
    expect([cell.pass, cell.message]).toEqual([pass, message]);
  });

  it('xor: linear_separable true is wrong, with the reason', () => {
    const cell = grade({ xor: { linear_separable: true } }).xor.cells[0];
    expect(cell.pass).toBe(false);
    expect(cell.message).toMatch(/not linearly separable/);
  });

  it('conv_as_matrix: recognises a flipped kernel and a column-major vec', () => {
    const key = solveWritten(variantFor(undefined)).conv_as_matrix;
    // Flipped kernel: Y00 = W00·X00 etc. — the corners reversed.
    const flipped = key.A.map((row) => row.map((v) => (v === 0 ? 0 : 10 - v)));
    const g1 = grade({ conv_as_matrix: { output_size: [2, 2], A: flipped } }).conv_as_matrix;
    expect(g1.messages).toEqual([expect.stringContaining('kernel flipped')]);
    const colMajor = [key.A[0], key.A[2], key.A[1], key.A[3]].map((row) => [0, 3, 6, 1, 4, 7, 2, 5, 8].map((c) => row[c]));
    const g2 = grade({ conv_as_matrix: { output_size: [2, 2], A: colMajor } }).conv_as_matrix;
    expect(g2.messages).toEqual([expect.stringContaining('column-major')]);
    expect(g2.points).toBe(1);
  });

  it('conv_as_matrix: a counterexample names the input and both results', () => {
    const A = Array.from({ length: 4 }, () => Array(9).fill(0));
    const cell = grade({ conv_as_matrix: { A } }).conv_as_matrix.cells[1];
    expect(cell.message).toMatch(/^for X = \[\[.*\]\], A vec\(X\) = \[0, 0, 0, 0\] but the convolution gives \[/);
  });

  it('conv_as_matrix: a wrongly shaped A says what shape is expected', () => {
    const cell = grade({ conv_as_matrix: { A: [[1, 2, 3]] } }).conv_as_matrix.cells[1];
    expect(cell.message).toBe('A must have 4 rows, got 1 (one row per output pixel, one column per input pixel)');
  });
});

describe('cell by cell partial credit', () => {
  it.each([
    ['one vgg11 count wrong', { vgg11: { ...(canonical.vgg11 as object), total_params: 1 } }, 'vgg11', (4 * 33) / 34],
    ['one cnn_table cell wrong', { cnn_table: { ...(canonical.cnn_table as object), totals: { neurons: 1, params: 52444644, connections: 999407616 } } }, 'cnn_table', (4 * 29) / 30],
    ['two relu_net values wrong', { relu_net: { h: [15, 1.5, 8], dh_dx: [6, 1.5, 5] } }, 'relu_net', 2],
    ['half of backprop unanswered', { backprop: { ...(canonical.backprop as object), updated: null } }, 'backprop', (6 * 17) / 29],
  ])('%s', (_name, answers, id, points) => {
    expect(grade(answers)[id].points).toBeCloseTo(points, 6);
    expect(grade(answers)[id].status).toBe('partial');
  });

  it('a fractional count is wrong, with a message', () => {
    const vgg = { ...(canonical.vgg11 as { layers: Record<string, object> }) };
    const cell = grade({ vgg11: { ...vgg, layers: { ...vgg.layers, conv1: { output_shape: [224, 224, 64], params: 1792.5 } } } }).vgg11.cells[1];
    expect([cell.pass, cell.message]).toEqual([false, 'expected a whole number, got 1792.5']);
  });

  it('a shape written [C, H, W] gets a hint', () => {
    const vgg = canonical.vgg11 as { layers: Record<string, object> };
    const cell = grade({ vgg11: { ...vgg, layers: { ...vgg.layers, conv1: { output_shape: [64, 224, 224], params: 1792 } } } }).vgg11.cells[0];
    expect(cell.message).toBe('write shapes as [H, W, C] (height, width, channels), not [C, H, W]');
  });

  it('cnn_table: counting the bias as a connection is recognised', () => {
    const t = canonical.cnn_table as { layers: Record<string, { neurons: number; params: number; connections: number }> };
    const conv1 = { ...t.layers.conv1, connections: t.layers.conv1.connections + t.layers.conv1.neurons };
    const cell = grade({ cnn_table: { ...t, layers: { ...t.layers, conv1 } } }).cnn_table.cells[2];
    expect(cell.message).toBe('input connections do not count the bias');
  });

  it('relu_net messages name the point', () => {
    const cell = grade({ relu_net: { h: [14, 1.5, 9] } }).relu_net.cells[0];
    expect(cell.message).toBe('14 at x = 2 is not the expected value within a relative error of 0.0001');
  });

  it('messages never contain the expected value (reporters decide whether to show it)', () => {
    const grades = grade({ vgg11: { total_params: 5 }, backprop: { loss: 0.1 }, relu_net: { h: [1, 1, 1] } });
    expect(grades.vgg11.cells.find((c) => c.path === 'vgg11.total_params')!.message).not.toContain('132863336');
    expect(grades.backprop.cells.find((c) => c.path === 'backprop.loss')!.message).not.toContain('0.593');
    expect(grades.relu_net.cells[0].message).not.toContain('15');
  });
});

describe('statuses', () => {
  it('an empty file is missing everywhere, the proofs pending', () => {
    const grades = grade({});
    for (const g of Object.values(grades)) expect(g.status).toBe(g.kind === 'manual' ? 'pending' : 'missing');
  });

  it('a file that cannot be read makes every question invalid with the reason', () => {
    const grades = gradeUnreadable(writtenKey, 'answers.yaml: not valid YAML at line 3', { questions: WRITTEN_QUESTIONS });
    expect(grades.map((g) => [g.id, g.status, g.points, g.messages])).toEqual(
      WRITTEN_QUESTIONS.map((q) => [q.id, 'invalid', 0, ['answers.yaml: not valid YAML at line 3']]),
    );
  });

  it('uses the tolerance of the manifest', () => {
    const answers = fromObject({ relu_net: { h: [15.01, 1.5, 9], dh_dx: [6, 1.5, 6] } });
    const strict = gradeWritten(answers, variantFor(undefined), { questions: [{ id: 'relu_net', points: 3 }] });
    const loose = gradeWritten(answers, variantFor(undefined), { questions: [{ id: 'relu_net', points: 3, compare: { rtol: 1e-3 } }] });
    expect([strict[0].status, loose[0].status]).toEqual(['partial', 'passed']);
  });

  it('rejects a question id the written assignment does not have', () => {
    expect(() => gradeWritten(fromObject({}), variantFor(undefined), { questions: [{ id: 'nope', points: 1 }] })).toThrow(/unknown written question "nope"/);
  });
});

describe('the manifest', () => {
  it('gives every question the key grades its kind, and the default tolerance', async () => {
    const { manifest } = writtenAssignment;
    expect(manifest.runner).toBe('answers');
    expect(Object.fromEntries(manifest.questions.filter((q) => Object.hasOwn(QUESTION_KINDS, q.id)).map((q) => [q.id, q.kind]))).toEqual(QUESTION_KINDS);
    expect(manifest.defaults?.compare).toEqual({ mode: DEFAULT_ANSWERS_COMPARE.mode, rtol: DEFAULT_ANSWERS_COMPARE.rtol });
  });
});
