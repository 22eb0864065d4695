// What every human-facing report shows, computed once from a Result: verdicts, figures and feedback lines.
// The student's view never names a hidden case: invariant 10 (a report must be safe to send).
import type { CaseResultT, OutputCheckT, QuestionResultT, ResultT } from '../result/schema.js';
import { formatNumber } from '../compare/describe.js';
import { viewSubmission, type SubmissionView } from './submission-view.js';
import { viewManual, type ManualView } from './manual-view.js';

/**
 * Who a report is for. `student`: public cases in full, hidden cases as "hidden case 2 of 3" with a diagnosis that
 * names no case id, input, value or fixture. `staff`: everything.
 */
export type Audience = 'student' | 'staff';

export interface CaseView {
  /** The case id, or "hidden case 2 of 3" in a student's view. */
  id: string;
  visibility: string;
  status: string;
  passed: boolean;
  /** The course's rel_error (largest over outputs), or the max abs error, formatted. */
  errorFigure: string;
  /** One line per output, or the error. */
  lines: string[];
  location?: string;
  code?: string;
  details?: string[];
  stdout?: string;
  /** `file`: where the student reporter wrote the PNG beside the report (the Markdown report links it). */
  pictures?: { label: string; png: string; file?: string }[];
  durationMs: number;
}

export interface QuestionView {
  id: string;
  title: string;
  points: string;
  maxPoints: string;
  status: string;
  verdict: string;
  passed: boolean;
  errorFigure: string;
  /** The first thing to fix, for the summary table. */
  diagnosis: string;
  cases: CaseView[];
  /** Failing cases with the same feedback, merged so a repeated message is shown once. */
  failureGroups: { ids: string[]; hidden: boolean; first: CaseView }[];
  hint?: string;
  comment?: string;
  /** A question graded in parts: each part's points, e.g. "forward 0/0.5, backward 0.5/0.5". */
  parts?: string;
  /** Manual questions: rubric and handed-in material (manual-view.ts). */
  manual?: ManualView;
}

export interface ResultView {
  student: string;
  assignment: string;
  title: string;
  points: string;
  maxPoints: string;
  percent: string;
  pending: boolean;
  questions: QuestionView[];
  notices: string[];
  mode: string;
  engine: string;
  backend: string;
  fixtures: { file: string; sha256: string }[];
  durationS: string;
  gradedAt: string;
  audience: Audience;
  staff: boolean;
  /** What was graded, what intake dropped or renamed, lateness, and how to reproduce the public part. */
  submission: SubmissionView;
}

const VERDICT: Record<string, string> = { passed: 'PASS', partial: 'PARTIAL', failed: 'FAIL', pending: 'PENDING' };

export const points = (x: number): string => String(Math.round(x * 100) / 100);

/** Builds the view of a whole result; a student's view (the default) is safe to send. */
export function viewResult(result: ResultT, audience: Audience = 'student'): ResultView {
  const student = audience === 'student';
  return {
    student: result.student,
    assignment: result.assignment.id,
    title: result.assignment.title,
    points: points(result.score.points),
    maxPoints: points(result.score.maxPoints),
    percent: result.score.maxPoints > 0 ? `${Math.round((100 * result.score.points) / result.score.maxPoints)}%` : '—',
    pending: result.score.pendingPoints > 0,
    questions: result.questions.map((q) => viewQuestion(q, audience)),
    notices: result.notices,
    mode: result.mode,
    engine: `dlgrade ${result.engine.dlgrade}, Node ${result.engine.node}${Object.entries(result.engine.runtime).map(([k, v]) => `, ${k} ${v}`).join('')}, sandbox ${result.engine.sandbox}`,
    backend: result.fixtures.backend,
    // A student's copy lists the fixtures of the student kit only: a hidden fixture's path names its case.
    fixtures: Object.entries(result.fixtures.files)
      .filter(([file]) => !student || isPublicFixture(file))
      .map(([file, sha256]) => ({ file, sha256: sha256.slice(0, 12) })),
    durationS: (result.durationMs / 1000).toFixed(2),
    gradedAt: result.startedAt,
    audience,
    staff: !student,
    submission: viewSubmission(result),
  };
}

