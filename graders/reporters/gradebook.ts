// The LMS gradebook: a CSV in Canvas's import format from a roster, with every mismatch between roster and submissions listed.
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Reporter } from './reporter.js';
import type { ResultT } from '../result/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { DlgradeError } from '../errors.js';

/** Canvas's identity columns, in the order its gradebook export (and import) uses. */
export const CANVAS_COLUMNS = ['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section'] as const;

/** Roster columns tried, in order, to find the row of a dlgrade student id (unless --roster-key names one). */
export const DEFAULT_ROSTER_KEYS = ['SIS Login ID', 'SIS User ID', 'ID', 'Email', 'Login ID'];

export type RosterRow = Record<string, string>;

export interface Roster {
  file: string;
  rows: RosterRow[];
  columns: string[];
}

export interface GradebookOptions {
  /** The assignment's column in Canvas; an existing assignment is matched by name (Canvas writes "Name (id)"). */
  column: string;
  /** Roster columns holding the id dlgrade uses for a student. */
  keys?: string[];
}

export interface Gradebook {
  csv: string;
  /** On the roster, no submission: kept in the CSV with an empty score (Canvas leaves the grade as it is). */
  noSubmission: RosterRow[];
  /** Graded, not on the roster: Canvas cannot import them; they are listed in gradebook-issues.csv instead. */
  notOnRoster: ResultT[];
  /** The issues file: one row per student who is on one side only. */
  issuesCsv: string;
}

/** Reads a roster CSV (a Canvas gradebook export works as it is); its "Points Possible" row is skipped. */
export async function readRoster(file: string): Promise<Roster> {
  let records: RosterRow[];
  try {
    records = parse(await readFile(file), { columns: true, skip_empty_lines: true, trim: true, bom: true, relax_column_count: true }) as RosterRow[];
  } catch (cause) {
    throw new DlgradeError('USAGE', `cannot read the roster: ${(cause as Error).message}`, { file, cause });
  }
  const columns = records.length ? Object.keys(records[0]) : [];
  if (!columns.includes('Student')) {
    throw new DlgradeError('USAGE', `the roster needs a "Student" column (the student's name, as in a Canvas gradebook export); it has ${columns.map((c) => `"${c}"`).join(', ') || 'no columns'}`, { file });
  }
  const rows = records.filter((r) => !/^\s*Points Possible\s*$/i.test(r.Student ?? ''));
  return { file, rows, columns };
}

/** Every id a roster gives its students under the key columns (default: Canvas's), trimmed and lower-cased. */
export function rosterStudentIds(roster: Roster, keys: readonly string[] = DEFAULT_ROSTER_KEYS): Set<string> {
  const ids = new Set<string>();
  for (const row of roster.rows) for (const key of keys) if (row[key]?.trim()) ids.add(row[key].trim().toLowerCase());
  return ids;
}

/** Matches results to roster rows and writes Canvas's import CSV: identity columns, the assignment column, a Points Possible row. */
export function canvasGradebook(results: ResultT[], roster: Roster, options: GradebookOptions): Gradebook {
  const keys = options.keys?.length ? options.keys : DEFAULT_ROSTER_KEYS.filter((k) => roster.columns.includes(k));
  const missingKeys = keys.filter((k) => !roster.columns.includes(k));
  if (keys.length === 0 || missingKeys.length) {
    throw new DlgradeError(
      'USAGE',
      `the roster has no ${missingKeys.length ? missingKeys.map((k) => `"${k}"`).join(', ') : `identifier column (looked for ${DEFAULT_ROSTER_KEYS.join(', ')})`} column to match student ids against; use --roster-key`,
      { file: roster.file },
    );
  }
  const norm = (s: string) => s.trim().toLowerCase();
  const byId = new Map<string, ResultT>();
  for (const r of results) byId.set(norm(r.student), r);
  const matched = new Set<ResultT>();
  const noSubmission: RosterRow[] = [];
  const maxPoints = results[0]?.score.maxPoints;
  const rows: string[][] = [
    [...CANVAS_COLUMNS, options.column],
    ['Points Possible', '', '', '', '', maxPoints === undefined ? '' : String(maxPoints)],
  ];
  for (const row of roster.rows) {
    const result = keys.map((k) => row[k]).filter((v) => v && v.trim()).map((v) => byId.get(norm(v!))).find((r) => r !== undefined);
    if (result) matched.add(result);
    else noSubmission.push(row);
    rows.push([...CANVAS_COLUMNS.map((c) => row[c] ?? ''), result ? String(result.score.points) : '']);
  }
  const notOnRoster = results.filter((r) => !matched.has(r));
  const issues = [
    ['issue', 'student', 'name', 'points'],
    ...noSubmission.map((row) => ['no submission', keys.map((k) => row[k]).find((v) => v) ?? '', row.Student ?? '', '']),
    ...notOnRoster.map((r) => ['not on the roster', r.student, '', String(r.score.points)]),
  ];
  return { csv: stringify(rows), noSubmission, notOnRoster, issuesCsv: stringify(issues) };
}

/** Writes gradebook.csv (Canvas import) and gradebook-issues.csv when the batch ends, and tells who is on one side only. */
export class GradebookReporter implements Reporter {
  readonly name = 'gradebook';
  constructor(
    private readonly outDir: string,
    private readonly roster: Roster,
    private readonly options: GradebookOptions,
    private readonly log: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  ) {}
  async onEnd(results: ResultT[]): Promise<void> {
    const book = canvasGradebook(results, this.roster, this.options);
    await writeFileAtomic(path.join(this.outDir, 'gradebook.csv'), book.csv);
    await writeFileAtomic(path.join(this.outDir, 'gradebook-issues.csv'), book.issuesCsv);
    if (book.noSubmission.length) this.log(`gradebook: ${book.noSubmission.length} student(s) on the roster have no submission (empty score): ${book.noSubmission.map((r) => r.Student).join(', ')}`);
    if (book.notOnRoster.length) this.log(`gradebook: ${book.notOnRoster.length} graded student(s) are not on the roster (see gradebook-issues.csv): ${book.notOnRoster.map((r) => r.student).join(', ')}`);
  }
}

/** The gradebook reporter the `grade` options ask for: none without --roster. */
export async function gradebookFromOptions(
  outDir: string,
  assignmentTitle: string,
  options: { roster?: string; rosterKey?: string; gradebookColumn?: string },
): Promise<Reporter[]> {
  if (!options.roster) {
    if (options.rosterKey || options.gradebookColumn) throw new DlgradeError('USAGE', '--roster-key and --gradebook-column need --roster <csv>');
    return [];
  }
  const roster = await readRoster(path.resolve(options.roster));
  const keys = options.rosterKey?.split(',').map((k) => k.trim()).filter(Boolean);
  // Checked now, so a wrong column is a usage error before grading rather than a warning after it.
  canvasGradebook([], roster, { column: 'check', keys });
  return [new GradebookReporter(outDir, roster, { column: options.gradebookColumn ?? assignmentTitle, keys })];
}
