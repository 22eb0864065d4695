// What a person reads from a result: scores as people write them, figures that say their measure, errors said once,
// a student's printed output, Gradescope points that add up.
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import type { CaseResultT, QuestionResultT, ResultT } from '../result/schema.js';
import { renderConsole } from './console.js';
import { splitPoints, toGradescope } from './gradescope.js';
import { compactNumber } from './view-model.js';
import { GradescopeResultsSchema } from '../export/gradescope-schema.js';

const tol = { mode: 'rel_error', rtol: 1e-4, atol: 0 };

function kase(id: string, over: Partial<CaseResultT> = {}): CaseResultT {
  return { id, visibility: 'public', status: 'pass', weight: 1, durationMs: 5, outputs: [], mistakes: [], ...over };
}

function valueCase(id: string, relError: number, pass = relError <= 1e-4): CaseResultT {
  return kase(id, {
    status: pass ? 'pass' : 'fail',
    outputs: [{ name: 'loss', pass, summary: pass ? 'correct' : 'wrong values', diagnostics: { pass, expectedShape: [], expectedDtype: 'float32', size: 1, relError, maxAbsError: relError, patterns: [], tolerance: tol } }],
  });
}

function question(id: string, cases: CaseResultT[], points: number, maxPoints: number): QuestionResultT {
  return { id, title: id, points, maxPoints, status: points >= maxPoints ? 'passed' : points > 0 ? 'partial' : 'failed', cases };
}

function result(questions: QuestionResultT[]): ResultT {
  const points = questions.reduce((s, q) => s + q.points, 0);
  return {
    schemaVersion: 1,
    student: 's1',
    mode: 'check',
    assignment: { id: 'demo', title: 'Demo', version: '1', manifestSha256: 'x' },
    submission: { path: '.', sha256: 'x' },
    engine: { dlgrade: '0', node: '20', runtime: {}, sandbox: 'none' },
    fixtures: { referenceVersion: '1', backend: 'cpu', seed: 1, files: {} },
    startedAt: '2026-01-01T00:00:00Z',
    durationMs: 1234,
    score: { points, maxPoints: questions.reduce((s, q) => s + q.maxPoints, 0), pendingPoints: 0 },
    questions,
    notices: [],
  };
}

const importError = { type: 'ImportFailed', message: "importing hw.py failed: ModuleNotFoundError: No module named 'torchvision'", student_line: { file: 'hw.py', line: 3, code: 'import torchvision' } };