/** Generated public fixtures live under public/ (graders/fixtures/paths.ts); anything else may belong to a hidden case. */
export function isPublicFixture(file: string): boolean {
  return file.startsWith('public/');
}

export function viewQuestion(q: QuestionResultT, audience: Audience = 'student'): QuestionView {
  const hiddenTotal = q.cases.filter((c) => c.visibility === 'hidden').length;
  const publicIds = new Set(q.cases.filter((c) => c.visibility !== 'hidden').map((c) => c.id));
  const hiddenIds = new Set(q.cases.filter((c) => c.visibility === 'hidden' && !publicIds.has(c.id)).map((c) => c.id));
  let hiddenSeen = 0;
  const cases = q.cases.map((c) => {
    if (audience !== 'student') return viewCase(c);
    if (c.visibility === 'hidden') return viewHiddenCase(c, ++hiddenSeen, hiddenTotal, hiddenIds);
    // A public case's message can name a hidden one ("not run: case X did not finish in time").
    const view = viewCase(c);
    return hiddenIds.size ? { ...view, lines: view.lines.map((line) => scrubIds(line, hiddenIds)) } : view;
  });
  const firstBad = cases.find((c) => !c.passed);
  return {
    id: q.id,
    title: q.title,
    points: points(q.points),
    maxPoints: points(q.maxPoints),
    status: q.status,
    verdict: VERDICT[q.status] ?? q.status.toUpperCase(),
    passed: q.status === 'passed',
    // A student's figure is over the public cases: a hidden case's error is one of its values.
    errorFigure: worstFigure(audience === 'student' ? q.cases.filter((c) => c.visibility !== 'hidden') : q.cases),
    diagnosis: q.status === 'pending' ? 'graded by staff' : firstBad ? `${firstBad.id}: ${firstBad.lines[0] ?? firstBad.status}` : '',
    cases,
    failureGroups: groupFailures(cases),
    hint: q.status === 'passed' ? undefined : q.hint,
    comment: q.comment,
    ...(q.parts?.length ? { parts: q.parts.map((p) => `${p.id} ${points(p.points)}/${points(p.maxPoints)}`).join(', ') } : {}),
    manual: viewManual(q),
  };
}

export function viewCase(c: CaseResultT): CaseView {
  const lines: string[] = [];
  let location: string | undefined;
  let code: string | undefined;
  if (c.error) {
    const plain = ['Timeout', 'Crash', 'ApiError', 'SubmissionError', 'ImportFailed'].includes(c.error.type);
    const verb = c.status === 'timeout' ? 'timed out' : c.status === 'crash' ? 'crashed' : plain ? 'error' : 'raised';
    lines.push(`${verb}: ${plain ? '' : c.error.type + ': '}${c.error.message}`);
    if (c.error.student_line) {
      const at = c.error.student_line;
      // A notebook's line is counted within its cell.
      location = at.cell !== undefined ? `${at.file} cell ${at.cell}, line ${at.line}` : `${at.file}:${at.line}`;
      code = c.error.student_line.code;
    }
  }
  for (const m of c.mistakes) lines.push(m.message);
  for (const o of c.outputs) {
    // An answers cell has one output, named for nothing the student wrote: its summary is the sentence.
    const named = o.name === 'answer' || o.name === 'staff' ? o.summary : `${o.name}: ${o.summary}`;
    if (!o.pass || c.outputs.length > 1) lines.push(named);
  }
  if (lines.length === 0 && c.status === 'pass') lines.push(c.outputs.map((o) => o.summary).join('; ') || 'correct');
  return {
    id: c.id,
    visibility: c.visibility,
    status: c.status,
    passed: c.status === 'pass',
    errorFigure: worstFigure([c]),
    lines: dedupe(lines),
    location,
    code,
    details: c.details,
    stdout: c.stdout,
    pictures: c.pictures?.map((p) => ({ ...p })),
    durationMs: c.durationMs,
  };
}

/** A figure in the column: two significant digits, exponent form when small or large (3.1e-2, 152, 1.4e+6). */
export function compactNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e-2 && abs < 1e5) return String(Number(x.toPrecision(abs >= 100 ? 6 : 2)));
  return x.toExponential(1).replace('e+', 'e+').replace(/\.0e/, 'e');
}

