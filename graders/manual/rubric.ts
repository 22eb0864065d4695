// Scoring a manual question from staff rows: one pure function, whole-question points or the sum of rubric items.
import type { RubricItemT } from '../manifest/schema.js';
import type { RubricMarkT } from '../result/schema.js';
import type { StaffScore } from './staff-scores.js';

export interface ManualQuestionInfo {
  id: string;
  points: number;
  rubric?: readonly RubricItemT[];
}

export interface ManualScore {
  /** false while no staff row names the question: pending, its points not counted. */
  scored: boolean;
  points: number;
  marks: RubricMarkT[];
  /** The whole-question comments, joined. */
  comment?: string;
}

/**
 * Scores one student's question from their rows (already filtered to this student and question). A whole-question
 * row with points gives those points; otherwise the awarded items are summed (deductions included) and kept within
 * 0..points. An item row without points awards the item's own points. Rounded to 1e-6 like the engine's scores.
 */
export function scoreManual(question: ManualQuestionInfo, rows: readonly StaffScore[]): ManualScore {
  const byItem = new Map(rows.filter((r) => r.item !== '').map((r) => [r.item, r]));
  const marks: RubricMarkT[] = (question.rubric ?? []).map((item) => {
    const row = byItem.get(item.id);
    return { id: item.id, text: item.text, points: item.points, ...(row ? { awarded: row.points ?? item.points } : {}), ...(row?.comment ? { comment: row.comment } : {}) };
  });
  if (rows.length === 0) return { scored: false, points: 0, marks };
  const whole = rows.find((r) => r.item === '' && r.points !== undefined);
  const sum = marks.reduce((s, m) => s + (m.awarded ?? 0), 0);
  const raw = whole ? whole.points! : Math.min(question.points, Math.max(0, sum));
  const comments = rows.filter((r) => r.item === '' && r.comment !== '').map((r) => r.comment);
  return { scored: true, points: Math.round(raw * 1e6) / 1e6, marks, ...(comments.length ? { comment: comments.join(' ') } : {}) };
}
