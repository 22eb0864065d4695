// A new assignment is folders, not an engine change: in a copy of the project, `dlgrade new` makes a code assignment
// and an answers assignment, one formula of each is changed, and a correct and a wrong submission are graded,
// while nothing under graders/ or scripts/ is touched.
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { execa, type Result } from 'execa';
import type { ResultT } from '../../graders/result/schema.js';
import { ROOT } from './cli.js';

let copy: string;
let engineBefore: Map<string, string>;
const runs: Record<string, Result> = {};

/** dlgrade from the copy, so it builds and finds the copy's own assignments and keys. */
const run = (args: string[]) =>
  execa(process.execPath, [path.join(copy, 'bin', 'dlgrade.js'), ...args], { cwd: copy, env: { NO_COLOR: '1' }, reject: false, timeout: 600_000 });

/** sha256 of every file under the engine's folders, by path. */
async function engineFiles(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const dir of ['graders', 'scripts']) {
    for (const rel of (await readdir(path.join(copy, dir), { recursive: true, withFileTypes: true })).filter((e) => e.isFile())) {
      const file = path.join(rel.parentPath, rel.name);
      out.set(path.relative(copy, file), createHash('sha256').update(await readFile(file)).digest('hex'));
    }
  }
  return out;
}

async function edit(rel: string, from: string, to: string): Promise<void> {
  const file = path.join(copy, rel);
  const text = await readFile(file, 'utf8');
  expect(text, `${rel} has ${from}`).toContain(from);
  await writeFile(file, text.replace(from, to));
}

async function results(out: string): Promise<Record<string, ResultT>> {
  const dir = path.join(copy, out, 'results');
  return Object.fromEntries(await Promise.all((await readdir(dir)).map(async (f) => [f.replace(/\.json$/, ''), JSON.parse(await readFile(path.join(dir, f), 'utf8'))])));
}

beforeAll(async () => {
  copy = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-new-'));
  // The sources with their times kept, and the build, so only what `dlgrade new` writes is newer than dist/.
  for (const entry of ['package.json', 'tsconfig.json', 'bin', 'graders', 'reference', 'scripts', 'reports', 'dist']) {
    await cp(path.join(ROOT, entry), path.join(copy, entry), { recursive: true, preserveTimestamps: true, filter: (src) => !src.includes(`${path.sep}test-artifacts`) });
  }
  await mkdir(path.join(copy, 'assignments'));
  await mkdir(path.join(copy, 'fixtures'));
  await symlink(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  engineBefore = await engineFiles();

  runs.newCode = await run(['new', 'assignment', 'demo-code']);
  runs.newQuestion = await run(['new', 'question', 'demo-code', 'second']);
  runs.newAnswers = await run(['new', 'assignment', 'demo-answers', '--kind', 'answers']);
  // One formula each, in the key and in the solution: x² + 1 instead of 2x.
  await edit('reference/demo-code/example.ts', 'const out = tf.mul(x, 2);', 'const out = tf.add(tf.mul(x, x), 1);');
  await edit('examples/demo-code/correct/demo_code.py', 'def example(x):\n    return 2 * x', 'def example(x):\n    return x * x + 1');
  await edit('reference/demo-answers/example.ts', 'return { value: 2 * x };', 'return { value: x * x + 1 };');
  await edit('examples/demo-answers/correct/answers.yaml', 'value: 6', 'value: 10');

  runs.fixtures = await run(['fixtures', 'demo-code']);
  runs.validateCode = await run(['validate', 'demo-code']);
  runs.validateAnswers = await run(['validate', 'demo-answers']);

  // A correct and a wrong submission of each.
  const subs = path.join(copy, 'subs');
  await cp(path.join(copy, 'examples/demo-code/correct'), path.join(subs, 'code/right'), { recursive: true });
  await cp(path.join(copy, 'examples/demo-code/correct'), path.join(subs, 'code/wrong'), { recursive: true });
  await writeFile(path.join(subs, 'code/wrong/demo_code.py'), 'def example(x):\n    return 2 * x\n\n\ndef second(x):\n    return 2 * x\n');
  await mkdir(path.join(subs, 'answers/right'), { recursive: true });
  await mkdir(path.join(subs, 'answers/wrong'), { recursive: true });
  await writeFile(path.join(subs, 'answers/right/answers.yaml'), 'example:\n  value: 10\n');
  await writeFile(path.join(subs, 'answers/wrong/answers.yaml'), 'example:\n  value: 6\n');
  runs.gradeCode = await run(['grade', 'demo-code', path.join(subs, 'code'), '--out', 'out-code', '--jobs', '1', '--no-progress', '--no-sandbox']);
  runs.gradeAnswers = await run(['grade', 'demo-answers', path.join(subs, 'answers'), '--out', 'out-answers', '--no-progress']);
}, 1_500_000);

describe('dlgrade new', () => {
  it('writes the skeletons and registers both keys in reference/index.ts', async () => {
    for (const name of ['newCode', 'newQuestion', 'newAnswers']) expect(runs[name].exitCode, runs[name].stderr).toBe(0);
    const registry = await readFile(path.join(copy, 'reference/index.ts'), 'utf8');
    expect(registry).toContain("'demo-code': async () => (await import('./demo-code/index.js')).demoCodeReference,");
    expect(registry).toContain("'demo-answers': async () => (await import('./demo-answers/index.js')).demoAnswersKey,");
  });

  it('compiles the edited key before using it, and fixtures and validate accept both assignments', () => {
    expect(runs.fixtures.exitCode, runs.fixtures.stderr).toBe(0);
    expect(runs.fixtures.stderr).toMatch(/changed since the last build; compiling/);
    expect(runs.validateCode.exitCode, runs.validateCode.stdout).toBe(0);
    expect(runs.validateCode.stdout).toMatch(/ok +solution scores full marks: 2\/2/);
    expect(runs.validateAnswers.exitCode, runs.validateAnswers.stdout).toBe(0);
    expect(runs.validateAnswers.stdout).toMatch(/ok +solution scores full marks: 1\/1/);
  });

  it('grades a correct and a wrong code submission by the new formula', async () => {
    expect(runs.gradeCode.exitCode, runs.gradeCode.stderr).toBe(0);
    const r = await results('out-code');
    expect(r.right.questions.map((q) => [q.id, q.points])).toEqual([['example', 1], ['second', 1]]);
    // 2x is the skeleton's formula, no longer the key's: wrong for example, still right for second.
    expect(r.wrong.questions.map((q) => [q.id, q.points])).toEqual([['example', 0], ['second', 1]]);
  });

  it('grades a correct and a wrong answers file by the new formula', async () => {
    expect(runs.gradeAnswers.exitCode, runs.gradeAnswers.stderr).toBe(0);
    const r = await results('out-answers');
    expect(r.right.score.points).toBe(1);
    expect(r.wrong.score.points).toBe(0);
  });

  it('touched nothing under graders/ or scripts/', async () => {
    expect(await engineFiles()).toEqual(engineBefore);
  });
});
