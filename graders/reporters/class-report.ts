// The class report, <out>/index.html: per-question statistics, a score histogram, the students, fixtures and versions.
import path from 'node:path';
import type { Reporter } from './reporter.js';
import type { ResultT } from '../result/schema.js';
import { summarize, sortByStudent, type ClassSummary } from './class-files.js';
import { points, viewQuestion } from './view-model.js';
import { render } from './templates.js';
import { writeFileAtomic } from '../util/atomic-write.js';

export interface HistogramBar {
  from: string;
  to: string;
  count: number;
  /** Geometry in the SVG's own units. */
  x: number;
  y: number;
  width: number;
  height: number;
  labelX: number;
}

/** What reports/class.html.hbs shows; every number is derived from summarize() so it matches summary.json. */
export interface ClassReportView {
  title: string;
  assignment: string;
  version: string;
  students: number;
  maxPoints: string;
  mean: string;
  /** Manual questions not yet scored by staff, over all students. */
  pending: number;
  median: string;
  questions: { id: string; title: string; maxPoints: string; mean: string; passRate: string; pending: number; diagnosis?: string; diagnosisCount?: number }[];
  histogram: { bars: HistogramBar[]; width: number; height: number; baseline: number };
  rows: { student: string; href: string; points: string; maxPoints: string; percent: string; verdicts: { id: string; verdict: string }[]; notice?: string }[];
  questionIds: string[];
  fixtures: { file: string; sha256: string }[];
  backend: string;
  referenceVersion: string;
  versions: string[];
  lastGraded: string;
}

const percent = (x: number) => `${Math.round(x * 100)}%`;

/** Builds the view from the results (the same ones summary.json is computed from). */
export function viewClassReport(results: ResultT[], summary: ClassSummary = summarize(results)): ClassReportView {
  const sorted = sortByStudent(results);
  // Drawn in a 400-unit box that scales to the screen: legible on a phone, not oversized on a desktop.
  const width = 400;
  const height = 200;
  const baseline = 170;
  const slot = width / Math.max(1, summary.distribution.length);
  const top = Math.max(1, ...summary.distribution.map((d) => d.count));
  const bars = summary.distribution.map((d, i) => {
    const h = Math.round(((baseline - 20) * d.count) / top);
    return { from: points(d.from), to: points(d.to), count: d.count, x: Math.round(i * slot + 4), y: baseline - h, width: Math.round(slot - 8), height: h, labelX: Math.round(i * slot + slot / 2) };
  });
  const versions = new Set<string>();
  for (const r of sorted) {
    versions.add(`dlgrade ${r.engine.dlgrade}`);
    versions.add(`Node ${r.engine.node}`);
    for (const [k, v] of Object.entries(r.engine.runtime)) versions.add(`${k} ${v}`);
    versions.add(`sandbox ${r.engine.sandbox}`);
  }
  return {
    title: sorted[0]?.assignment.title ?? summary.assignment,
    assignment: summary.assignment,
    version: summary.version,
    students: summary.students,
    maxPoints: points(summary.maxPoints),
    mean: points(summary.mean),
    median: points(summary.median),
    pending: summary.questions.reduce((s, q) => s + q.pending, 0),
    questions: summary.questions.map((q) => ({
      id: q.id,
      title: q.title,
      maxPoints: points(q.maxPoints),
      mean: points(q.mean),
      passRate: percent(q.passRate),
      pending: q.pending,
      diagnosis: q.commonDiagnosis?.text,
      diagnosisCount: q.commonDiagnosis?.count,
    })),
    histogram: { bars, width, height, baseline },
    questionIds: summary.questions.map((q) => q.id),
    rows: sorted.map((r) => ({
      student: r.student,
      href: `${encodeURIComponent(r.student)}/report.html`,
      points: points(r.score.points),
      maxPoints: points(r.score.maxPoints),
      percent: r.score.maxPoints > 0 ? percent(r.score.points / r.score.maxPoints) : '—',
      verdicts: summary.questions.map((q) => {
        const found = r.questions.find((x) => x.id === q.id);
        return { id: q.id, verdict: found ? viewQuestion(found).verdict : '—' };
      }),
      notice: r.notices[0],
    })),
    fixtures: Object.entries(summary.fixtures).map(([file, sha256]) => ({ file, sha256 })),
    backend: summary.backend,
    referenceVersion: summary.referenceVersion,
    versions: [...versions],
    lastGraded: sorted.map((r) => r.startedAt).sort().at(-1) ?? '',
  };
}

/** Writes index.html beside the per-student reports when the batch ends. */
export class ClassReportReporter implements Reporter {
  readonly name = 'class-report';
  constructor(private readonly outDir: string) {}
  async onEnd(results: ResultT[]): Promise<void> {
    await writeFileAtomic(path.join(this.outDir, 'index.html'), render('class.html.hbs', viewClassReport(results)));
  }
}
