// The terminal report a student sees from `dlgrade check`: a table per question, then what to fix.
import type { Reporter } from './reporter.js';
import type { ResultT } from '../result/schema.js';
import { viewResult, type CaseView, type QuestionView } from './view-model.js';

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
  const header = ['question', 'verdict', 'points', 'error'];
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
  // An import or syntax error fails every case the same way: said once, not once per question and case.
  const shared = sharedError(view.questions);
  if (shared) {
    out.push('', paint('31', `Your code could not be loaded, so no question could run: ${shared.lines[0].replace(/^(error|raised): /, '')}`));
    if (shared.location) out.push(`    at ${shared.location}${shared.code ? `: ${shared.code}` : ''}`);
    for (const line of printed(shared.stdout, verbose)) out.push(`    ${line}`);
  }
  if (problems.length) {
    out.push('', 'What to fix:');
    for (const q of problems) {
      out.push(`  ${paint('1', q.id)} (${q.points}/${q.maxPoints}${q.parts ? `: ${q.parts}` : ''})`);
      const groups = verbose ? q.cases.map((c) => ({ ids: [c.id], hidden: c.visibility === 'hidden', first: c })) : q.failureGroups;
      for (const { ids, first: c } of groups) {
        const mark = c.passed ? paint('32', '✓') : paint('31', '✗');
        // A whole-question answer (`answers`, `staff`) is not a case a student knows by name.
        const label = ids.length > 1 ? `${ids.length} cases (${ids.join(', ')})` : ids[0] === 'answers' || ids[0] === 'staff' ? '' : `${ids[0]}${c.visibility === 'hidden' ? ' (hidden)' : ''}`;
        const sentence = shared && c.lines[0] === shared.lines[0] ? 'the load error above' : (c.lines[0] ?? c.status);
        out.push(`    ${mark} ${label ? `${label}: ` : ''}${sentence}`);
        if (shared && c.lines[0] === shared.lines[0]) continue;
        for (const extra of c.lines.slice(1)) out.push(`        ${extra}`);
        if (c.location) out.push(`        at ${c.location}${c.code ? `: ${c.code}` : ''}`);
        for (const d of c.details ?? []) out.push(`        ${d}`);
        if (!c.passed) for (const line of printed(c.stdout, verbose)) out.push(`        ${line}`);
      }
      if (q.hint) out.push(`    hint: ${q.hint}`);
    }
  }
  out.push('');
  return out.join('\n');
}

/** Lines a failed case's code printed: the first few, all with --verbose. */
function printed(stdout: string | undefined, verbose: boolean): string[] {
  const lines = (stdout ?? '').replace(/\s+$/, '').split('\n').filter((l, i, all) => all.length > 1 || l !== '');
  if (lines.length === 0) return [];
  const limit = verbose ? lines.length : 5;
  const shown = lines.slice(0, limit).map((l) => `| ${l}`);
  const more = lines.length > limit ? [`| … ${lines.length - limit} more line${lines.length - limit === 1 ? '' : 's'} (--verbose shows all)`] : [];
  return ['your code printed:', ...shown, ...more];
}

/** The error every failing case of two or more questions shares, when it is an import or syntax error. */
function sharedError(questions: QuestionView[]): CaseView | undefined {
  const loadError = (c: CaseView) => c.status === 'error' && /^(error: importing |raised: SyntaxError|raised: IndentationError)/.test(c.lines[0] ?? '');
  const failing = questions.flatMap((q) => q.cases.filter((c) => !c.passed));
  const first = failing.find(loadError);
  if (!first) return undefined;
  const same = failing.filter((c) => c.lines[0] === first.lines[0]);
  const questionsHit = questions.filter((q) => q.cases.some((c) => same.includes(c))).length;
  return questionsHit >= 2 ? first : undefined;
}
