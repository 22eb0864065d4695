// The CI gate: whether a result is good enough for a pull request to pass. A pure function of the result.
import type { ResultT } from '../result/schema.js';
import { DlgradeError } from '../errors.js';

/** What `dlgrade ci` requires: every question passed, the named questions passed, or a share of the points. */
export type Gate = { kind: 'all' } | { kind: 'questions'; ids: string[] } | { kind: 'min-score'; fraction: number };

export interface GateVerdict {
  pass: boolean;
  /** One sentence for the log and the step summary. */
  reason: string;
  /** Questions that keep the gate closed (for `all` and `questions`; every question short of full points for `min-score`). */
  failing: string[];
}

/** Builds the gate from the --min-score and --require options (they exclude each other); `all` when neither is given. */
export function parseGate(options: { minScore?: string; require?: string }, questionIds: string[]): Gate {
  if (options.minScore !== undefined && options.require !== undefined) {
    throw new DlgradeError('USAGE', '--min-score and --require cannot be combined: choose one gate');
  }
  if (options.minScore !== undefined) {
    const fraction = Number(options.minScore);
    if (options.minScore.trim() === '' || !Number.isFinite(fraction) || fraction < 0 || fraction > 1) {
      throw new DlgradeError('USAGE', `--min-score must be a fraction between 0 and 1 (e.g. 0.8), got ${JSON.stringify(options.minScore)}`);
    }
    return { kind: 'min-score', fraction };
  }
  if (options.require === undefined || options.require.trim() === 'all') return { kind: 'all' };
  const ids = options.require
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = ids.filter((id) => !questionIds.includes(id));
  if (ids.length === 0 || unknown.length) {
    throw new DlgradeError(
      'USAGE',
      `--require takes "all" or question ids separated by commas; ${ids.length === 0 ? 'got none' : `unknown: ${unknown.join(', ')}`} (questions: ${questionIds.join(', ')})`,
    );
  }
  return { kind: 'questions', ids };
}

/** Decides the gate. Questions pending staff grading never close it: CI cannot grade them. */
export function evaluateGate(result: ResultT, gate: Gate): GateVerdict {
  const graded = result.questions.filter((q) => q.status !== 'pending');
  const notPassed = graded.filter((q) => q.status !== 'passed').map((q) => q.id);
  switch (gate.kind) {
    case 'all': {
      const pass = notPassed.length === 0 && graded.length > 0;
      return {
        pass,
        failing: notPassed,
        reason: pass
          ? `all ${graded.length} question(s) pass`
          : graded.length === 0
            ? 'no question was graded'
            : `${notPassed.length} of ${graded.length} question(s) do not pass: ${notPassed.join(', ')}`,
      };
    }
    case 'questions': {
      const failing = gate.ids.filter((id) => notPassed.includes(id) || !graded.some((q) => q.id === id));
      return {
        pass: failing.length === 0,
        failing,
        reason: failing.length === 0 ? `the required question(s) pass: ${gate.ids.join(', ')}` : `required question(s) do not pass: ${failing.join(', ')}`,
      };
    }
    case 'min-score': {
      const max = graded.reduce((s, q) => s + q.maxPoints, 0);
      const points = graded.reduce((s, q) => s + q.points, 0);
      const share = max > 0 ? points / max : 0;
      // A tiny tolerance: points are sums of float shares (1/3 + 1/3 + 1/3).
      const pass = max > 0 && share >= gate.fraction - 1e-9;
      const shown = (x: number) => `${Math.round(x * 1000) / 10}%`;
      return {
        pass,
        failing: graded.filter((q) => q.points < q.maxPoints).map((q) => q.id),
        reason: `${round(points)}/${round(max)} public points (${shown(share)}) ${pass ? '>=' : '<'} the required ${shown(gate.fraction)}`,
      };
    }
    default: {
      const unreachable: never = gate;
      throw new Error(`unknown gate ${JSON.stringify(unreachable)}`);
    }
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
