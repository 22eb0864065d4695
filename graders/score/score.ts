// Scoring: one pure function from case verdicts to question points.

export interface ScoredCase {
  status: 'pass' | 'fail' | 'error' | 'timeout' | 'crash' | 'pending';
  weight: number;
}

/** A cell of an answers question: a case that may have been left unanswered. */
export interface ScoredCell extends ScoredCase {
  answered: boolean;
}

export interface QuestionScore {
  points: number;
  status: 'passed' | 'partial' | 'failed' | 'pending';
}

/** An answers question's score: `missing` when none of its cells is answered. */
export interface CellsScore {
  points: number;
  status: QuestionScore['status'] | 'missing';
}

/**
 * Points for a question: its maximum times the weight share of passed cases (partial credit per case, or per
 * cell of an answer). Pending cases (graded by staff later) make the question pending; a question whose cells
 * are all unanswered is missing; points are rounded to 1e-6.
 */
export function scoreQuestion(maxPoints: number, cases: readonly ScoredCell[]): CellsScore;
export function scoreQuestion(maxPoints: number, cases: readonly ScoredCase[]): QuestionScore;
export function scoreQuestion(maxPoints: number, cases: readonly (ScoredCase & { answered?: boolean })[]): CellsScore {
  if (cases.length === 0) return { points: 0, status: 'failed' };
  if (cases.some((c) => c.status === 'pending')) return { points: 0, status: 'pending' };
  if (cases.every((c) => c.answered === false)) return { points: 0, status: 'missing' };
  const total = cases.reduce((s, c) => s + c.weight, 0);
  const passed = cases.filter((c) => c.status === 'pass').reduce((s, c) => s + c.weight, 0);
  const points = total > 0 ? Math.round((maxPoints * passed * 1e6) / total) / 1e6 : 0;
  const status = passed === total ? 'passed' : passed === 0 ? 'failed' : 'partial';
  return { points, status };
}

/** Sum of points, rounded like the parts. */
export function sumPoints(values: readonly number[]): number {
  return Math.round(values.reduce((s, v) => s + v, 0) * 1e6) / 1e6;
}
