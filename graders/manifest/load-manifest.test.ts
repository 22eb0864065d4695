import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest, formatPath, projectRoot } from './load-manifest.js';
import { DlgradeError } from '../errors.js';

const styleTransfer = readFileSync(path.join(projectRoot(), 'assignments', 'style-transfer', 'manifest.yaml'), 'utf8');

function errorOf(text: string): DlgradeError {
  try {
    parseManifest(text, 'm.yaml');
  } catch (error) {
    return error as DlgradeError;
  }
  throw new Error('expected the manifest to be rejected');
}

describe('parseManifest', () => {
  it('accepts the style-transfer manifest', () => {
    const m = parseManifest(styleTransfer, 'manifest.yaml');
    expect(m.questions.map((q) => q.id)).toEqual(['content_loss', 'gram_matrix', 'style_loss', 'tv_loss']);
  });

  it.each([
    ['a negative tolerance', styleTransfer.replace('rtol: 1.0e-4', 'rtol: -1'), /m\.yaml: defaults\.compare\.rtol must be a number >= 0, got -1 \(number\)/],
    ['points given as text', styleTransfer.replace('points: 1', 'points: one'), /questions\[0\]\.points must be a number, got "one" \(string\)/],
    ['an unknown field', styleTransfer.replace('seed: 231', 'seed: 231\nsed: 1'), /\(top level\) has an unknown field "sed"/],
    ['a missing field', styleTransfer.replace('title: Neural style transfer\n', ''), /is missing the required field "title"/],
    ['a runner outside the set', styleTransfer.replace('runner: python', 'runner: pyton'), /m\.yaml: runner must be one of python, answers, got "pyton" \(string\)$/],
    ['a tolerance mode outside the set', styleTransfer.replace('mode: rel_error', 'mode: relerror'), /defaults\.compare\.mode must be one of [a-z_, ]+, got "relerror" \(string\)$/],
    ['an id with a capital letter', styleTransfer.replace('id: content_loss', 'id: ContentLoss'), /questions\[0\]\.id must be text matching \^\[a-z0-9\]\[a-z0-9_-\]\*\$ \(lower-case letters, digits, "_" and "-"\), got "ContentLoss" \(string\)/],
    ['a repeated question id', styleTransfer.replace('id: gram_matrix', 'id: content_loss'), /repeats the question id "content_loss"/],
    ['not YAML at all', 'questions: [1, 2\nid: x', /not valid YAML at line \d+/],
    ['a question with only ungraded outputs', styleTransfer.replace('outputs: { gram: $gram }', 'outputs: { gram: { from: $gram, graded: false } }'), /questions\[1\] \(gram_matrix\)\.outputs has no graded output/],
    ['a course source missing an input', styleTransfer.replace('content_original: cl_original }', '}'), /has no key for the input "content_original"/],
  ])('rejects %s with the path and both values', (_name, text, message) => {
    const error = errorOf(text);
    expect(error).toBeInstanceOf(DlgradeError);
    expect(error.code).toBe('MANIFEST_INVALID');
    expect(error.message).toMatch(message);
  });

  const withManual = (question: string) => `${styleTransfer.trimEnd()}\n${question}\n`;
  const insights = `  - id: insights
    title: What the maps show
    points: 2
    kind: manual
    submit: { file: insights.md }
    rubric:
      - { id: saliency, points: 1, text: says what saliency shows }
      - { id: gradcam, points: 1, text: says what Grad-CAM shows }
      - { id: no-figure, points: -0.5, text: no figure referenced }`;

  it('accepts a manual question in a code assignment: no cases, steps or outputs, a rubric, a file handed in', () => {
    const m = parseManifest(withManual(insights), 'manifest.yaml');
    const q = m.questions.find((x) => x.id === 'insights')!;
    expect(q).toMatchObject({ kind: 'manual', cases: [], submit: { file: 'insights.md' } });
    expect(q.rubric?.map((i) => i.points)).toEqual([1, 1, -0.5]);
  });

  it.each([
    ['steps in a manual question', insights.replace('kind: manual', 'kind: manual\n    steps: [{ call: f }]'), /questions\[4\] \(insights\) is graded by staff \(kind: manual\), so it has no "inputs", "steps" or "outputs"/],
    ['two things to hand in', insights.replace('{ file: insights.md }', '{ file: insights.md, cell: insights }'), /questions\[4\] \(insights\)\.submit must name exactly one of file, answer, cell; got file, cell/],
    ['an answers section in a code assignment', insights.replace('{ file: insights.md }', '{ answer: insights }'), /submit\.answer is for answers assignments/],
    ['a file outside the submission', insights.replace('insights.md', '../x.md'), /submit\.file must be a path inside the submission, got "\.\.\/x\.md"/],
    ['a repeated rubric item', insights.replace('id: gradcam', 'id: saliency'), /questions\[4\] \(insights\)\.rubric\[1\] repeats the item id "saliency"/],
    ['a rubric that cannot reach the points', insights.replace('points: 2\n', 'points: 3\n'), /\.rubric gives at most 2 point\(s\) but the question is worth 3/],
    ['a rubric on an autograded question', insights.replace('kind: manual', 'kind: numeric'), /questions\[4\] \(insights\)\.rubric is for manual questions/],
    ['an autograded question without cases', insights.replace('    kind: manual\n', '').replace(/    submit[^]*$/, ''), /questions\[4\] \(insights\) is missing the required field "cases"/],
  ])('rejects %s', (_name, question, message) => {
    expect(errorOf(withManual(question)).message).toMatch(message);
  });

  const mlp = readFileSync(path.join(projectRoot(), 'assignments', 'mlp-backprop', 'manifest.yaml'), 'utf8');

  it('accepts a question graded in parts, with a step that recovers from the stored inputs', () => {
    const relu = parseManifest(mlp, 'manifest.yaml').questions.find((q) => q.id === 'relu')!;
    expect(relu.parts).toEqual([
      { id: 'forward', outputs: ['out'] },
      { id: 'backward', outputs: ['dLdin'] },
    ]);
    expect(relu.steps?.[1]).toMatchObject({ call: 'relu', recover: [{ set: 'relu.inputs', value: ['$x'] }] });
  });

  it.each([
    ['a part naming an output the question does not have', mlp.replace('{ id: forward, outputs: [out] }', '{ id: forward, outputs: [output] }'), /questions\[2\] \(relu\)\.parts\[0\]\.outputs names "output", which is not a graded output of the question \(graded: out, dLdin\)/],
    ['an output in two parts', mlp.replace('{ id: backward, outputs: [dLdin] }', '{ id: backward, outputs: [dLdin, out] }'), /parts\[1\]\.outputs names "out", which is already in part "forward"/],
    ['a part without outputs', mlp.replace('{ id: backward, outputs: [dLdin] }', '{ id: backward, outputs: [out] }').replace('{ id: forward, outputs: [out] }', '{ id: forward, outputs: [] }'), /parts\[0\]\.outputs must be a list of at least 1 item\(s\), got an array of 0/],
    ['a repeated part id', mlp.replace('{ id: backward, outputs: [dLdin] }', '{ id: forward, outputs: [dLdin] }'), /parts\[1\] repeats the part id "forward"/],
    ['a zero share', mlp.replace('{ id: backward, outputs: [dLdin] }', '{ id: backward, outputs: [dLdin], share: 0 }'), /share must be a number > 0, got 0/],
    ['a recovery that is not a set step', mlp.replace('recover: [{ set: relu.inputs, value: [$x] }]', 'recover: [{ call: relu }]'), /recover/],
  ])('rejects %s', (_name, text, message) => {
    expect(errorOf(text).message).toMatch(message);
  });

  it('rejects a question in parts that leaves a graded output in none', () => {
    const text = mlp.replace('    outputs: { out: $out, dLdin: $dLdin }\n', '    outputs: { out: $out, dLdin: $dLdin, mask: $relu.mask }\n');
    expect(errorOf(text).message).toMatch(/questions\[2\] \(relu\)\.parts leaves the graded output\(s\) mask in no part/);
  });

  it('formats JSON pointers as dotted paths with indexes', () => {
    expect(formatPath('/questions/3/cases/0/args')).toBe('questions[3].cases[0].args');
  });
});
