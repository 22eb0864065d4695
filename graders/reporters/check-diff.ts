// What `check --watch` prints after a re-check: only what changed since the previous run, question by question.
import type { ResultT } from '../result/schema.js';
import { viewQuestion, points, type CaseView, type QuestionView } from './view-model.js';

const label = (q: QuestionView) => `${q.verdict} ${q.points}/${q.maxPoints}`;

/** Changed cases of one question: passes on one line, failures grouped as the console report groups them. */
function caseLines(q: QuestionView, changed: Set<string>): string[] {
  const out: string[] = [];
  const passing = q.cases.filter((c) => c.passed && changed.has(c.id)).map((c) => c.id);
  if (passing.length) out.push(`    ✓ passes now: ${passing.join(', ')}`);
  for (const group of q.failureGroups) {
    const ids = group.ids.filter((id) => changed.has(id));
    if (!ids.length) continue;
    const c: CaseView = group.first;
    out.push(`    ✗ ${ids.length > 1 ? `${ids.length} cases (${ids.join(', ')})` : ids[0]}: ${c.lines[0] ?? c.status}`);
    for (const extra of c.lines.slice(1)) out.push(`        ${extra}`);
    if (c.location) out.push(`        at ${c.location}${c.code ? `: ${c.code}` : ''}`);
  }
  return out;
}

/**
 * The lines that tell a student what a re-check changed: a question whose verdict or points moved, a case that now
 * passes or fails differently, notices that appeared or went away, and the total. One line when nothing changed.
 */
export function diffResults(previous: ResultT, next: ResultT): string[] {
  const out: string[] = [];
  const before = new Map(previous.questions.map((q) => [q.id, viewQuestion(q)]));
  for (const q of next.questions.map((x) => viewQuestion(x))) {
    const p = before.get(q.id);
    const oldCases = new Map((p?.cases ?? []).map((c) => [c.id, c]));
    const changedIds = new Set<string>();
    for (const c of q.cases) {
      const old = oldCases.get(c.id);
      if (old && old.status === c.status && old.lines[0] === c.lines[0] && old.location === c.location) continue;
      if (!old && c.passed) continue;
      changedIds.add(c.id);
    }
    const changed = caseLines(q, changedIds);
    if (!p) out.push(`${q.id}: ${label(q)}`);
    else if (label(p) !== label(q)) out.push(`${q.id}: ${label(p)} → ${label(q)}`);
    else if (changed.length) out.push(`${q.id}: still ${label(q)}`);
    else continue;
    out.push(...changed);
  }
  for (const n of next.notices) if (!previous.notices.includes(n)) out.push(`! ${n}`);
  for (const n of previous.notices) if (!next.notices.includes(n)) out.push(`✓ fixed: ${n}`);
  const total = (r: ResultT) => `${points(r.score.points)}/${points(r.score.maxPoints)}`;
  if (out.length === 0) return [`no change: ${total(next)}`];
  out.push(total(previous) === total(next) ? `Total: ${total(next)} (unchanged)` : `Total: ${total(previous)} → ${total(next)}`);
  return out;
}