describe('the console report', () => {
  it('prints points with at most two decimals (2.17/4, not 2.166667/4)', () => {
    const text = renderConsole(result([question('q', [valueCase('a', 0), valueCase('b', 0), valueCase('c', 0.5)], 2.166667, 4)]));
    expect(text).toMatch(/2\.17\/4/);
    expect(text).not.toMatch(/2\.16666/);
  });

  it('keeps the columns aligned for a long question id', () => {
    const long = 'a_question_with_a_really_long_identifier_beyond_the_usual';
    const lines = renderConsole(result([question(long, [valueCase('a', 0)], 1, 1), question('q', [valueCase('a', 0)], 1, 1)])).split('\n');
    const rows = lines.filter((l) => /PASS/.test(l));
    expect(rows).toHaveLength(2);
    expect(rows[0].indexOf('PASS')).toBe(rows[1].indexOf('PASS'));
  });

  it('says which measure the figure column holds: rel for rel_error, abs for allclose', () => {
    const abs = kase('x', { status: 'fail', outputs: [{ name: 'g', pass: false, summary: 'wrong', diagnostics: { pass: false, expectedShape: [2], expectedDtype: 'float32', size: 2, maxAbsError: 152, relError: 0.4, patterns: [], tolerance: { mode: 'allclose', rtol: 1e-4, atol: 1e-6 } } }] });
    const text = renderConsole(result([question('q1', [valueCase('a', 0.031, false)], 0, 1), question('q2', [abs], 0, 1)]));
    expect(text).toMatch(/q1 +FAIL +0\/1 +rel 0\.031/);
    expect(text).toMatch(/q2 +FAIL +0\/1 +abs 152/);
    expect(text).not.toMatch(/rel_error\s*\n/);
    expect(compactNumber(0.0312)).toBe('0.031');
    expect(compactNumber(3.1e-5)).toBe('3.1e-5');
  });

  it('shows an answers question its own measure and reads "not answered" as a sentence', () => {
    const cell = (id: string, pass: boolean) =>
      kase(id, { status: pass ? 'pass' : 'fail', outputs: [{ name: 'answer', pass, summary: pass ? 'correct' : 'not right', diagnostics: { pass, expectedShape: [], expectedDtype: 'float64', size: 1, patterns: [], tolerance: { mode: 'rel_error', rtol: 0.01, atol: 0 } } }] });
    const missing = kase('answers', { status: 'fail', outputs: [{ name: 'answer', pass: false, summary: 'not answered: the answers file has no relu_net section', diagnostics: { pass: false, expectedShape: [], expectedDtype: 'answer', size: 1, patterns: [], tolerance: { mode: 'exact', rtol: 0, atol: 0 } } }] });
    const text = renderConsole(result([question('backprop', [cell('a', true), cell('b', false)], 3, 6), question('relu_net', [missing], 0, 3)]));
    expect(text).toMatch(/backprop +PARTIAL +3\/6 +rel ≤ 0\.01, 1\/2 cells/);
    expect(text).not.toMatch(/backprop .*—/);
    expect(text).toMatch(/✗ not answered: the answers file has no relu_net section/);
    expect(text).not.toMatch(/answers: answer:/);
  });

  it('shows an import error once for the submission, not once per question', () => {
    const failing = (id: string) => kase(id, { status: 'error', error: importError });
    const text = renderConsole(result([question('q1', [failing('a'), failing('b')], 0, 1), question('q2', [failing('a')], 0, 1), question('q3', [failing('c')], 0, 1)]));
    expect(text.match(/No module named 'torchvision'/g)).toHaveLength(1);
    expect(text.match(/hw\.py:3/g)).toHaveLength(1);
    expect(text).toMatch(/q2 \(0\/1\)\n +✗ a: the load error above/);
  });

  it("shows the first lines a failed case printed, and all of them with --verbose", () => {
    const stdout = Array.from({ length: 12 }, (_, i) => `debug line ${i + 1}`).join('\n');
    const failed = kase('a', { ...valueCase('a', 0.5, false), stdout });
    const text = renderConsole(result([question('q', [failed, kase('b', { ...valueCase('b', 0), stdout: 'quiet pass' })], 0.5, 1)]));
    expect(text).toMatch(/your code printed:\n +\| debug line 1\n/);
    expect(text).toMatch(/\| debug line 5\n/);
    expect(text).not.toMatch(/debug line 6\n/);
    expect(text).toMatch(/7 more lines \(--verbose shows all\)/);
    expect(text).not.toMatch(/quiet pass/);
    expect(renderConsole(result([question('q', [failed], 0, 1)]), false, true)).toMatch(/\| debug line 12/);
  });
});

describe('Gradescope results', () => {
  it.each([
    [1, [1, 1, 1]],
    [2, [1, 1, 1, 1, 1, 1, 1]],
    [3, [2, 1, 1]],
    [0.5, [1, 1, 1]],
    [6, Array.from({ length: 34 }, () => 1)],
  ])('splits %d points over weights %j into hundredths that add up exactly (largest remainder)', (points, weights) => {
    const shares = splitPoints(points, weights);
    expect(Math.round(shares.reduce((s, x) => s + x, 0) * 100)).toBe(Math.round(points * 100));
    for (const x of shares) expect(Math.round(x * 100)).toBeCloseTo(x * 100, 9);
    const equal = weights.every((w) => w === weights[0]);
    if (equal) expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(0.0100001);
  });

  it('sets execution_time and Markdown output, and per-test max_score adds up to the question points', () => {
    const gs = toGradescope(result([question('q', [valueCase('a', 0), valueCase('b', 0), valueCase('c', 0.5)], 2 / 3, 1)]));
    expect(gs.execution_time).toBeCloseTo(1.234, 6);
    expect(gs.output_format).toBe('md');
    expect(gs.test_output_format).toBe('md');
    expect(Math.round(gs.tests.reduce((s, t) => s + (t.max_score ?? 0), 0) * 100)).toBe(100);
    const ajv = new Ajv({ strict: false });
    expect(ajv.validate(GradescopeResultsSchema, gs), JSON.stringify(ajv.errors)).toBe(true);
  });
});