/**
 * A hidden case as a student may see it: "hidden case 2 of 3", what went wrong in words that name no input, shape,
 * value or case (no worst element, no factor, no printed output, no per-layer table), and the student's own line.
 */
export function viewHiddenCase(c: CaseResultT, index: number, total: number, hiddenIds: ReadonlySet<string> = new Set()): CaseView {
  const lines: string[] = [];
  let location: string | undefined;
  let code: string | undefined;
  if (c.error) {
    lines.push(hiddenErrorLine(c, hiddenIds));
    if (c.error.student_line) {
      location = `${c.error.student_line.file}:${c.error.student_line.line}`;
      code = c.error.student_line.code;
    }
  }
  // Known mistakes are the manifest's words, which the student kit ships.
  for (const m of c.mistakes) lines.push(m.message);
  for (const o of c.outputs) if (!o.pass) lines.push(`${c.outputs.length > 1 ? `${o.name}: ` : ''}${hiddenOutputSummary(o)}`);
  if (lines.length === 0) lines.push(c.status === 'pass' ? 'correct' : c.status === 'pending' ? 'graded by staff' : c.status);
  return {
    id: `hidden case ${index} of ${total}`,
    visibility: 'hidden',
    status: c.status,
    passed: c.status === 'pass',
    errorFigure: '—',
    lines: dedupe(lines),
    location,
    code,
    durationMs: c.durationMs,
  };
}

/** An error's message is shown for a hidden case only when it cannot describe the inputs: no digits, no case id. */
function hiddenErrorLine(c: CaseResultT, hiddenIds: ReadonlySet<string>): string {
  const error = c.error!;
  const message = error.message.trim();
  const safe = message !== '' && !/\d/.test(message) && ![...hiddenIds].some((id) => mentions(message, id)) ? message : undefined;
  if (c.status === 'timeout') return message.startsWith('not run') ? 'not run: an earlier case of this question did not finish in time' : 'timed out: did not finish within the time limit';
  if (c.status === 'crash') return `crashed${safe ? `: ${safe}` : ' (the process running your code died)'}`;
  const plain = ['ApiError', 'SubmissionError', 'ImportFailed'].includes(error.type);
  if (plain) return `error: ${safe ?? 'your code could not be called as the assignment asks'}`;
  return `raised ${error.type}${safe ? `: ${safe}` : ' (its message is not shown: it may describe the hidden inputs)'}`;
}

/** What is wrong with one output of a hidden case, from the diagnostics, without shapes or values. */
function hiddenOutputSummary(o: OutputCheckT): string {
  const d = o.diagnostics;
  const dims = (n: number | undefined) => (n === undefined ? 'no array' : n === 0 ? 'a scalar' : `${n} dimension${n === 1 ? '' : 's'}`);
  switch (d.failure) {
    case 'missing':
      return d.message && !/\d/.test(d.message) ? d.message : 'no value was produced';
    case 'shape': {
      const got = d.actualShape?.length;
      const want = d.expectedShape.length;
      return got === want ? 'wrong shape (the right number of dimensions, wrong sizes)' : `wrong shape (${dims(got)}, expected ${dims(want)})`;
    }
    case 'dtype':
      return `wrong dtype (${d.actualDtype}, expected ${d.expectedDtype})`;
    case 'nonfinite':
      return `${d.nanCount ?? 0} NaN and ${d.infCount ?? 0} Inf value(s) where the expected values are finite`;
    default: {
      const hints = d.patterns.flatMap((p) => (p.kind === 'scaled' ? ['off by a constant factor'] : p.kind === 'negated' ? ['the opposite sign'] : p.kind === 'transposed' ? ['transposed'] : p.kind === 'offset' ? ['off by a constant offset'] : []));
      const count = d.size > 1 ? `, ${d.mismatchCount ?? '?'} of ${d.size} elements off` : '';
      return `wrong value${d.size > 1 ? 's' : ''} (shape right${count})${hints.length ? ` — ${hints.join('; ')}` : ''}`;
    }
  }
}

