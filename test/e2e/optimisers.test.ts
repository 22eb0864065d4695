// End to end on optimisers: the correct example scores 8/8 with float64 precision, and each wrong example loses exactly
// the questions its expected.json names, with its mistake recognised from the numbers and named in its report.
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResultT } from '../../graders/result/schema.js';
import { dlgrade, gradeExamples } from './cli.js';

interface Expected {
  lose: string[];
  mistake: string | null;
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
    const notPassed = correct.questions.flatMap((q) => q.cases.filter((c) => c.status !== 'pass').map((c) => `${q.id}/${c.id}: ${c.status}`));
    expect(notPassed).toEqual([]);
    expect(correct.score).toEqual({ points: 8, maxPoints: 8, pendingPoints: 0 });
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
    expect(String(run.stdout)).toMatch(/33 fixture file\(s\) are byte-identical/);
  });
});
