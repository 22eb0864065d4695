// `dlgrade new`: writes the skeleton of an assignment or a question, which `fixtures` and `validate` accept at once.
// The skeleton's formula is a placeholder (twice the input) for the instructor to replace in the key and the solution.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DlgradeError, mustBeOneOf } from '../errors.js';

export type AssignmentKindName = 'code' | 'answers';
export const KIND_NAMES: AssignmentKindName[] = ['code', 'answers'];

/** Where the skeleton goes: the project root (assignments/, reference/, examples/ below it). */
export interface ScaffoldRoot {
  root: string;
}

/** Markers the skeleton leaves in reference/<id>/index.ts so `new question` can register a question there. */
const IMPORTS_MARKER = '// dlgrade new question: imports above this line';
const QUESTIONS_MARKER = '// dlgrade new question: questions above this line';
const REGISTRY_MARKER = '};';

const ID = /^[a-z][a-z0-9-]*$/;
const QUESTION_ID = /^[a-z][a-z0-9_]*$/;

/** The Python module a code assignment's students write: the assignment id in snake case. */
export const moduleName = (id: string) => id.replace(/-/g, '_');
const camel = (id: string) => id.replace(/[-_]([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

function checkIds(assignment: string, question?: string): void {
  if (!ID.test(assignment)) throw new DlgradeError('USAGE', `assignment id must be lower case letters, digits and dashes, starting with a letter, got ${JSON.stringify(assignment)}`);
  if (question !== undefined && !QUESTION_ID.test(question)) {
    throw new DlgradeError('USAGE', `question id must be lower case letters, digits and underscores, starting with a letter (it is a Python function name), got ${JSON.stringify(question)}`);
  }
}

/** Writes a file that must not exist yet (nothing an instructor wrote is ever overwritten). */
async function create(file: string, text: string, written: string[], root: string): Promise<void> {
  if (existsSync(file)) throw new DlgradeError('USAGE', `${path.relative(root, file)} already exists; dlgrade new never overwrites a file`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  written.push(path.relative(root, file));
}

/** Inserts `text` before the last occurrence of `marker` in a file (the registry entries, the question list). */
async function insertBefore(file: string, marker: string, text: string, written: string[], root: string, last = false): Promise<void> {
  const source = await readFile(file, 'utf8');
  const at = last ? source.lastIndexOf(marker) : source.indexOf(marker);
  if (at < 0) throw new DlgradeError('USAGE', `${path.relative(root, file)}: cannot find "${marker}" to add to; add the lines by hand`);
  const lineStart = source.lastIndexOf('\n', at) + 1;
  await writeFile(file, source.slice(0, lineStart) + text + source.slice(lineStart));
  written.push(path.relative(root, file));
}

async function append(file: string, text: string, written: string[], root: string): Promise<void> {
  const source = await readFile(file, 'utf8');
  await writeFile(file, source.endsWith('\n') ? source + text : `${source}\n${text}`);
  written.push(path.relative(root, file));
}

// ---------------------------------------------------------------------------------------------------------------
// Code assignments

function codeManifest(id: string): string {
  const mod = moduleName(id);
  return `# ${id}: a code assignment (dlgrade new). Student file: ${mod}.py.
# After editing: dlgrade fixtures ${id} && dlgrade validate ${id}
schema: 1
id: ${id}
title: ${id}
version: "1.0.0"
runner: python
files: [${mod}.py]
starter: starter
handout: handout.md
solution: ../../examples/${id}/correct
seed: 1
defaults:
  compare: { mode: rel_error, rtol: 1.0e-4 }
  timeout_s: 10

questions:
`;
}

function codeQuestionManifest(id: string, question: string): string {
  return `  - id: ${question}
    title: ${question}
    points: 1
    inputs: { x: tensor }
    steps:
      - { call: ${moduleName(id)}.${question}, args: [$x], as: out }
    outputs: { out: $out }
    cases:
      - { id: small, visibility: public, args: { rows: 3, cols: 4 } }
      - { id: larger, visibility: hidden, args: { rows: 16, cols: 8 } }
`;
}

function codeQuestionReference(question: string): string {
  return `// ${question}: the reference (inputs, the right answer). Edit the formula in solve, and the solution to match.
import * as tf from '@tensorflow/tfjs-core';
import type { QuestionReference } from '../../graders/answer-key/types.js';
import { fromTensor, toTensor } from '../../graders/answer-key/backend.js';

export const ${camel(question)}: QuestionReference = {
  // args: rows, cols (from each case in the manifest).
  generate(args, rng) {
    return { x: rng.randn([Number(args.rows), Number(args.cols)]) };
  },
  async solve(inputs) {
    const x = toTensor(inputs.x);
    const out = tf.mul(x, 2);
    return { out: await fromTensor(out) };
  },
};
`;
}

function codeQuestionTest(id: string, question: string): string {
  return `import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../graders/answer-key/backend.js';
import { createRng } from '../../graders/answer-key/rng.js';
import { loadAssignment } from '../../graders/manifest/load-manifest.js';
import { ${camel(id)}Reference } from './index.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('${id} reference', () => {
  it('has a reference for every question of the manifest, and no other', async () => {
    const { manifest } = await loadAssignment('${id}');
    expect(Object.keys(${camel(id)}Reference.questions).sort()).toEqual(manifest.questions.map((q) => q.id).sort());
  });

  it('${question}: the output has the input\\'s shape and finite values', async () => {
    const reference = ${camel(id)}Reference.questions.${question};
    const inputs = reference.generate({ rows: 2, cols: 3 }, createRng('${id}', 'test'));
    const { out } = await reference.solve(inputs);
    expect(out.shape).toEqual([2, 3]);
    expect(Array.from(out.data as Float32Array).every(Number.isFinite)).toBe(true);
  });
});
`;
}

const codeIndex = (id: string) => `// Answer key of ${id}: one file per question, registered here by question id.
import type { AssignmentReference } from '../../graders/answer-key/types.js';
${IMPORTS_MARKER}

export const ${camel(id)}Reference: AssignmentReference = {
  assignment: '${id}',
  /** Bumped whenever a reference's numbers change. */
  version: '1',
  questions: {
    ${QUESTIONS_MARKER}
  },
};
`;

const pythonStub = (question: string) => `

def ${question}(x):
    """Return the answer for input x (a torch.Tensor); see the handout."""
    raise NotImplementedError("${question}")
`;

const pythonSolution = (question: string) => `

def ${question}(x):
    return 2 * x
`;

// ---------------------------------------------------------------------------------------------------------------
// Answers assignments

function answersManifest(id: string): string {
  return `# ${id}: an answers assignment (dlgrade new). Student file: answers.yaml, graded in Node against reference/${id}.
# After editing: dlgrade validate ${id}
schema: 1
id: ${id}
title: ${id}
version: "1.0.0"
runner: answers
files: [answers.yaml]
starter: starter
handout: handout.md
solution: ../../examples/${id}/correct
seed: 0
defaults:
  compare: { mode: rel_error, rtol: 1.0e-4 }

questions:
`;
}

const answersQuestionManifest = (question: string) => `  - id: ${question}
    title: ${question}
    points: 1
    kind: numeric
    cases: [{ id: answers, visibility: public }]
`;

function answersQuestionKey(question: string): string {
  return `// ${question}: its section of answers.yaml, its expected answer and how it is graded. Edit the formula in solve.
import type { AnswersQuestionKey } from '../../graders/answer-key/answers-key.js';
import { num, section } from '../../graders/answer-key/sections.js';
import { numberCell } from '../../graders/answers/cells.js';

/** The expected answer. */
export function solve(): { value: number } {
  const x = 3;
  return { value: 2 * x };
}

export const question: AnswersQuestionKey = {
  kind: 'numeric',
  schema: section({ value: num('f(3) for f(x) = 2x') }, '${question}: one number'),
  grade: ({ answers, tolerance }) => ({ cells: [numberCell('${question}.value', solve().value, answers.value, tolerance)], messages: [] }),
};

/** The key's own answer: this question's section of a full-marks answers file. */
export function answer(): Record<string, unknown> {
  return { value: solve().value };
}
`;
}

const answersIndex = (id: string) => `// Answer key of ${id}: one file per question (its section schema, expected answer and grader), registered here.
import type { AnswersKey, AnswersQuestionKey } from '../../graders/answer-key/answers-key.js';
${IMPORTS_MARKER}

/** Every question's module, by question id, in the order of the answers file. */
const parts: Record<string, { question: AnswersQuestionKey; answer: () => Record<string, unknown> }> = {
  ${QUESTIONS_MARKER}
};

export const ${camel(id)}Key: AnswersKey = {
  kind: 'answers',
  assignment: '${id}',
  /** Bumped whenever an expected answer changes. */
  version: '1',
  questions: Object.fromEntries(Object.entries(parts).map(([qid, p]) => [qid, p.question])),
  // No per-student values: every student answers the same numbers (add \`variants\` to change that).
  solve: () => ({}),
  answers: () => Object.fromEntries(Object.entries(parts).map(([qid, p]) => [qid, p.answer()])),
};
`;

function answersTest(id: string): string {
  return `import { describe, expect, it } from 'vitest';
import { loadAssignment } from '../../graders/manifest/load-manifest.js';
import { parseAnswers } from '../../graders/answers/load-answers.js';
import { gradeAnswers } from '../../graders/answers/grade-answers.js';
import { ${camel(id)}Key } from './index.js';

describe('${id} key', () => {
  it('its own answers score full marks on every question of the manifest', async () => {
    const { manifest } = await loadAssignment('${id}');
    const questions = manifest.questions.map((q) => ({ id: q.id, points: q.points }));
    const answers = parseAnswers(${camel(id)}Key, JSON.stringify(${camel(id)}Key.answers({ studentId: null })), 'answers.json');
    const grades = gradeAnswers(${camel(id)}Key, answers, { studentId: null }, { questions });
    expect(grades.filter((g) => g.points < g.maxPoints)).toEqual([]);
  });
});
`;
}

// ---------------------------------------------------------------------------------------------------------------

const handout = (id: string, file: string) => `# ${id}

Write your answers in \`${file}\` (start from the starter). Check them with \`dlgrade check ${id} --submission <your folder>\`.

| question | points | what to do |
|---|---|---|
`;
const handoutRow = (question: string, what: string) => `| \`${question}\` | 1 | ${what} |\n`;

/** The line reference/index.ts gets for a new assignment. */
function registryLine(id: string, kind: AssignmentKindName): string {
  const key = kind === 'code' ? `${camel(id)}Reference` : `${camel(id)}Key`;
  return `  '${id}': async () => (await import('./${id}/index.js')).${key},\n`;
}

/** Creates assignments/<id>, reference/<id> (registered in reference/index.ts) and examples/<id>/correct with one question. */
export async function newAssignment({ root }: ScaffoldRoot, id: string, kind: string = 'code', question = 'example'): Promise<string[]> {
  if (!(KIND_NAMES as string[]).includes(kind)) throw new DlgradeError('USAGE', mustBeOneOf('--kind', KIND_NAMES, kind));
  checkIds(id, question);
  const dir = path.join(root, 'assignments', id);
  if (existsSync(dir) || existsSync(path.join(root, 'reference', id))) throw new DlgradeError('USAGE', `assignment "${id}" already exists (assignments/${id} or reference/${id}); dlgrade new never overwrites`);
  const written: string[] = [];
  const registry = path.join(root, 'reference', 'index.ts');
  if (kind === 'code') {
    const file = `${moduleName(id)}.py`;
    await create(path.join(dir, 'manifest.yaml'), codeManifest(id), written, root);
    await create(path.join(dir, 'handout.md'), handout(id, file), written, root);
    await create(path.join(dir, 'starter', file), `# ${id}: your code. Each function is one question of the handout.\nimport torch\n`, written, root);
    await create(path.join(root, 'examples', id, 'correct', file), `# ${id}: the solution (full marks; dlgrade validate checks it).\nimport torch\n`, written, root);
    await create(path.join(root, 'reference', id, 'index.ts'), codeIndex(id), written, root);
  } else {
    await create(path.join(dir, 'manifest.yaml'), answersManifest(id), written, root);
    await create(path.join(dir, 'handout.md'), handout(id, 'answers.yaml'), written, root);
    await create(path.join(dir, 'starter', 'answers.yaml'), `# ${id}: your answers. Replace each null; a null left costs that cell only.\n`, written, root);
    await create(path.join(root, 'examples', id, 'correct', 'answers.yaml'), `# ${id}: the solution (full marks; dlgrade validate checks it).\n`, written, root);
    await create(path.join(root, 'reference', id, 'index.ts'), answersIndex(id), written, root);
    await create(path.join(root, 'reference', id, 'index.test.ts'), answersTest(id), written, root);
  }
  await insertBefore(registry, REGISTRY_MARKER, registryLine(id, kind as AssignmentKindName), written, root);
  written.push(...(await newQuestion({ root }, id, question, kind === 'code')));
  return [...new Set(written)];
}

/** Adds a question to an assignment made by `new assignment`: manifest entry, reference (and its test), starter stub, solution, handout row. */
export async function newQuestion({ root }: ScaffoldRoot, id: string, question: string, firstOfCode = false): Promise<string[]> {
  checkIds(id, question);
  const manifestFile = path.join(root, 'assignments', id, 'manifest.yaml');
  const manifest = await readFile(manifestFile, 'utf8').catch(() => {
    throw new DlgradeError('USAGE', `no assignment "${id}": ${path.relative(root, manifestFile)} does not exist (dlgrade new assignment ${id} makes one)`);
  });
  if (new RegExp(`^\\s*- id: ${question}\\s*$`, 'm').test(manifest)) throw new DlgradeError('USAGE', `${id} already has a question "${question}"`);
  const kind: AssignmentKindName = /^runner:\s*answers\b/m.test(manifest) ? 'answers' : 'code';
  const written: string[] = [];
  const index = path.join(root, 'reference', id, 'index.ts');
  if (kind === 'code') {
    const file = `${moduleName(id)}.py`;
    await create(path.join(root, 'reference', id, `${question.replace(/_/g, '-')}.ts`), codeQuestionReference(question), written, root);
    await insertBefore(index, IMPORTS_MARKER, `import { ${camel(question)} } from './${question.replace(/_/g, '-')}.js';\n`, written, root);
    await insertBefore(index, QUESTIONS_MARKER, `    ${question}: ${camel(question)},\n`, written, root);
    if (firstOfCode) await create(path.join(root, 'reference', id, 'index.test.ts'), codeQuestionTest(id, question), written, root);
    await append(manifestFile, codeQuestionManifest(id, question), written, root);
    await append(path.join(root, 'assignments', id, 'starter', file), pythonStub(question), written, root);
    await append(path.join(root, 'examples', id, 'correct', file), pythonSolution(question), written, root);
    await append(path.join(root, 'assignments', id, 'handout.md'), handoutRow(question, `\`${question}(x)\` returns 2·x for a tensor x`), written, root);
  } else {
    const module = question.replace(/_/g, '-');
    await create(path.join(root, 'reference', id, `${module}.ts`), answersQuestionKey(question), written, root);
    await insertBefore(index, IMPORTS_MARKER, `import * as ${camel(question)} from './${module}.js';\n`, written, root);
    await insertBefore(index, QUESTIONS_MARKER, `  ${question}: ${camel(question)},\n`, written, root);
    await append(manifestFile, answersQuestionManifest(question), written, root);
    await append(path.join(root, 'assignments', id, 'starter', 'answers.yaml'), `${question}:\n  value: null   # f(3) for f(x) = 2x\n`, written, root);
    await append(path.join(root, 'examples', id, 'correct', 'answers.yaml'), `${question}:\n  value: 6\n`, written, root);
    await append(path.join(root, 'assignments', id, 'handout.md'), handoutRow(question, 'f(3) for f(x) = 2x, as `value`'), written, root);
  }
  return written;
}
