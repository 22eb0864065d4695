// Scoring: one pure function from case verdicts to question points.

export interface ScoredCase {
  status: 'pass' | 'fail' | 'error' | 'timeout' | 'crash' | 'pending';
  weight: number;
  /** For a question graded in parts: whether each part's outputs passed on this case (absent: as the case). */
  parts?: Readonly<Record<string, boolean>>;
}

/** A part of a question graded as one block (a forward and its backward): its outputs carry `share` of the points. */
export interface PartShare {
  id: string;
  share: number;
}

/** A part's points in a question's score. */
export interface PartScore {
  id: string;
  points: number;
  maxPoints: number;
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

/**
 * Points for a question graded in parts: each part carries its share of the maximum and earns it by the weight share
 * of the cases on which its outputs passed, so a right backward keeps its share when the forward fails. The total
 * is summed before rounding (thirds add up to the maximum); each part's points are rounded to 1e-6 for display.
 */
export function scoreParts(maxPoints: number, parts: readonly PartShare[], cases: readonly ScoredCase[]): QuestionScore & { parts: PartScore[] } {
  const totalShare = parts.reduce((s, p) => s + p.share, 0);
  const totalWeight = cases.reduce((s, c) => s + c.weight, 0);
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  const exact = parts.map((part) => {
    const max = totalShare > 0 ? (maxPoints * part.share) / totalShare : 0;
    const passed = cases.filter((c) => c.parts?.[part.id] ?? c.status === 'pass').reduce((s, c) => s + c.weight, 0);
    return { id: part.id, max, points: totalWeight > 0 ? (max * passed) / totalWeight : 0, full: totalWeight > 0 && passed === totalWeight };
  });
  const shown = exact.map((p) => ({ id: p.id, points: round(p.points), maxPoints: round(p.max) }));
  const whole = scoreQuestion(maxPoints, cases);
  if (whole.status === 'pending' || cases.length === 0) return { ...whole, parts: shown.map((p) => ({ ...p, points: 0 })) };
  const points = round(exact.reduce((s, p) => s + p.points, 0));
  const status = exact.every((p) => p.full) ? 'passed' : points === 0 ? 'failed' : 'partial';
  return { points, status, parts: shown };
}
