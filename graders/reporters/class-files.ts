// Class-level outputs of `grade`: grades.csv (one row per student) and summary.json (per-question statistics).
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { Reporter } from './reporter.js';
import type { CaseResultT, QuestionResultT, ResultT } from '../result/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/** How many students' answer to a question shows one diagnosis. */
export interface DiagnosisCount {
  text: string;
  count: number;
}

/** One case across the class: how many students ran it and how many failed it (public and hidden alike). */
export interface CaseSummary {
  id: string;
  visibility: 'public' | 'hidden';
  students: number;
  failed: number;
  passRate: number;
  failRate: number;
}

/** Students per score range: [from, to) in points, the last range closed. */
export type Distribution = { from: number; to: number; count: number }[];

export interface QuestionSummary {
  id: string;
  title: string;
  maxPoints: number;
  mean: number;
  min: number;
  max: number;
  /** Population standard deviation of the points. */
  std: number;
  passRate: number;
  /** Students whose answer to this manual question staff have not scored yet (mean and pass rate leave them out). */
  pending: number;
  /** The most common diagnosis among students who lost points, with how many. */
  commonDiagnosis?: DiagnosisCount;
  /** Every diagnosis, most common first; a student counts once per diagnosis their failing cases show. */
  diagnoses: DiagnosisCount[];
  distribution: Distribution;
  cases: CaseSummary[];
}

export interface ClassSummary {
  assignment: string;
  version: string;
  students: number;
  maxPoints: number;
  mean: number;
  median: number;
  min: number;
  max: number;
  std: number;
  /** Students per score bucket: [from, to) in points, the last bucket closed. */
  distribution: Distribution;
  questions: QuestionSummary[];
  backend: string;
  referenceVersion: string;
  fixtures: Record<string, string>;
}

/** grades.csv: student, total, one column per question. Students in sorted order, so merges are byte-identical. */
export function gradesCsv(results: ResultT[]): string {
  const questions = results[0]?.questions.map((q) => q.id) ?? [];
  // A question pending staff grading has no points yet: its cell stays empty rather than a 0 that looks final.
  const cell = (q: ResultT['questions'][number] | undefined) => (q === undefined || q.status === 'pending' ? '' : q.points);
  const rows = sortByStudent(results).map((r) => [r.student, r.score.points, ...questions.map((id) => cell(r.questions.find((q) => q.id === id)))]);
  return stringify([['student', 'total', ...questions], ...rows]);
}

/** Per-question statistics, diagnoses and per-case failure rates; the class's score distribution in ten buckets. */
export function summarize(results: ResultT[]): ClassSummary {
  const sorted = sortByStudent(results);
  const first = sorted[0];
  const maxPoints = first?.score.maxPoints ?? 0;
  const totals = sorted.map((r) => r.score.points).sort((a, b) => a - b);
  const files: Record<string, string> = {};
  for (const r of sorted) Object.assign(files, r.fixtures.files);
  return {
    assignment: first?.assignment.id ?? '',
    version: first?.assignment.version ?? '',
    students: sorted.length,
    maxPoints,
    mean: round(mean(totals)),
    median: round(totals.length ? (totals[(totals.length - 1) >> 1] + totals[totals.length >> 1]) / 2 : 0),
    ...spread(totals),
    distribution: distribution(totals, maxPoints, 10),
    questions: (first?.questions ?? []).map((q) => summarizeQuestion(q.id, q.title, q.maxPoints, sorted)),
    backend: first?.fixtures.backend ?? '',
    referenceVersion: first?.fixtures.referenceVersion ?? '',
    fixtures: Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b))),
  };
}

