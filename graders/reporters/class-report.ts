// The class report, <out>/index.html: per-question statistics, a score histogram, the students, fixtures and versions.
import path from 'node:path';
import type { Reporter } from './reporter.js';
import type { ResultT } from '../result/schema.js';
import { summarize, sortByStudent, questionDiagnoses, type ClassSummary, type Distribution } from './class-files.js';
import { points } from './view-model.js';
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

/** One question's card: its statistics, a small histogram, every diagnosis, and the failure rate of each case. */
export interface QuestionCard {
  id: string;
  title: string;
  maxPoints: string;
  mean: string;
  min: string;
  max: string;
  std: string;
  passRate: string;
  /** Students whose answer staff have not scored yet. */
  pending: number;
  diagnosis?: string;
  diagnosisCount?: number;
  diagnoses: { n: number; text: string; count: number }[];
  histogram: { bars: HistogramBar[]; width: number; height: number; baseline: number };
  cases: { id: string; hidden: boolean; failed: number; students: number; failRate: string; passRate: string; barWidth: number }[];
}

/** A cell of the student matrix: points, verdict, and the numbers of the question's diagnoses it shows. */
interface MatrixCell {
  points: string;
  verdict: string;
  diagnoses: string;
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
  min: string;
  max: string;
  std: string;
  questions: QuestionCard[];
  histogram: { bars: HistogramBar[]; width: number; height: number; baseline: number };
  rows: { student: string; href: string; points: string; maxPoints: string; percent: string; cells: MatrixCell[]; notice?: string }[];
  questionIds: string[];
  /** The matrix as data for sorting, filtering and CSV export in the page (one parse instead of reading cells). */
  matrix: {
    assignment: string;
    questions: { id: string; diagnoses: string[] }[];
    /** Per row: student, total, per question points, verdicts and diagnosis numbers (1-based). */
    rows: [string, number, number[], string[], number[][]][];
  };
  fixtures: { file: string; sha256: string }[];
  backend: string;
  referenceVersion: string;
  versions: string[];
  lastGraded: string;
}

const percent = (x: number) => `${Math.round(x * 100)}%`;
const VERDICT: Record<string, string> = { passed: 'PASS', partial: 'PARTIAL', failed: 'FAIL', pending: 'PENDING' };

/** Bars of a histogram in an SVG box of the given size. */
function histogramBars(distribution: Distribution, width: number, height: number, baseline: number, labelRoom: number): HistogramBar[] {
  const slot = width / Math.max(1, distribution.length);
  const top = Math.max(1, ...distribution.map((d) => d.count));
  const gap = Math.max(1, Math.round(slot / 12));
  return distribution.map((d, i) => {
    const h = Math.round(((baseline - labelRoom) * d.count) / top);
    return { from: points(d.from), to: points(d.to), count: d.count, x: Math.round(i * slot + gap), y: baseline - h, width: Math.max(1, Math.round(slot - 2 * gap)), height: h, labelX: Math.round(i * slot + slot / 2) };
  });
}

/** Builds the view from the results (the same ones summary.json is computed from). */
export function viewClassReport(results: ResultT[], summary: ClassSummary = summarize(results)): ClassReportView {
  const sorted = sortByStudent(results);
  // Drawn in a 400-unit box that scales to the screen: legible on a phone, not oversized on a desktop.
  const width = 400;
  const height = 200;
  const baseline = 170;
  const bars = histogramBars(summary.distribution, width, height, baseline, 20);
  const versions = new Set<string>();
  for (const r of sorted) {
    versions.add(`dlgrade ${r.engine.dlgrade}`);
    versions.add(`Node ${r.engine.node}`);
    for (const [k, v] of Object.entries(r.engine.runtime)) versions.add(`${k} ${v}`);
    versions.add(`sandbox ${r.engine.sandbox}`);
  }
  const diagnosisNumber = summary.questions.map((q) => new Map(q.diagnoses.map((d, i) => [d.text, i + 1])));
  const matrixRows: ClassReportView['matrix']['rows'] = [];
  const rows = sorted.map((r) => {
    const found = summary.questions.map((q) => r.questions.find((x) => x.id === q.id));
    const diags = found.map((x, qi) => (x ? questionDiagnoses(x).map((t) => diagnosisNumber[qi].get(t) ?? 0).filter((n) => n > 0).sort((a, b) => a - b) : []));
    const verdicts = found.map((x) => (x ? (VERDICT[x.status] ?? x.status.toUpperCase()) : '—'));
    matrixRows.push([r.student, r.score.points, found.map((x) => x?.points ?? 0), verdicts, diags]);
    return {
      student: r.student,
      href: `${encodeURIComponent(r.student)}/staff-report.html`,
      points: points(r.score.points),
      maxPoints: points(r.score.maxPoints),
      percent: r.score.maxPoints > 0 ? percent(r.score.points / r.score.maxPoints) : '—',
      cells: found.map((x, qi) => ({ points: x ? points(x.points) : '—', verdict: verdicts[qi], diagnoses: diags[qi].join(',') })),
      notice: r.notices[0],
    };
  });
  return {
    title: sorted[0]?.assignment.title ?? summary.assignment,
    assignment: summary.assignment,
    version: summary.version,
    students: summary.students,
    maxPoints: points(summary.maxPoints),
    mean: points(summary.mean),
    median: points(summary.median),
    pending: summary.questions.reduce((s, q) => s + q.pending, 0),
    min: points(summary.min),
    max: points(summary.max),
    std: points(summary.std),
    questions: summary.questions.map((q) => ({
      id: q.id,
      title: q.title,
      maxPoints: points(q.maxPoints),
      mean: points(q.mean),
      min: points(q.min),
      max: points(q.max),
      std: points(q.std),
      passRate: percent(q.passRate),
      pending: q.pending,
      diagnosis: q.commonDiagnosis?.text,
      diagnosisCount: q.commonDiagnosis?.count,
      diagnoses: q.diagnoses.map((d, i) => ({ n: i + 1, ...d })),
      histogram: { bars: histogramBars(q.distribution, 200, 70, 56, 12), width: 200, height: 70, baseline: 56 },
      cases: q.cases.map((c) => ({ id: c.id, hidden: c.visibility === 'hidden', failed: c.failed, students: c.students, failRate: percent(c.failRate), passRate: percent(c.passRate), barWidth: Math.round(c.failRate * 100) })),
    })),
    histogram: { bars, width, height, baseline },
    questionIds: summary.questions.map((q) => q.id),
    rows,
    matrix: { assignment: summary.assignment, questions: summary.questions.map((q) => ({ id: q.id, diagnoses: q.diagnoses.map((d) => d.text) })), rows: matrixRows },
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