/** Whether text names an id as a whole word (ids are kebab/snake case). */
export function mentions(text: string, id: string): boolean {
  let from = 0;
  for (;;) {
    const at = text.indexOf(id, from);
    if (at < 0) return false;
    const before = text[at - 1];
    const after = text[at + id.length];
    if (!isIdChar(before) && !isIdChar(after)) return true;
    from = at + 1;
  }
}
const isIdChar = (ch: string | undefined) => ch !== undefined && /[A-Za-z0-9_-]/.test(ch);

/**
 * What a question's figure column holds, saying which measure it is: `rel 3.1e-2` (the course's rel_error) or
 * `abs 152` (max abs error) over its outputs; answers cells (no error figure, which would give away the expected
 * value) show how they are graded and how many are right (`rel ≤ 1e-2, 10/12 cells`).
 */
function worstFigure(cases: CaseResultT[]): string {
  let worst: number | undefined;
  let label = '';
  for (const c of cases) {
    for (const o of c.outputs) {
      const d = o.diagnostics;
      const raw = d.tolerance.mode === 'rel_error' ? d.relError : d.maxAbsError;
      if (raw === undefined) continue;
      const value = typeof raw === 'string' ? Number(raw) : raw;
      if (worst === undefined || !(value <= worst)) {
        worst = value;
        label = d.tolerance.mode === 'rel_error' ? 'rel' : 'abs';
      }
    }
  }
  if (worst !== undefined) return `${label} ${compactNumber(worst)}`;
  const measure = answersMeasure(cases);
  if (measure) return measure;
  // No output was compared: say what happened instead (every case raised, timed out or crashed).
  const statuses = new Set(cases.map((c) => c.status));
  return statuses.size === 1 && ['error', 'timeout', 'crash'].includes(cases[0].status) ? ({ error: 'raised', timeout: 'timed out', crash: 'crashed' } as Record<string, string>)[cases[0].status] : '—';
}

/** The measure of an answers question (cells named `answer`, or a staff score), undefined for anything else. */
function answersMeasure(cases: CaseResultT[]): string | undefined {
  if (cases.length === 0) return undefined;
  if (cases.every((c) => c.status === 'pending')) return 'by staff';
  if (cases.some((c) => c.outputs.some((o) => o.name === 'staff'))) return 'by staff';
  const cells = cases.filter((c) => c.outputs.some((o) => o.name === 'answer'));
  if (cells.length === 0) return cases.every((c) => c.error?.type === 'SubmissionError') ? 'unreadable' : undefined;
  const modes = new Set(cells.map((c) => measureOf(c.outputs.find((o) => o.name === 'answer')!.diagnostics)));
  const passed = cells.filter((c) => c.status === 'pass').length;
  return `${[...modes].join(' / ')}, ${passed}/${cells.length} ${cells.length === 1 ? 'cell' : 'cells'}`;
}

function measureOf(d: CaseResultT['outputs'][number]['diagnostics']): string {
  switch (d.tolerance.mode) {
    case 'rel_error':
      return `rel ≤ ${compactNumber(d.tolerance.rtol)}`;
    case 'allclose':
      return `allclose ${compactNumber(d.tolerance.rtol)}`;
    case 'property':
      return 'property';
    default:
      return 'exact';
  }
}

function groupFailures(cases: CaseView[]): { ids: string[]; hidden: boolean; first: CaseView }[] {
  const groups = new Map<string, { ids: string[]; hidden: boolean; first: CaseView }>();
  for (const c of cases.filter((x) => !x.passed)) {
    // Lines that name numbers differ between cases; errors and known mistakes usually do not.
    const key = JSON.stringify([c.status, c.status === 'fail' ? c.lines.slice(0, 1) : c.lines, c.location]);
    const group = groups.get(key);
    if (group && (c.status !== 'fail' || c.lines[0] !== undefined && !/\d/.test(c.lines[0]))) {
      group.ids.push(c.id);
      group.hidden ||= c.visibility === 'hidden';
    } else groups.set(group ? key + c.id : key, { ids: [c.id], hidden: c.visibility === 'hidden', first: c });
  }
  return [...groups.values()];
}

function scrubIds(text: string, ids: ReadonlySet<string>): string {
  let out = text;
  for (const id of ids) if (mentions(out, id)) out = out.split(`case ${id}`).join('a hidden case').split(id).join('a hidden case');
  return out;
}

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}
