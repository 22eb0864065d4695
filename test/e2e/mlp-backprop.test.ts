// End to end on mlp-backprop: the correct example scores full marks, and each wrong example loses exactly the
// questions its expected.json names, with its mistake recognised from the numbers and named in its report.
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

describe('dlgrade grade mlp-backprop examples', () => {
  let out: string;
  const results = new Map<string, ResultT>();
  const expected = new Map<string, Expected>();

  beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-e2e-mlp-'));
    const graded = await gradeExamples<Expected>('mlp-backprop', out);
    const run = graded.run;
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.exitCode).toBe(0);
    for (const [k, v] of graded.results) results.set(k, v);
    for (const [k, v] of graded.expected) expected.set(k, v);
  });

  it('grades every example', () => {
    expect([...results.keys()].sort()).toEqual([...expected.keys()].sort());
    expect(expected.size).toBe(8);
  });

  it('the correct example scores 11/11 on the autograded questions, with no case in error', () => {
    const correct = results.get('correct')!;
    const errors = correct.questions.flatMap((q) => q.cases.filter((c) => c.status !== 'pass' && c.status !== 'pending').map((c) => `${q.id}/${c.id}: ${c.status} ${c.error?.message ?? ''}`));
    // linear_backward, sgd_step and mlp_end_to_end use the runner's `parameter` and `attach_grads` probes.
    expect(errors, 'see the probes described in assignments/mlp-backprop/manifest.yaml').toEqual([]);
    // The two manual questions (curve.png, observations.md) wait for staff: pending, not counted.
    expect(correct.score).toEqual({ points: 11, maxPoints: 13, pendingPoints: 2 });
  });

  it('each wrong example loses exactly the questions its expected.json names', () => {
    for (const [student, result] of results) {
      const lost = result.questions.filter((q) => q.status !== 'pending' && q.points < q.maxPoints).map((q) => q.id);
      expect(lost.sort(), student).toEqual([...expected.get(student)!.lose].sort());
    }
  });

  it('in every question it loses, a wrong example is recognised as its mistake, and never as another', () => {
    for (const [student, result] of results) {
      const { lose, mistake } = expected.get(student)!;
      if (!mistake) continue;
      for (const q of result.questions) {
        const named = q.cases.flatMap((c) => (c.mistakes ?? []).map((m) => m.id));
        if (lose.includes(q.id)) expect(named, `${student}: ${q.id}`).toContain(mistake);
        expect(named.filter((id) => id !== mistake), `${student}: ${q.id}`).toEqual([]);
        // Each failing case fails on the numbers, not on a crash.
        for (const c of q.cases) if (c.status !== 'pass' && c.status !== 'pending') expect(c.status, `${student}: ${q.id}/${c.id}`).toBe('fail');
      }
    }
  });

  it('a forward that raises costs only its part: the backward runs on the stored inputs and keeps its share', async () => {
    const result = results.get('forward-not-implemented')!;
    const q = (id: string) => result.questions.find((x) => x.id === id)!;
    // relu is graded in two parts; every case's forward raises, every backward is right.
    expect(q('relu')).toMatchObject({
      points: 0.5,
      status: 'partial',
      parts: [
        { id: 'forward', points: 0, maxPoints: 0.5 },
        { id: 'backward', points: 0.5, maxPoints: 0.5 },
      ],
    });
    for (const c of q('relu').cases) {
      expect(c, c.id).toMatchObject({ status: 'error', parts: { forward: false, backward: true }, error: { type: 'NotImplemented', message: 'ReLU.forward' } });
      expect(c.outputs.map((o) => [o.name, o.pass])).toEqual([
        ['out', false],
        ['dLdin', true],
      ]);
    }
    // The cross-entropy backward, behind a forward that raises, is graded on its own: full marks.
    expect(q('cross_entropy_backward')).toMatchObject({ points: 2, status: 'passed' });
    expect(q('cross_entropy_forward').points).toBe(0);
    // A chain with no recovery (the whole MLP) still needs every forward.
    expect(q('mlp_end_to_end').points).toBe(0);
    const report = await readFile(path.join(out, 'forward-not-implemented', 'report.md'), 'utf8');
    expect(report).toContain('Parts: forward 0/0.5, backward 0.5/0.5');
    const check = await dlgrade(['check', 'mlp-backprop', '--submission', path.join('examples', 'mlp-backprop', 'forward-not-implemented'), '--question', 'relu']);
    expect(check.stdout).toContain('relu (0.5/1: forward 0/0.5, backward 0.5/0.5)');
    expect(check.stdout).toContain('out: not computed: relu raised NotImplementedError');
  });

  it('a mistake in one part keeps the other part\'s share: a ReLU mask x >= 0 fails only the backward on exact zeros', () => {
    const relu = results.get('relu-mask-ge')!.questions.find((x) => x.id === 'relu')!;
    expect(relu.parts).toEqual([
      { id: 'forward', points: 0.5, maxPoints: 0.5 },
      { id: 'backward', points: 0.25, maxPoints: 0.5 },
    ]);
    expect(relu.points).toBe(0.75);
  });

  it('names the mistake in the reports', async () => {
    const report = (student: string) => readFile(path.join(out, student, 'report.md'), 'utf8');
    expect(await report('grad-transposed')).toMatch(/transpose of the right one/);
    expect(await report('missing-batch-mean')).toMatch(/exactly B times too large/);
    expect(await report('bias-grad-not-summed')).toMatch(/one row per example/);
    expect(await report('relu-mask-ge')).toMatch(/mask x >= 0/);
    expect(await report('softmax-overflow')).toMatch(/Subtract each row's maximum/);
    expect(await report('wrong-sign')).toMatch(/wrong sign/);
    expect(await report('correct')).not.toMatch(/Your /);
  });
});

describe('dlgrade validate mlp-backprop', () => {
  it('passes: schema, fixtures, full marks for the solution, zero with clear messages for the starter', async () => {
    const run = await dlgrade(['validate', 'mlp-backprop']);
    expect(String(run.stdout)).not.toMatch(/FAIL/);
    expect(run.exitCode).toBe(0);
  });
});
