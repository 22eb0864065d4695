// End to end on cnn-architectures: questions answered by the runner's probes (model_summary, train_step) rather
// than by calling a tensor function. The correct example scores 9/9; each wrong example loses exactly the questions
// its expected.json names, is recognised as its mistake, and a failed `_params` case carries the per-layer table.
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CaseResultT, ResultT } from '../../graders/result/schema.js';
import { dlgrade, gradeExamples } from './cli.js';


interface Expected {
  lose: string[];
  mistake: string | null;
}

describe('dlgrade grade cnn-architectures examples', () => {
  let out: string;
  const results = new Map<string, ResultT>();
  const expected = new Map<string, Expected>();
  const caseOf = (student: string, question: string, id: string): CaseResultT =>
    results.get(student)!.questions.find((q) => q.id === question)!.cases.find((c) => c.id === id)!;

  beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-e2e-cnn-'));
    const graded = await gradeExamples<Expected>('cnn-architectures', out, { timeoutMs: 300_000 });
    const run = graded.run;
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.exitCode).toBe(0);
    for (const [k, v] of graded.results) results.set(k, v);
    for (const [k, v] of graded.expected) expected.set(k, v);
  }, 330_000);

  it('grades every example', () => {
    expect([...results.keys()].sort()).toEqual([...expected.keys()].sort());
    expect(expected.size).toBe(6);
  });

  it('the correct example scores 9/9 on public and hidden cases, with no case in error', () => {
    const correct = results.get('correct')!;
    const notPassed = correct.questions.flatMap((q) => q.cases.filter((c) => c.status !== 'pass').map((c) => `${q.id}/${c.id}: ${c.status} ${c.error?.message ?? ''}`));
    expect(notPassed).toEqual([]);
    expect(correct.score).toEqual({ points: 9, maxPoints: 9, pendingPoints: 0 });
    expect(correct.questions.every((q) => q.cases.some((c) => c.visibility === 'hidden'))).toBe(true);
  });

  it('each wrong example loses exactly the questions its expected.json names', () => {
    for (const [student, result] of results) {
      const lost = result.questions.filter((q) => q.points < q.maxPoints).map((q) => q.id);
      expect(lost.sort(), student).toEqual([...expected.get(student)!.lose].sort());
    }
  });

  it('in the first question it loses, a wrong example is recognised as its mistake', () => {
    for (const [student, result] of results) {
      const { lose, mistake } = expected.get(student)!;
      if (!mistake) continue;
      const q = result.questions.find((x) => x.id === lose[0])!;
      const named = q.cases.flatMap((c) => c.mistakes.map((m) => m.id));
      expect(named, `${student}: ${q.id}`).toContain(mistake);
    }
  });

  it('ConvTransposeNet without padding passes the public case (32×32 by accident with k=3) and fails k=5', () => {
    expect(caseOf('convtranspose-no-padding', 'conv_transpose_net_shape', 'public').status).toBe('pass');
    const k5 = caseOf('convtranspose-no-padding', 'conv_transpose_net_shape', 'kernel-5');
    expect(k5.status).toBe('fail');
    expect(k5.outputs[0].diagnostics.worst).toMatchObject({ actual: 28, expected: 32 });
  });

  it('a failed params case shows the per-layer table: ungraded outputs are not compared', () => {
    const c = caseOf('unet-skip-after-final-conv', 'unet_params', 'public');
    expect(c.status).toBe('fail');
    expect(c.outputs.map((o) => o.name)).toEqual(['param_count']);
    const details = c.details!.join('\n');
    expect(details).toMatch(/^\s+layer\s+kind\s+output shape\s+params\s+yours/m);
    expect(details).toMatch(/^✗\s+layer5\s+Conv2d\(25→24, k=3, s=1, p=1\)\s+\[24, 32, 32\]\s+5,424\s+5,208\s+weight: layer5\.weight \[24, 24, 3, 3\], expected \[24, 25, 3, 3\]$/m);
    expect(details).toContain('Total trainable parameters: 56,640, expected 56,856 (-216).');
    expect(details).toContain('First difference at layer5.weight (Conv2d(25→24, k=3, s=1, p=1), output [24, 32, 32]): expected shape [24, 25, 3, 3], your tensor 16 (layer5.weight) has [24, 24, 3, 3].');
    const bias = caseOf('bias-free-convs', 'pool_upsample_net_params', 'public').details!.join('\n');
    expect(bias).toMatch(/First difference: your model has no tensor for layer1\.0\.bias/);
    // Passing cases carry no table.
    expect(caseOf('correct', 'unet_params', 'public').details).toBeUndefined();
  });

  it('a failed trains case names the tensors that got no gradient', () => {
    const c = caseOf('pool-upsample-unused-final-conv', 'pool_upsample_net_trains', 'public');
    expect(c.outputs.map((o) => o.name)).toEqual(['finite', 'all_have_grad', 'batchnorm_input_nonnegative']);
    expect(c.details).toEqual(['No finite gradient after backward for 2 of 18 trainable tensors:', '  layer5.weight [24, 24, 3, 3]', '  layer5.bias [24]']);
  });

  it('ReLU before BatchNorm is named on the public case, though shape, count and gradients are right', () => {
    const c = caseOf('relu-before-batchnorm', 'conv_transpose_net_trains', 'public');
    expect(c.status).toBe('fail');
    expect(c.outputs.filter((o) => !o.pass).map((o) => o.name)).toEqual(['batchnorm_input_nonnegative']);
    expect(c.mistakes.map((m) => m.id)).toEqual(['relu-before-batchnorm']);
    expect(c.mistakes[0].message).toMatch(/ReLU before BatchNorm/);
    expect(caseOf('relu-before-batchnorm', 'conv_transpose_net_shape', 'public').status).toBe('pass');
    expect(caseOf('relu-before-batchnorm', 'conv_transpose_net_params', 'public').status).toBe('pass');
  });

  it('the student report shows the table and the mistake', async () => {
    const md = await readFile(path.join(out, 'unet-skip-after-final-conv', 'report.md'), 'utf8');
    expect(md).toContain('the network input is concatenated after the final convolution');
    expect(md).toContain('First difference at layer5.weight');
    const html = await readFile(path.join(out, 'correct', 'report.html'), 'utf8');
    expect(html).toContain('9 / 9');
  });
});
