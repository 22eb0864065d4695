// Gradescope's results.json: one test per case, hidden cases visible only after grades are published.
import type { ResultT } from '../result/schema.js';
import { viewCase } from './view-model.js';

export interface GradescopeTest {
  name: string;
  number: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
  visibility: 'visible' | 'after_published' | 'hidden' | 'after_due_date';
}

export interface GradescopeResults {
  score: number;
  output: string;
  visibility: 'visible' | 'after_published';
  stdout_visibility: 'hidden';
  tests: GradescopeTest[];
}

/** Converts a result; a question's points are split over its cases by weight. */
export function toGradescope(result: ResultT): GradescopeResults {
  const tests: GradescopeTest[] = [];
  result.questions.forEach((q, qi) => {
    const totalWeight = q.cases.reduce((s, c) => s + c.weight, 0) || 1;
    q.cases.forEach((c, ci) => {
      const max = round((q.maxPoints * c.weight) / totalWeight);
      const view = viewCase(c);
      const where = view.location ? `\nat ${view.location}${view.code ? `: ${view.code}` : ''}` : '';
      tests.push({
        name: `${q.title} (${q.id}) — ${c.id}`,
        number: `${qi + 1}.${ci + 1}`,
        score: c.status === 'pass' ? max : 0,
        max_score: max,
        status: c.status === 'pass' ? 'passed' : 'failed',
        output: view.lines.join('\n') + where,
        visibility: c.visibility === 'hidden' ? 'after_published' : 'visible',
      });
    });
  });
  const notices = result.notices.length ? result.notices.join('\n') + '\n' : '';
  return {
    score: result.score.points,
    output: `${notices}${result.assignment.title}: ${result.score.points}/${result.score.maxPoints}`,
    visibility: 'visible',
    stdout_visibility: 'hidden',
    tests,
  };
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
