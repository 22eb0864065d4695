import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DlgradeError } from '../../graders/errors.js';
import { MAX_SECTION_NAME, MAX_UNRECOGNISED_SECTIONS, formatIssue, loadAnswers, parseAnswers, type LoadedAnswers } from '../../graders/answers/load-answers.js';
import { WRITTEN_QUESTION_IDS } from './schema.js';
import { writtenKey } from './index.js';

const root = path.resolve(import.meta.dirname, '../..');

function issues(a: LoadedAnswers, id: keyof LoadedAnswers['sections']): string[] {
  const s = a.sections[id];
  return s.state === 'invalid' ? s.issues.map((i) => formatIssue(a.file, i)) : [];
}

function fileError(text: string, file = 'answers.yaml'): DlgradeError {
  try {
    parseAnswers(writtenKey, text, file);
  } catch (error) {
    return error as DlgradeError;
  }
  throw new Error('expected an error');
}

describe('parseAnswers', () => {
  it('reads the starter: every question present, nothing answered, no warnings', async () => {
    const text = await readFile(path.join(root, 'assignments/written/starter/answers.yaml'), 'utf8');
    const a = parseAnswers(writtenKey, text, 'answers.yaml');
    expect(a.warnings).toEqual([]);
    for (const id of WRITTEN_QUESTION_IDS) expect(a.sections[id].state).not.toBe('invalid');
  });

  it.each([
    ['backprop:\n  gradients:\n    w3: abc\n', 'backprop', 'answers.yaml:3: backprop.gradients.w3: expected a number, got "abc" (string)'],
    ['vgg11:\n  total_params: "132,863,336"\n', 'vgg11', 'answers.yaml:2: vgg11.total_params: expected a number, got "132,863,336" (string) — write numbers without separators, e.g. 132863336'],
    ['vgg11:\n  fc_fraction: "93%"\n', 'vgg11', 'answers.yaml:2: vgg11.fc_fraction: expected a number, got "93%" (string) — write a fraction as a decimal number, e.g. 0.93 rather than 93%'],
    ['relu_net:\n  h: [15, "3/2", 9]\n', 'relu_net', 'answers.yaml:2: relu_net.h[1]: expected a number, got "3/2" (string) — write a fraction as a decimal number'],
    ['relu_net:\n  h: ["15", 1.5, 9]\n', 'relu_net', 'answers.yaml:2: relu_net.h[0]: expected a number, got "15" (string) — remove the quotes so it reads as a number'],
    ['xor:\n  linear_separable: no\n', 'xor', 'answers.yaml:2: xor.linear_separable: expected true or false, got "no" (string)'],
    ['conv_as_matrix:\n  A:\n    - [1, 2]\n    - 3\n', 'conv_as_matrix', 'answers.yaml:4: conv_as_matrix.A[1]: expected a list, got 3 (number)'],
    ['backprop:\n  updated: [1, 2]\n', 'backprop', 'answers.yaml:2: backprop.updated: expected a mapping (every parameter after one SGD step, learning rate 0.01), got an array of 2'],
    ['perceptron: 5\n', 'perceptron', 'answers.yaml:1: perceptron: expected a mapping (f(x) = 1 if w·x + b >= 0 else 0), got 5 (number)'],
    ['xor_proof: [a, b]\n', 'xor_proof', 'answers.yaml:1: xor_proof: expected text, got an array of 2 — write the text as a block: the key, then "|", then the lines indented below it'],
  ])('names the path, the line and both values: %j', (text, id, message) => {
    const a = parseAnswers(writtenKey, text, 'answers.yaml');
    expect(issues(a, id as keyof LoadedAnswers['sections'])).toEqual([message]);
  });

  it('invalidates only the malformed section', () => {
    const a = parseAnswers(writtenKey, 'relu_net:\n  h: [15, 1.5, 9]\nbackprop:\n  loss: [1]\nvgg11:\n  total_params: 5\n', 'answers.yaml');
    expect(a.sections.relu_net.state).toBe('answered');
    expect(a.sections.backprop.state).toBe('invalid');
    expect(a.sections.vgg11.state).toBe('answered');
    expect(a.sections.cnn_table.state).toBe('missing');
  });

  it('reports every problem of a section, each once', () => {
    const a = parseAnswers(writtenKey, 'backprop:\n  loss: x\n  gradients: { w1: y, w2: z }\n', 'answers.yaml');
    expect(issues(a, 'backprop')).toHaveLength(3);
  });

  it('keeps an unrecognised section for staff with a warning that suggests the right one, and ignores unknown keys inside a section', () => {
    const a = parseAnswers(writtenKey, 'backprop:\n  gradients: { w11: 1, w1: 2 }\nbackprob: {}\n', 'answers.yaml');
    expect(a.sections.backprop).toEqual({ state: 'answered', value: { gradients: { w1: 2 } } });
    expect(a.unrecognised).toEqual([{ name: 'backprob', line: 3, guess: 'backprop' }]);
    expect(a.warnings.map((w) => formatIssue(a.file, w))).toEqual([
      'answers.yaml:3: backprob: not a section of this assignment, so it is not graded automatically: it is kept and staff will read it (did you mean backprop?); sections: conv_as_matrix, perceptron, xor, relu_net, backprop, vgg11, cnn_table, xor_proof, min_norm_proof',
      'answers.yaml:2: backprop.gradients.w11: unknown key, ignored (did you mean w1?); expected one of w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, b1, b2',
    ]);
  });

  it('knows the sections of the manifest\'s own manual questions, and suggests them for a typo', () => {
    const text = 'paper_review: |\n  The paper...\npaper_reveiw: again\nremarks: thanks\n';
    const a = parseAnswers(writtenKey, text, 'answers.yaml', { manualSections: ['paper_review'] });
    expect(a.unrecognised).toEqual([
      { name: 'paper_reveiw', line: 3, guess: 'paper_review' },
      { name: 'remarks', line: 4 },
    ]);
    expect(a.warnings[1].message).toMatch(/^not a section of this assignment, .*staff will read it; sections: conv_as_matrix, .*, min_norm_proof, paper_review$/);
    expect(parseAnswers(writtenKey, text, 'answers.yaml').unrecognised.map((u) => u.name)).toEqual(['paper_review', 'paper_reveiw', 'remarks']);
  });

  it(`keeps at most ${MAX_UNRECOGNISED_SECTIONS} unrecognised sections, none with an overlong name, and says why the rest are ignored`, () => {
    const many = Array.from({ length: MAX_UNRECOGNISED_SECTIONS + 2 }, (_, i) => `extra_${i}: text`);
    const long = 'x'.repeat(MAX_SECTION_NAME + 1);
    const a = parseAnswers(writtenKey, [...many, `${long}: text`].join('\n'), 'answers.yaml');
    expect(a.unrecognised).toHaveLength(MAX_UNRECOGNISED_SECTIONS);
    expect(a.warnings.filter((w) => /ignored \(more than 20 unrecognised sections\)/.test(w.message))).toHaveLength(2);
    expect(a.warnings.at(-1)).toMatchObject({ path: `${'x'.repeat(MAX_SECTION_NAME)}…`, message: expect.stringMatching(/ignored \(a name longer than 64 characters\)/) });
  });

  it('treats null and absent sections as missing', () => {
    const a = parseAnswers(writtenKey, 'relu_net: null\n', 'answers.yaml');
    expect(a.sections.relu_net.state).toBe('missing');
    expect(a.sections.backprop.state).toBe('missing');
  });

  it.each([
    ['student_id: "0123"\n', '0123'],
    ['student_id: 0123\n', '0123'],
    ['student_id: 42\n', '42'],
    ['student_id: " s1 "\n', 's1'],
    ['student_id: null\n', undefined],
  ])('reads the student id from %j', (text, id) => {
    expect(parseAnswers(writtenKey, text, 'answers.yaml').studentId).toBe(id);
  });

  it.each([
    ['a: [1, 2\nb: 3\n', /^answers\.yaml: not valid YAML at line 2, column 1: /],
    ['foo: bar\n  baz: 1\n', /^answers\.yaml: not valid YAML at line 1/],
    ['relu_net: 1\nrelu_net: 2\n', /^answers\.yaml: not valid YAML at line 2, column 1: Map keys must be unique/],
    ['just some text\n', /^answers\.yaml: expected a mapping with one section per question at the top level, got "just some text" \(string\)$/],
    ['- 1\n- 2\n', /got an array of 2$/],
    ['', /^answers\.yaml: is empty: /],
    ['\u0000\u0001PK', /is not a text file/],
  ])('rejects a file that is not answers as a whole: %j', (text, message) => {
    const error = fileError(text);
    expect(error).toBeInstanceOf(DlgradeError);
    expect(error.code).toBe('ANSWERS_INVALID');
    expect(error.message).toMatch(message);
  });

  it.each([
    ['{"relu_net": {"h": [1,\n 2,, 3]}}', 'answers.json: not valid JSON at line 2, column 4: Unexpected token \',\''],
    ['{"relu_net": 1}\n}', /^answers\.json: not valid JSON at line 2, column 1: /],
    ['{\n"relu_net": {\n', /^answers\.json: not valid JSON at line 3/],
  ])('names the line of a JSON syntax error: %j', (text, message) => {
    const error = fileError(text, 'answers.json');
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });

  it('reads JSON answers with line numbers in messages', () => {
    const a = parseAnswers(writtenKey, '{\n  "backprop": {\n    "gradients": {"w3": "abc"}\n  }\n}\n', 'answers.json');
    expect(issues(a, 'backprop')).toEqual(['answers.json:3: backprop.gradients.w3: expected a number, got "abc" (string)']);
  });
});

