// Gradescope's results.json: one test per case, hidden cases visible only after grades are published.
import type { CaseResultT, QuestionResultT, ResultT } from '../result/schema.js';
import { viewQuestion } from './view-model.js';

export interface GradescopeTest {
  name: string;
  number: string;
  /** Absent for a question staff grade later: Gradescope shows the test as information, not as a failure. */
  score?: number;
  max_score?: number;
  status?: 'passed' | 'failed';
  output: string;
  visibility: 'visible' | 'after_published' | 'hidden' | 'after_due_date';
}

export interface GradescopeResults {
  score: number;
  /** Seconds the grading took. */
  execution_time: number;
  output_format: 'md';
  test_output_format: 'md';
  output: string;
  visibility: 'visible' | 'after_published';
  stdout_visibility: 'hidden';
  tests: GradescopeTest[];
}

/**
 * Converts a result; a question's points are split over its cases by weight. Students read results.json, so hidden
 * cases appear as in their report ("hidden case 2 of 3", no id, inputs or values), and only after publication.
 */
export function toGradescope(result: ResultT): GradescopeResults {
  const tests: GradescopeTest[] = [];
  result.questions.forEach((q, qi) => {
    if (q.status === 'pending') {
      tests.push({
        name: `${q.title} (${q.id}) — graded by staff`,
        number: `${qi + 1}`,
        output: `The course staff read and grade this question; its ${q.maxPoints} point${q.maxPoints === 1 ? '' : 's'} are not part of this score yet.`,
        visibility: 'visible',
      });
      return;
    }
    const shares = splitPoints(q.maxPoints, q.cases.map((c) => c.weight));
    const views = viewQuestion(q, 'student').cases;
    q.cases.forEach((c, ci) => {
      const max = shares[ci];
      const view = views[ci];
      const where = view.location ? `\n\nat \`${view.location}\`${view.code ? `: \`${view.code.replace(/`/g, "'")}\`` : ''}` : '';
      const earned = earnedShare(q, c);
      tests.push({
        name: `${q.title} (${q.id}) — ${view.id}`,
        number: `${qi + 1}.${ci + 1}`,
        score: max * earned,
        max_score: max,
        status: earned === 1 ? 'passed' : 'failed',
        output: view.lines.map((l) => l.replace(/([\\`*_[\]<>#|])/g, '\\$1')).join('\n\n') + where,
        visibility: c.visibility === 'hidden' ? 'after_published' : 'visible',
      });
    });
  });
  const notices = result.notices.length ? result.notices.join('\n') + '\n' : '';
  const pending = result.score.pendingPoints > 0 ? ` (${result.score.pendingPoints} more to be graded by staff)` : '';
  return {
    score: result.score.points,
    execution_time: Math.round(result.durationMs) / 1000,
    output_format: 'md',
    test_output_format: 'md',
    output: `${notices}${result.assignment.title}: ${result.score.points}/${result.score.maxPoints}${pending}`,
    visibility: 'visible',
    stdout_visibility: 'hidden',
    tests,
  };
}

/** The share of a case's points it earned: all or nothing, or for a question in parts the shares of the parts it passed. */
function earnedShare(q: QuestionResultT, c: CaseResultT): number {
  if (!q.parts?.length) return c.status === 'pass' ? 1 : 0;
  const total = q.parts.reduce((s, p) => s + p.maxPoints, 0);
  const passed = q.parts.filter((p) => c.parts?.[p.id] ?? c.status === 'pass').reduce((s, p) => s + p.maxPoints, 0);
  return total > 0 ? passed / total : 0;
}

/**
 * A question's points split over its cases by weight, in hundredths (what Gradescope shows), by the largest
 * remainder method: the shares add up to exactly the question's points, and equal weights differ by at most 0.01.
 */
export function splitPoints(points: number, weights: readonly number[]): number[] {
  if (weights.length === 0) return [];
  const units = Math.round(points * 100);
  const total = weights.reduce((s, w) => s + w, 0);
  const quotas = weights.map((w) => (total > 0 ? (units * w) / total : units / weights.length));
  const floors = quotas.map(Math.floor);
  let left = units - floors.reduce((s, f) => s + f, 0);
  const order = quotas.map((q, i) => [q - floors[i], i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    floors[i]++;
    left--;
  }
  return floors.map((f) => f / 100);
}
