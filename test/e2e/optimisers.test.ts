// End to end on optimisers: the correct example scores 8/8 with float64 precision, and each wrong example loses exactly
// the questions its expected.json names, with its mistake recognised from the numbers and named in its report.
import { cp, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResultT } from '../../graders/result/schema.js';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { ROOT, dlgrade, gradeExamples } from './cli.js';

interface Expected {
  lose: string[];
  mistake: string | null;
  /** Questions staff read (0 points): pending in every example. */
  pending: string[];
}

describe('dlgrade grade optimisers examples', () => {
  let out: string;
  const results = new Map<string, ResultT>();
  const expected = new Map<string, Expected>();

  beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-e2e-optim-'));
    const graded = await gradeExamples<Expected>('optimisers', out);
    expect(graded.run.stderr).not.toMatch(/internal error/);
    expect(graded.run.exitCode).toBe(0);
    for (const [k, v] of graded.results) results.set(k, v);
    for (const [k, v] of graded.expected) expected.set(k, v);
  });

  it('grades every example', () => {
    expect([...results.keys()].sort()).toEqual([...expected.keys()].sort());
    expect(expected.size).toBe(7);
  });

  it('the correct example scores 8/8, with no case in error', () => {
    const correct = results.get('correct')!;
    const pending = new Set(expected.get('correct')!.pending);
    const notPassed = correct.questions.filter((q) => !pending.has(q.id)).flatMap((q) => q.cases.filter((c) => c.status !== 'pass').map((c) => `${q.id}/${c.id}: ${c.status}`));
    expect(notPassed).toEqual([]);
    expect(correct.score).toEqual({ points: 8, maxPoints: 8, pendingPoints: 0 });
  });

  it('the staff-read questions are pending at 0 points in every example, with the correct example\'s plot, observations and theory shown', async () => {
    for (const [student, result] of results) {
      const pending = result.questions.filter((q) => q.status === 'pending').map((q) => [q.id, q.maxPoints]);
      expect(pending, student).toEqual(expected.get(student)!.pending.map((id) => [id, 0]));
    }
    const correct = results.get('correct')!;
    const material = (id: string) => correct.questions.find((q) => q.id === id)!.manual!.material[0];
    expect(material('training_curves')).toMatchObject({ kind: 'file', source: 'curve.png', mediaType: 'image/png' });
    expect(Buffer.from(material('training_curves').data!, 'base64').equals(await readFile(path.join(ROOT, 'examples', 'optimisers', 'correct', 'curve.png')))).toBe(true);
    expect(material('curve_observations').text).toContain('minimum-norm solution');
    expect(material('theory').text).toContain('Why Adam corrects the bias');
    expect(results.get('eps-inside-sqrt')!.questions.find((q) => q.id === 'theory')!.manual!.material[0].problem).toBe('not handed in: theory.md is not in the submission');
  });

  it('keeps float64 end to end: the least-squares answers come back as float64 and agree to ~1e-12, every tuple item compared on its own', () => {
    const correct = results.get('correct')!;
    for (const id of ['min_norm', 'loss_after_step', 'optimal_lr', 'hypergradient']) {
      for (const c of correct.questions.find((q) => q.id === id)!.cases) {
        for (const o of c.outputs) {
          expect(o.diagnostics.actualDtype, `${id}/${c.id}`).toBe('float64');
          // float32 anywhere on the way (fixture, job inputs, runner, outputs) would leave errors near 1e-7.
          expect(Number(o.diagnostics.relError), `${id}/${c.id}`).toBeLessThan(1e-9);
        }
      }
    }
    const adam = correct.questions.find((q) => q.id === 'adam')!;
    expect(adam.cases[0].outputs.map((o) => o.name)).toEqual(['w', 'm', 'v']);
  });

  it('each wrong example loses exactly the questions its expected.json names', () => {
    for (const [student, result] of results) {
      const lost = result.questions.filter((q) => q.points < q.maxPoints).map((q) => q.id);
      expect(lost.sort(), student).toEqual([...expected.get(student)!.lose].sort());
    }
  });

  it('in every question it loses, a wrong example is recognised as its mistake, and never as another', () => {
    for (const [student, result] of results) {
      const { lose, mistake } = expected.get(student)!;
      if (!mistake) continue;
      for (const q of result.questions) {
        if (q.status === 'pending') continue;
        const named = q.cases.flatMap((c) => c.mistakes.map((m) => m.id));
        if (lose.includes(q.id)) expect(named, `${student}: ${q.id}`).toContain(mistake);
        expect(named.filter((id) => id !== mistake), `${student}: ${q.id}`).toEqual([]);
        for (const c of q.cases) {
          if (c.status === 'pass') continue;
          // torch.linalg.inv of the singular X^T X raises on some matrices and returns noise on others.
          if (student === 'normal-equations' && c.status === 'error') expect(c.error?.message, `${student}: ${q.id}/${c.id}`).toMatch(/singular|could not be completed/);
          else expect(c.status, `${student}: ${q.id}/${c.id}`).toBe('fail');
        }
      }
    }
  });

  it('reports the momentum convention, and each tuple item on its own', async () => {
    const report = await readFile(path.join(out, 'momentum-lr-in-velocity', 'report.md'), 'utf8');
    expect(report).toMatch(/This course follows torch\.optim\.SGD: v = momentum\*v \+ grad, w = w - lr\*v/);
    const firstStep = results.get('momentum-lr-in-velocity')!.questions[0].cases.find((c) => c.id === 'first-step')!;
    // With velocity 0 both conventions give the same w; only the velocity tells them apart.
    expect(firstStep.outputs.map((o) => [o.name, o.pass])).toEqual([
      ['w', true],
      ['velocity', false],
    ]);
  });

  it('recognises (X^T X)^-1 X^T t from the numbers: not a solution of X w = t', async () => {
    const minNorm = results.get('normal-equations')!.questions.find((q) => q.id === 'min_norm')!;
    const failed = minNorm.cases.filter((c) => c.status === 'fail');
    expect(failed.length).toBeGreaterThan(0);
    for (const c of failed) expect(c.outputs[0].diagnostics.patterns.map((p) => p.kind)).toContain('not-a-solution');
    const report = await readFile(path.join(out, 'normal-equations', 'report.md'), 'utf8');
    expect(report).toMatch(/it does not solve X @ x = t/);
    expect(report).toMatch(/X\^T X is d x d of rank n, so it is singular/);
  });

  it('names the other mistakes in the reports', async () => {
    const report = (student: string) => readFile(path.join(out, student, 'report.md'), 'utf8');
    expect(await report('eps-inside-sqrt')).toMatch(/add eps after the square root/);
    expect(await report('adam-no-bias-correction')).toMatch(/no bias correction/);
    expect(await report('gradient-one-over-n')).toMatch(/not \(1\/n\) X\^T \(Xw - t\)/);
    expect(await report('hypergradient-wrong-sign')).toMatch(/wrong sign/);
    expect(await report('correct')).not.toMatch(/Your /);
  });
});

