// The slim copies a batch keeps for the class outputs give the same grades.csv, summary.json and class report.
import { describe, expect, it } from 'vitest';
import type { CaseResultT, DiagnosticsT, ResultT } from '../result/schema.js';
import { gradesCsv, summarize } from '../reporters/class-files.js';
import { viewClassReport } from '../reporters/class-report.js';
import { slimForClass } from './batch.js';

function diagnostics(pass: boolean, extra: Partial<DiagnosticsT> = {}): DiagnosticsT {
  return { pass, expectedShape: [2], actualShape: [2], expectedDtype: 'float32', size: 2, patterns: [], tolerance: { mode: 'rel_error', rtol: 1e-4, atol: 0 }, ...extra };
}

const picture = { label: 'input', png: 'iVBORw0KGgo'.repeat(500) };

function caseOf(id: string, status: CaseResultT['status'], extra: Partial<CaseResultT> = {}): CaseResultT {
  return { id, visibility: 'public', status, weight: 1, durationMs: 2, outputs: [], mistakes: [], stdout: 'printed '.repeat(100), details: ['layer 1'], pictures: [picture], ...extra };
}

function resultOf(student: string, cases: CaseResultT[]): ResultT {
  return {
    schemaVersion: 1,
    student,
    mode: 'grade',
    assignment: { id: 'demo', title: 'Demo', version: '1', manifestSha256: 'x' },
    submission: { path: `/subs/${student}`, sha256: 'y' },
    engine: { dlgrade: '0.1.0', node: '20', runtime: { torch: '2.1' }, sandbox: 'bwrap' },
    fixtures: { referenceVersion: '1', backend: 'cpu', seed: 1, files: { 'public/q/a.npz': 'ab' } },
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 10,
    score: { points: cases.filter((c) => c.status === 'pass').length, maxPoints: cases.length, pendingPoints: 0 },
    notices: student === 'bob' ? ['a file was left out'] : [],
    questions: [
      { id: 'q', title: 'Q', points: cases.filter((c) => c.status === 'pass').length, maxPoints: cases.length, status: cases.every((c) => c.status === 'pass') ? 'passed' : 'partial', cases },
      { id: 'essay', title: 'Essay', points: 0, maxPoints: 1, status: 'pending', cases: [], manual: { scored: false, rubric: [{ id: 'r', text: 'clear', points: 1 }], material: [{ kind: 'file', source: 'plot.png', mediaType: 'image/png', data: picture.png }] } },
    ],
  };
}

const passing = (id: string) => caseOf(id, 'pass', { outputs: [{ name: 'y', pass: true, diagnostics: diagnostics(true, { relError: 1e-9 }), summary: 'correct' }] });
const class_ = [
  resultOf('alice', [passing('a'), passing('b'), passing('c')]),
  resultOf('bob', [
    passing('a'),
    caseOf('b', 'fail', {
      outputs: [
        { name: 'x', pass: true, diagnostics: diagnostics(true), summary: 'correct' },
        { name: 'y', pass: false, diagnostics: diagnostics(false, { failure: 'values', patterns: [{ kind: 'scaled', factor: 2 }] }), summary: 'twice' },
      ],
    }),
    caseOf('c', 'error', { error: { type: 'RuntimeError', message: 'boom', traceback: [{ file: 'q.py', line: 3, code: 'x()' }], student_line: { file: 'q.py', line: 3, code: 'x()' } } }),
  ]),
  resultOf('carol', [passing('a'), caseOf('b', 'fail', { mistakes: [{ id: 'm', message: 'You forgot to normalise.' }], outputs: [{ name: 'y', pass: false, diagnostics: diagnostics(false, { failure: 'shape' }), summary: 'shape' }] }), caseOf('c', 'timeout', { error: { type: 'Timeout', message: 'did not finish within 5 s' } })]),
];

describe('slimForClass', () => {
  const slim = class_.map(slimForClass);

  it('gives the same grades.csv, summary.json and class report as the full results', () => {
    expect(gradesCsv(slim)).toBe(gradesCsv(class_));
    expect(summarize(slim)).toEqual(summarize(class_));
    expect(viewClassReport(slim)).toEqual(viewClassReport(class_));
  });

  it('drops what only a student report reads: printed output, pictures, details, tracebacks, passing outputs, material, the shapes and worst elements of a failing output', () => {
    const text = JSON.stringify(slim);
    for (const dropped of ['printed', picture.png, 'layer 1', 'traceback', '"correct"', 'plot.png', 'expectedShape', 'tolerance', '"factor"']) expect(text).not.toContain(dropped);
    expect(text.length).toBeLessThan(JSON.stringify(class_).length / 10);
  });

  it('shares one fixtures block between the results of a batch', () => {
    expect(slim[0].fixtures).toBe(slim[2].fixtures);
  });
});
