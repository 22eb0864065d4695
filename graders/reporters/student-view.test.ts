// The student's view of a result never names a hidden case, its inputs, values or fixtures; the staff view keeps all.
import { describe, expect, it } from 'vitest';
import type { CaseResultT, DiagnosticsT, ResultT } from '../result/schema.js';
import { viewResult } from './view-model.js';
import { render } from './templates.js';
import { toGradescope } from './gradescope.js';
import { caseDiagnosis, summarize } from './class-files.js';
import { viewClassReport } from './class-report.js';

const HIDDEN_HASH = 'feedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedface';

function diagnostics(extra: Partial<DiagnosticsT>): DiagnosticsT {
  return { pass: false, expectedShape: [4, 4], actualShape: [4, 4], expectedDtype: 'float32', size: 16, patterns: [], tolerance: { mode: 'rel_error', rtol: 1e-4, atol: 0 }, ...extra };
}

function wrongValues(id: string, visibility: 'public' | 'hidden'): CaseResultT {
  const d = diagnostics({ failure: 'values', mismatchCount: 16, relError: 0.5, maxAbsError: 123.25, worst: { index: [3, 1], actual: 987.125, expected: 864.0625 }, patterns: [{ kind: 'scaled', factor: 144 }] });
  return {
    id,
    visibility,
    status: 'fail',
    weight: 1,
    durationMs: 3,
    outputs: [{ name: 'gram', pass: false, diagnostics: d, summary: 'wrong values (rel_error 0.5; worst at [3, 1]: got 987.125, expected 864.0625) — your values are the expected ones times 144' }],
    mistakes: [],
    stdout: 'printed 31337 secret-ish values',
    details: ['layer kernel-9 [32, 7, 7]'],
  };
}

function result(): ResultT {
  return {
    schemaVersion: 1,
    student: 'alice',
    mode: 'grade',
    assignment: { id: 'demo', title: 'Demo', version: '1', manifestSha256: 'x' },
    submission: { path: '/subs/alice', sha256: 'y' },
    engine: { dlgrade: '0.1.0', node: '20', runtime: {}, sandbox: 'bwrap' },
    fixtures: { referenceVersion: '1', backend: 'cpu', seed: 1, files: { 'public/gram/small.npz': 'ab'.repeat(32), 'hidden/gram/very-wide-input.npz': HIDDEN_HASH } },
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 10,
    score: { points: 0.25, maxPoints: 2, pendingPoints: 0 },
    notices: [],
    questions: [
      {
        id: 'gram',
        title: 'Gram',
        points: 0.25,
        maxPoints: 1,
        status: 'partial',
        cases: [
          { ...wrongValues('small', 'public'), status: 'pass', outputs: [{ name: 'gram', pass: true, diagnostics: diagnostics({ pass: true, relError: 1e-8 }), summary: 'correct (rel_error 1e-8)' }], stdout: undefined, details: undefined },
          // A later public case whose message names the hidden case that hung before it.
          { id: 'after', visibility: 'public', status: 'timeout', weight: 1, durationMs: 0, outputs: [], mistakes: [], error: { type: 'Timeout', message: 'not run: case hung-case-7 of this question did not finish in time' } },
          wrongValues('very-wide-input', 'hidden'),
          { id: 'hung-case-7', visibility: 'hidden', status: 'timeout', weight: 1, durationMs: 0, outputs: [], mistakes: [], error: { type: 'Timeout', message: 'did not finish within 5 s' } },
          {
            id: 'odd-shapes',
            visibility: 'hidden',
            status: 'error',
            weight: 1,
            durationMs: 1,
            outputs: [],
            mistakes: [],
            error: { type: 'RuntimeError', message: 'mat1 and mat2 shapes cannot be multiplied (16x7 and 9x3)', student_line: { file: 'gram.py', line: 12, code: 'return a @ b' } },
            stdout: 'shape (16, 7)',
          },
        ],
      },
      {
        id: 'loss',
        title: 'Loss',
        points: 0,
        maxPoints: 1,
        status: 'failed',
        cases: [{ ...wrongValues('tiny-batch', 'hidden'), mistakes: [{ id: 'no-norm', message: 'You forgot to normalise.' }], outputs: [{ name: 'loss', pass: false, diagnostics: diagnostics({ failure: 'shape', expectedShape: [], actualShape: [1, 1] }), summary: 'shape [1, 1], expected []' }] }],
      },
    ],
  };
}

const SECRETS = ['very-wide-input', 'hung-case-7', 'odd-shapes', 'tiny-batch', HIDDEN_HASH, HIDDEN_HASH.slice(0, 12), '987.125', '864.0625', '144', '16x7', '31337', 'kernel-9', 'shape (16, 7)'];

