// What every human-facing report shows, computed once from a Result: verdicts, figures and feedback lines.
import type { CaseResultT, QuestionResultT, ResultT } from '../result/schema.js';
import { formatNumber } from '../compare/describe.js';

export interface CaseView {
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
}

const VERDICT: Record<string, string> = { passed: 'PASS', partial: 'PARTIAL', failed: 'FAIL', pending: 'PENDING' };

export const points = (x: number): string => String(Math.round(x * 100) / 100);

/** Builds the view of a whole result. */
export function viewResult(result: ResultT): ResultView {
  return {
    student: result.student,
    assignment: result.assignment.id,
    title: result.assignment.title,
    points: points(result.score.points),
    maxPoints: points(result.score.maxPoints),
    percent: result.score.maxPoints > 0 ? `${Math.round((100 * result.score.points) / result.score.maxPoints)}%` : '—',
    pending: result.score.pendingPoints > 0,
    questions: result.questions.map(viewQuestion),
    notices: result.notices,
    mode: result.mode,
    engine: `dlgrade ${result.engine.dlgrade}, Node ${result.engine.node}${Object.entries(result.engine.runtime).map(([k, v]) => `, ${k} ${v}`).join('')}, sandbox ${result.engine.sandbox}`,
    backend: result.fixtures.backend,
    fixtures: Object.entries(result.fixtures.files).map(([file, sha256]) => ({ file, sha256: sha256.slice(0, 12) })),
    durationS: (result.durationMs / 1000).toFixed(2),
    gradedAt: result.startedAt,
  };
}

export function viewQuestion(q: QuestionResultT): QuestionView {
  const cases = q.cases.map(viewCase);
  const firstBad = cases.find((c) => !c.passed);
  return {
    id: q.id,
    title: q.title,
    points: points(q.points),
    maxPoints: points(q.maxPoints),
    status: q.status,
    verdict: VERDICT[q.status] ?? q.status.toUpperCase(),
    passed: q.status === 'passed',
    errorFigure: worstFigure(q.cases),
    diagnosis: q.status === 'pending' ? 'graded by staff' : firstBad ? `${firstBad.id}: ${firstBad.lines[0] ?? firstBad.status}` : '',
    cases,
    failureGroups: groupFailures(cases),
    hint: q.status === 'passed' ? undefined : q.hint,
    comment: q.comment,
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
      location = `${c.error.student_line.file}:${c.error.student_line.line}`;
      code = c.error.student_line.code;
    }
  }
  for (const m of c.mistakes) lines.push(m.message);
  for (const o of c.outputs) {
    if (!o.pass || c.outputs.length > 1) lines.push(`${o.name}: ${o.summary}`);
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
    durationMs: c.durationMs,
  };
}

/** The largest error figure over a question's outputs: rel_error where that is the check, else max abs error. */
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
        label = d.tolerance.mode === 'rel_error' ? '' : 'abs ';
      }
    }
  }
  return worst === undefined ? '—' : `${label}${formatNumber(worst)}`;
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

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}