describe('dlgrade validate optimisers', () => {
  it('passes: schema, fixtures, full marks for the solution, zero with clear messages for the starter', async () => {
    const run = await dlgrade(['validate', 'optimisers']);
    expect(String(run.stdout)).not.toMatch(/FAIL/);
    expect(run.exitCode).toBe(0);
  });

  it('fixtures --check: the committed fixtures are byte-identical to a regeneration', async () => {
    const run = await dlgrade(['fixtures', 'optimisers', '--check']);
    expect(run.exitCode).toBe(0);
    expect(String(run.stdout)).toMatch(/33 fixture files? (\(s\) )?are byte-identical/);
  });
});

describe('the optimisers student kit and Gradescope bundle', () => {
  const PYTHON = process.env.DLGRADE_PYTHON ?? '/usr/bin/python3';
  const EXAMPLES = path.join(ROOT, 'examples', 'optimisers');

  it('the kit holds no hidden case and no answer key, and check runs from it on the public cases', async () => {
    const kit = path.join(await mkdtemp(path.join(os.tmpdir(), 'dlgrade-optim-kit-')), 'kit');
    expect((await dlgrade(['export-student', 'optimisers', '--out', kit])).exitCode).toBe(0);
    await symlink(path.join(ROOT, 'node_modules'), path.join(kit, 'node_modules'), 'dir');
    const manifest = parseYaml(await readFile(path.join(ROOT, 'assignments', 'optimisers', 'manifest.yaml'), 'utf8')) as {
      questions: { cases: { id: string; visibility: string }[] }[];
    };
    const cases = manifest.questions.flatMap((q) => q.cases ?? []);
    const publicIds = new Set(cases.filter((c) => c.visibility === 'public').map((c) => c.id));
    const hiddenOnly = cases.filter((c) => c.visibility === 'hidden' && !publicIds.has(c.id)).map((c) => c.id);
    const data = (await readdir(kit, { recursive: true })).filter((f) => /^(assignments|fixtures)\//.test(f) || f === 'README.md');
    const texts = await Promise.all(data.map((f) => readFile(path.join(kit, f), 'latin1').catch(() => '')));
    for (const id of hiddenOnly) expect(texts.some((t) => t.includes(id)), id).toBe(false);
    const referenceLines = (await readFile(path.join(ROOT, 'reference', 'optimisers', 'least-squares.ts'), 'utf8')).split('\n').filter((l) => l.trim().length > 50);
    const kitFiles = (await readdir(kit, { recursive: true })).filter((f) => !f.startsWith('node_modules') && /\.(js|ts|md|yaml|json)$/.test(f));
    const kitText = (await Promise.all(kitFiles.map((f) => readFile(path.join(kit, f), 'utf8').catch(() => '')))).join('\n');
    for (const line of referenceLines) expect(kitText.includes(line.trim()), line).toBe(false);

    const run = (example: string) =>
      execa(process.execPath, [path.join(kit, 'bin', 'dlgrade.js'), 'check', 'optimisers', '--submission', path.join(EXAMPLES, example), '--json'], {
        cwd: kit,
        reject: false,
        env: { NO_COLOR: '1', DLGRADE_PYTHON: PYTHON },
      });
    const [correct, wrong] = await Promise.all([run('correct'), run('eps-inside-sqrt')]);
    expect(correct.exitCode, correct.stderr).toBe(0);
    expect(JSON.parse(correct.stdout).score).toMatchObject({ points: 8, maxPoints: 8 });
    const lost = JSON.parse(wrong.stdout) as ResultT;
    expect(lost.questions.filter((q) => q.points < q.maxPoints).map((q) => q.id)).toEqual(['rmsprop', 'adam']);
    expect(lost.questions.flatMap((q) => q.cases.flatMap((c) => c.mistakes.map((m) => m.id)))).toContain('eps-inside-sqrt');
  });

  it('a function that returns one tensor where a tuple is expected is told so, item by item', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-optim-tuple-'));
    const correct = await readFile(path.join(EXAMPLES, 'correct', 'optim.py'), 'utf8');
    await writeFile(path.join(dir, 'optim.py'), correct.replace('return w - lr * m_hat / (v_hat.sqrt() + eps), m, v', 'return w - lr * m_hat / (v_hat.sqrt() + eps)'));
    const run = await dlgrade(['check', 'optimisers', '--submission', dir, '--question', 'adam', '--json'], { env: { DLGRADE_PYTHON: PYTHON } });
    expect(run.exitCode, run.stderr).toBe(0);
    const [adam] = (JSON.parse(run.stdout) as ResultT).questions;
    expect(adam.cases[0].outputs.map((o) => [o.name, o.summary])).toEqual([
      ['w', 'adam_step is a Tensor; expected a tuple or list of at least 1 items'],
      ['m', 'adam_step is a Tensor; expected a tuple or list of at least 2 items'],
      ['v', 'adam_step is a Tensor; expected a tuple or list of at least 3 items'],
    ]);
  });

  it('the Gradescope bundle grades the correct example 8/8 on all 33 cases', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-optim-gs-'));
    const zip = path.join(tmp, 'autograder.zip');
    expect((await dlgrade(['export-gradescope', 'optimisers', '--out', zip])).exitCode).toBe(0);
    const root = path.join(tmp, 'autograder');
    await mkdir(path.join(root, 'source'), { recursive: true });
    await execa(PYTHON, ['-c', 'import os, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1]) as z:\n    for i in z.infolist():\n        t = z.extract(i, sys.argv[2])\n        m = (i.external_attr >> 16) & 0o777\n        if m: os.chmod(t, m)', zip, path.join(root, 'source')]);
    await symlink(path.join(ROOT, 'node_modules'), path.join(root, 'source', 'dlgrade', 'node_modules'), 'dir');
    await cp(path.join(EXAMPLES, 'correct'), path.join(root, 'submission'), { recursive: true });
    const run = await execa('bash', [path.join(root, 'source', 'run_autograder')], { cwd: root, env: { AUTOGRADER_ROOT: root, DLGRADE_PYTHON: PYTHON }, reject: false });
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    const results = JSON.parse(await readFile(path.join(root, 'results', 'results.json'), 'utf8')) as { score: number; tests: { name: string; status?: string; max_score?: number }[] };
    // One test per automatic case, then one per staff-read question: information, not a failed 0-point test.
    const automatic = results.tests.filter((t) => !/ — graded by staff$/.test(t.name));
    expect(automatic).toHaveLength(33);
    expect(automatic.every((t) => t.status === 'passed')).toBe(true);
    expect(results.tests.filter((t) => / — graded by staff$/.test(t.name)).map((t) => [t.max_score, t.status])).toEqual([[undefined, undefined], [undefined, undefined], [undefined, undefined]]);
    expect(results.score).toBe(8);
  });
});
