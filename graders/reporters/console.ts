// The terminal report a student sees from `dlgrade check`: a table per question, then what to fix.
import type { Reporter } from './reporter.js';
import type { ResultT } from '../result/schema.js';
import { viewResult } from './view-model.js';

const useColor = (stream: NodeJS.WriteStream) => stream.isTTY && !process.env.NO_COLOR;

/** Prints one result as a table with verdict, points and error figure, followed by diagnoses. */
export class ConsoleReporter implements Reporter {
  readonly name = 'console';
  constructor(private readonly stream: NodeJS.WriteStream = process.stdout, private readonly verbose = false) {}

  onResult(result: ResultT): void {
    this.stream.write(renderConsole(result, useColor(this.stream), this.verbose));
  }
}

/** The text of the console report (exported for tests and for `ci`). */
export function renderConsole(result: ResultT, color = false, verbose = false): string {
  const view = viewResult(result);
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const verdictColor: Record<string, string> = { PASS: '32', PARTIAL: '33', FAIL: '31', PENDING: '36' };
  const rows = view.questions.map((q) => [q.id, q.verdict, `${q.points}/${q.maxPoints}`, q.errorFigure]);
  const header = ['question', 'verdict', 'points', 'rel_error'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[], colorize = false) =>
    cells.map((cell, i) => (colorize && i === 1 ? paint(verdictColor[cell] ?? '0', cell.padEnd(widths[i])) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  const out: string[] = [];
  out.push(`${view.title} (${view.assignment}) — ${view.student}`);
  for (const notice of view.notices) out.push(paint('33', `! ${notice}`));
  out.push('', line(header), widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) out.push(line(r, true));
  out.push('', paint('1', `Total: ${view.points}/${view.maxPoints}${view.pending ? ' (some questions pending staff grading)' : ''}`));
  const problems = view.questions.filter((q) => !q.passed && q.status !== 'pending');
  if (problems.length) {
    out.push('', 'What to fix:');
    for (const q of problems) {
      out.push(`  ${paint('1', q.id)} (${q.points}/${q.maxPoints})`);
      const groups = verbose ? q.cases.map((c) => ({ ids: [c.id], hidden: c.visibility === 'hidden', first: c })) : q.failureGroups;
      for (const { ids, first: c } of groups) {
        const mark = c.passed ? paint('32', '✓') : paint('31', '✗');
        const label = ids.length > 1 ? `${ids.length} cases (${ids.join(', ')})` : `${ids[0]}${c.visibility === 'hidden' ? ' (hidden)' : ''}`;
        out.push(`    ${mark} ${label}: ${c.lines[0] ?? c.status}`);
        for (const extra of c.lines.slice(1)) out.push(`        ${extra}`);
        if (c.location) out.push(`        at ${c.location}${c.code ? `: ${c.code}` : ''}`);
        for (const d of c.details ?? []) out.push(`        ${d}`);
      }
      if (q.hint) out.push(`    hint: ${q.hint}`);
    }
  }
  out.push('');
  return out.join('\n');
}
