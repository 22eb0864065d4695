// What `check --watch` prints after a re-check: only the questions and cases that changed.
import { describe, expect, it } from 'vitest';
import type { CaseResultT, QuestionResultT, ResultT } from '../result/schema.js';
import { diffResults } from './check-diff.js';

const pass = (id: string): CaseResultT => ({ id, visibility: 'public', status: 'pass', weight: 1, durationMs: 1, outputs: [], mistakes: [] });
const raised = (id: string, line = 3): CaseResultT => ({ ...pass(id), status: 'error', error: { type: 'NameError', message: "name 'x' is not defined", student_line: { file: 'm.py', line, code: 'x' } } });
const question = (id: string, cases: CaseResultT[]): QuestionResultT => {
  const passed = cases.filter((c) => c.status === 'pass').length;
  return { id, title: id, points: passed / cases.length, maxPoints: 1, status: passed === cases.length ? 'passed' : passed ? 'partial' : 'failed', cases };
};
const result = (questions: QuestionResultT[], notices: string[] = []): ResultT => ({
  schemaVersion: 1,
  student: 's',
  mode: 'check',
  assignment: { id: 'a', title: 'A', version: '1', manifestSha256: '' },
  submission: { path: '.', sha256: '' },
  engine: { dlgrade: '0', node: '20', runtime: {}, sandbox: 'none' },
  fixtures: { referenceVersion: '1', backend: 'cpu', seed: 1, files: {} },
  startedAt: '',
  durationMs: 1,
  score: { points: questions.reduce((s, q) => s + q.points, 0), maxPoints: questions.length, pendingPoints: 0 },
  questions,
  notices,
});

describe('diffResults', () => {
  it('names the question that changed and its cases, not the ones that did not', () => {
    const before = result([question('one', [pass('a')]), question('two', [raised('b'), raised('c')])]);
    const after = result([question('one', [pass('a')]), question('two', [pass('b'), pass('c')])]);
    expect(diffResults(before, after)).toEqual(['two: FAIL 0/1 → PASS 1/1', '    ✓ passes now: b, c', 'Total: 1/2 → 2/2']);
  });

  it('reports a new failure grouped, with the student line, and notices that come and go', () => {
    const before = result([question('one', [pass('a'), pass('b')])], ['missing file(s): m.py']);
    const after = result([question('one', [raised('a', 7), raised('b', 7)])]);
    expect(diffResults(before, after)).toEqual([
      'one: PASS 1/1 → FAIL 0/1',
      "    ✗ 2 cases (a, b): raised: NameError: name 'x' is not defined",
      '        at m.py:7: x',
      '✓ fixed: missing file(s): m.py',
      'Total: 1/1 → 0/1',
    ]);
  });

  it('says "still" when the verdict holds but the failure moved, and "no change" when nothing did', () => {
    const before = result([question('one', [raised('a', 3)])]);
    const moved = result([question('one', [raised('a', 9)])]);
    expect(diffResults(before, moved)).toEqual(['one: still FAIL 0/1', "    ✗ a: raised: NameError: name 'x' is not defined", '        at m.py:9: x', 'Total: 0/1 (unchanged)']);
    expect(diffResults(moved, moved)).toEqual(['no change: 0/1']);
  });
});