describe("a student's view of a result", () => {
  const view = viewResult(result(), 'student');
  const files = {
    'report.md': render('student.md.hbs', { ...view, classReport: false }),
    'report.html': render('student.html.hbs', { ...view, classReport: false }),
    'results.json': JSON.stringify(toGradescope(result())),
  };

  it.each(Object.keys(files))('%s names no hidden case, input, value, printed output or hidden fixture', (name) => {
    const text = files[name as keyof typeof files];
    for (const secret of SECRETS) expect(text, `${name} contains ${secret}`).not.toContain(secret);
  });

  it('numbers the hidden cases and says what went wrong in words', () => {
    const [gram, loss] = view.questions;
    expect(gram.cases.map((c) => c.id)).toEqual(['small', 'after', 'hidden case 1 of 3', 'hidden case 2 of 3', 'hidden case 3 of 3']);
    expect(gram.cases[1].lines[0]).toBe('timed out: not run: a hidden case of this question did not finish in time');
    expect(gram.cases[2].lines).toEqual(['wrong values (shape right, 16 of 16 elements off) — off by a constant factor']);
    expect(gram.cases[3].lines).toEqual(['timed out: did not finish within the time limit']);
    expect(gram.cases[4].lines).toEqual(['raised RuntimeError (its message is not shown: it may describe the hidden inputs)']);
    // The student's own line is theirs to see.
    expect(gram.cases[4].location).toBe('gram.py:12');
    expect(gram.cases[4].stdout).toBeUndefined();
    expect(loss.cases[0].lines).toEqual(['You forgot to normalise.', 'wrong shape (2 dimensions, expected a scalar)']);
    expect(loss.diagnosis).toBe('hidden case 1 of 1: You forgot to normalise.');
    expect(view.fixtures.map((f) => f.file)).toEqual(['public/gram/small.npz']);
    expect(files['report.md']).toContain('dlgrade check demo --submission . --student-id alice');
  });

  it('Gradescope tests of hidden cases are unnamed and visible after publication only', () => {
    const tests = toGradescope(result()).tests;
    expect(tests.filter((t) => t.visibility === 'after_published').map((t) => t.name)).toEqual(['Gram (gram) — hidden case 1 of 3', 'Gram (gram) — hidden case 2 of 3', 'Gram (gram) — hidden case 3 of 3', 'Loss (loss) — hidden case 1 of 1']);
  });

  it('the staff view keeps everything', () => {
    const html = render('student.html.hbs', { ...viewResult(result(), 'staff'), classReport: true });
    for (const secret of ['very-wide-input', 'hung-case-7', 'odd-shapes', '16x7', '987.125', 'kernel-9']) expect(html).toContain(secret);
    expect(html).toContain('../index.html');
  });
});

describe('the submission block', () => {
  it('renders what intake recorded and tolerates its absence', () => {
    const r = result() as ResultT & { submission: Record<string, unknown> };
    Object.assign(r.submission, {
      files: ['style_modules.py'],
      renames: [{ from: 'style_modules (1).py', to: 'style_modules.py' }],
      notebook: { file: 'hw 3.ipynb', module: 'style_modules', mode: 'definitions', codeCells: 9, cellsKept: 6, cellsDropped: 3, dropped: ['cell 4, line 1: train(model) — top-level work'], droppedCount: 2, skippedCells: [{ cell: 7, reason: 'does not parse' }] },
      submittedAt: '2026-01-02T10:00:00Z',
      submittedAtSource: 'canvas',
      late: true,
      penalty: { percent: 10, before: 2, after: 1.8, deadline: '2026-01-01T23:59:00Z', reason: '1 day late' },
    });
    const md = render('student.md.hbs', { ...viewResult(r), classReport: false });
    expect(md).toContain('Graded: `hw 3.ipynb`, `style_modules.py`');
    expect(md).toContain('`style_modules (1).py → style_modules.py`');
    expect(md).toContain('6 of 9 code cells kept');
    expect(md).toContain('cell 4, line 1: train(model) — top-level work');
    expect(md).toContain('… and 1 more');
    expect(md).toContain('skipped cell 7: does not parse');
    expect(md).toContain('Submitted 2026-01-02T10:00:00Z (canvas) — **late**');
    expect(md).toContain('10% late penalty: 2 → 1.8 points (1 day late); deadline 2026-01-01T23:59:00Z');
    expect(md).toContain("dlgrade check demo --submission 'hw 3.ipynb' --student-id alice");
  });
});

describe('the class summary', () => {
  it('counts every diagnosis once per student, and each case’s failures, public and hidden', () => {
    const a = result();
    const b = { ...result(), student: 'bob' };
    b.questions = b.questions.map((q) => ({ ...q, status: 'passed' as const, points: q.maxPoints, cases: q.cases.map((c) => ({ ...c, status: 'pass' as const, error: undefined, mistakes: [] })) }));
    const summary = summarize([a, b]);
    const gram = summary.questions[0];
    expect(gram.diagnoses).toEqual([
      { text: 'not run (an earlier case timed out)', count: 1 },
      { text: 'raised RuntimeError', count: 1 },
      { text: 'timed out', count: 1 },
      { text: 'wrong values (off by a constant factor)', count: 1 },
    ]);
    expect(gram.cases.find((c) => c.id === 'very-wide-input')).toEqual({ id: 'very-wide-input', visibility: 'hidden', students: 2, failed: 1, passRate: 0.5, failRate: 0.5 });
    expect([gram.min, gram.max, gram.std]).toEqual([0.25, 1, 0.375]);
    expect(caseDiagnosis(a.questions[1].cases[0])).toBe('You forgot to normalise.');
    const view = viewClassReport([a, b], summary);
    expect(view.matrix.rows[0]).toEqual(['alice', 0.25, [0.25, 0], ['PARTIAL', 'FAIL'], [[1, 2, 3, 4], [1]]]);
    expect(view.rows[0].href).toBe('alice/staff-report.html');
  });
});
