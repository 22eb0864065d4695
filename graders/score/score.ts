// Scoring: one pure function from case verdicts to question points.

export interface ScoredCase {
  status: 'pass' | 'fail' | 'error' | 'timeout' | 'crash' | 'pending';
  weight: number;
}

export interface QuestionScore {
  points: number;
  status: 'passed' | 'partial' | 'failed' | 'pending';
}

/**
 * Points for a question: its maximum times the weight share of passed cases (partial credit per case).
 * Pending cases (graded by staff later) make the question pending; points are rounded to 1e-6.
 */
export function scoreQuestion(maxPoints: number, cases: readonly ScoredCase[]): QuestionScore {
  if (cases.length === 0) return { points: 0, status: 'failed' };
  if (cases.some((c) => c.status === 'pending')) return { points: 0, status: 'pending' };
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