describe('loadAnswers', () => {
  it('finds answers.yaml in a submission folder and names it relative to the working directory', async () => {
    const a = await loadAnswers(writtenKey, path.join(root, 'examples/written/malformed'), root);
    expect(a.file).toBe('examples/written/malformed/answers.yaml');
    expect(issues(a, 'backprop')[0]).toMatch(/^examples\/written\/malformed\/answers\.yaml:\d+: backprop\.gradients\.w3: expected a number/);
  });

  it('grades answers.yaml and warns when answers.json is there too', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-answers-'));
    await writeFile(path.join(dir, 'answers.yaml'), 'relu_net: { h: [1, 2, 3] }\n');
    await writeFile(path.join(dir, 'answers.json'), '{}');
    const a = await loadAnswers(writtenKey, dir);
    expect(a.sections.relu_net.state).toBe('answered');
    expect(a.warnings[0].message).toBe('also found answers.json; only answers.yaml was graded');
  });

  it('reads answers.json when it is the only file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-answers-'));
    await writeFile(path.join(dir, 'answers.json'), '{"relu_net": {"h": [15, 1.5, 9]}}');
    expect((await loadAnswers(writtenKey, dir)).sections.relu_net.state).toBe('answered');
  });

  it('says which files it looked for when there is none', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-answers-'));
    await expect(loadAnswers(writtenKey, dir)).rejects.toThrow(/no answers file: expected one of answers\.yaml, answers\.yml, answers\.json/);
  });
});
