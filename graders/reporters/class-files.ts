// Class-level outputs of `grade`: grades.csv (one row per student) and summary.json (per-question statistics).
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { Reporter } from './reporter.js';
import type { ResultT } from '../result/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';

export interface QuestionSummary {
  id: string;
  title: string;
  maxPoints: number;
  mean: number;
  passRate: number;
  /** Students whose answer to this manual question staff have not scored yet (mean and pass rate leave them out). */
  pending: number;
  /** The most common diagnosis among students who lost points, with how many. */
  commonDiagnosis?: { text: string; count: number };
}

export interface ClassSummary {
  assignment: string;
  version: string;
  students: number;
  maxPoints: number;
  mean: number;
  median: number;
  /** Students per score bucket: [from, to) in points, the last bucket closed. */
  distribution: { from: number; to: number; count: number }[];
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

/** Per-question mean, pass rate and common diagnosis; score distribution in ten buckets. */
export function summarize(results: ResultT[]): ClassSummary {
  const sorted = sortByStudent(results);
  const first = sorted[0];
  const maxPoints = first?.score.maxPoints ?? 0;
  const totals = sorted.map((r) => r.score.points).sort((a, b) => a - b);
  const buckets = 10;
  const distribution = Array.from({ length: buckets }, (_, i) => ({ from: round((maxPoints * i) / buckets), to: round((maxPoints * (i + 1)) / buckets), count: 0 }));
  for (const t of totals) distribution[Math.min(buckets - 1, Math.floor((t / (maxPoints || 1)) * buckets))].count++;
  const files: Record<string, string> = {};
  for (const r of sorted) Object.assign(files, r.fixtures.files);
  return {
    assignment: first?.assignment.id ?? '',
    version: first?.assignment.version ?? '',
    students: sorted.length,
    maxPoints,
    mean: round(mean(totals)),
    median: round(totals.length ? (totals[(totals.length - 1) >> 1] + totals[totals.length >> 1]) / 2 : 0),
    distribution,
    questions: (first?.questions ?? []).map((q) => {
      const answered = sorted.map((r) => r.questions.find((x) => x.id === q.id)).filter((x) => x !== undefined);
      const all = answered.filter((x) => x.status !== 'pending');
      const counts = new Map<string, number>();
      for (const x of all) {
        if (x.status === 'passed') continue;
        for (const c of x.cases) {
          if (c.status === 'pass') continue;
          const text = c.mistakes[0]?.message ?? (c.error ? `${c.status}: ${c.error.type}` : c.outputs.find((o) => !o.pass)?.diagnostics.failure ?? c.status);
          counts.set(text, (counts.get(text) ?? 0) + 1);
          break;
        }
      }
      const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
      return {
        id: q.id,
        title: q.title,
        maxPoints: q.maxPoints,
        mean: round(mean(all.map((x) => x.points))),
        passRate: round(all.length ? all.filter((x) => x.status === 'passed').length / all.length : 0),
        pending: answered.length - all.length,
        ...(top ? { commonDiagnosis: { text: top[0], count: top[1] } } : {}),
      };
    }),
    backend: first?.fixtures.backend ?? '',
    referenceVersion: first?.fixtures.referenceVersion ?? '',
    fixtures: Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b))),
  };
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