function summarizeQuestion(id: string, title: string, maxPoints: number, sorted: ResultT[]): QuestionSummary {
  const answered = sorted.map((r) => r.questions.find((x) => x.id === id)).filter((x) => x !== undefined);
  // A manual question staff have not scored yet is left out of the figures, and counted as pending.
  const all = answered.filter((x) => x.status !== 'pending');
  const counts = new Map<string, number>();
  for (const x of all) for (const text of questionDiagnoses(x)) counts.set(text, (counts.get(text) ?? 0) + 1);
  const diagnoses = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([text, count]) => ({ text, count }));
  const cases = new Map<string, CaseSummary>();
  for (const x of all) {
    for (const c of x.cases) {
      const entry = cases.get(c.id) ?? { id: c.id, visibility: c.visibility, students: 0, failed: 0, passRate: 0, failRate: 0 };
      cases.set(c.id, entry);
      if (c.status === 'pending') continue;
      entry.students++;
      if (c.status !== 'pass') entry.failed++;
    }
  }
  const pts = all.map((x) => x.points);
  return {
    id,
    title,
    maxPoints,
    mean: round(mean(pts)),
    ...spread(pts),
    passRate: round(all.length ? all.filter((x) => x.status === 'passed').length / all.length : 0),
    pending: answered.length - all.length,
    ...(diagnoses[0] ? { commonDiagnosis: diagnoses[0] } : {}),
    diagnoses,
    distribution: distribution(pts, maxPoints, 5),
    cases: [...cases.values()].map((c) => ({ ...c, passRate: round(c.students ? (c.students - c.failed) / c.students : 0), failRate: round(c.students ? c.failed / c.students : 0) })),
  };
}

/** The distinct diagnoses of a question's failing cases, for the class report (staff-facing: words, not numbers). */
export function questionDiagnoses(q: QuestionResultT): string[] {
  if (q.status === 'passed' || q.status === 'pending') return [];
  const found = new Set<string>();
  for (const c of q.cases) if (c.status !== 'pass' && c.status !== 'pending') found.add(caseDiagnosis(c));
  return [...found];
}

/** One case's failure in a few words that are the same for every student who made it. */
export function caseDiagnosis(c: CaseResultT): string {
  if (c.mistakes[0]) return c.mistakes[0].message;
  if (c.status === 'timeout') return c.error?.message.startsWith('not run') ? 'not run (an earlier case timed out)' : 'timed out';
  if (c.status === 'crash') return 'crashed';
  if (c.error) {
    if (c.error.type === 'ImportFailed') return 'does not import';
    if (c.error.type === 'ApiError' || c.error.type === 'SubmissionError') return c.error.message;
    return `raised ${c.error.type}`;
  }
  const failed = c.outputs.find((o) => !o.pass);
  if (!failed) return c.status;
  const d = failed.diagnostics;
  switch (d.failure) {
    case 'missing':
      return 'no value produced';
    case 'shape':
      return 'wrong shape';
    case 'dtype':
      return 'wrong dtype';
    case 'nonfinite':
      return 'NaN or Inf where the expected values are finite';
    default: {
      const pattern = d.patterns.find((p) => p.kind !== 'mistake');
      const words = pattern?.kind === 'scaled' ? 'off by a constant factor' : pattern?.kind === 'negated' ? 'opposite sign' : pattern?.kind === 'transposed' ? 'transposed' : pattern?.kind === 'offset' ? 'off by a constant offset' : '';
      return `wrong values${words ? ` (${words})` : ''}`;
    }
  }
}

/** Counts per bucket [from, to), the last bucket closed. */
function distribution(values: number[], maxPoints: number, buckets: number): Distribution {
  const out = Array.from({ length: buckets }, (_, i) => ({ from: round((maxPoints * i) / buckets), to: round((maxPoints * (i + 1)) / buckets), count: 0 }));
  for (const v of values) out[Math.max(0, Math.min(buckets - 1, Math.floor((v / (maxPoints || 1)) * buckets)))].count++;
  return out;
}

function spread(values: number[]): { min: number; max: number; std: number } {
  if (!values.length) return { min: 0, max: 0, std: 0 };
  const m = mean(values);
  let min = Infinity;
  let max = -Infinity;
  let sq = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sq += (v - m) ** 2;
  }
  return { min: round(min), max: round(max), std: round(Math.sqrt(sq / values.length)) };
}

/** Writes grades.csv and summary.json when the batch ends. */
export class ClassFilesReporter implements Reporter {
  readonly name = 'class-files';
  constructor(private readonly outDir: string) {}
  async onEnd(results: ResultT[]): Promise<void> {
    await writeFileAtomic(path.join(this.outDir, 'grades.csv'), gradesCsv(results));
    await writeFileAtomic(path.join(this.outDir, 'summary.json'), JSON.stringify(summarize(results), null, 2) + '\n');
  }
}

export function sortByStudent(results: ResultT[]): ResultT[] {
  return [...results].sort((a, b) => (a.student < b.student ? -1 : a.student > b.student ? 1 : 0));
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
const round = (x: number) => Math.round(x * 1e4) / 1e4;
