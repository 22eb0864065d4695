// What a report says about the submission itself: the files and notebook cells graded, what intake dropped or
// renamed, when it was handed in and any late penalty, and the command that reproduces its public part.
import type { ResultT } from '../result/schema.js';

/**
 * The submission block as intake records it. Every field but path and sha256 is optional: results written before
 * intake recorded them (or by a runner that has none of them) render without those lines.
 */
interface SubmissionRecord {
  path: string;
  sha256: string;
  original?: string;
  format?: string;
  files?: string[];
  renames?: { from: string; to: string }[];
  notebook?: { file: string; module: string; mode?: string; codeCells?: number; cellsKept?: number; cellsDropped?: number; dropped?: string[]; droppedCount?: number; skippedCells?: { cell: number; reason: string }[] };
  notes?: string[];
  submittedAt?: string;
  submittedAtSource?: string;
  late?: boolean;
  git?: { commit: string; committedAt: string };
  penalty?: { percent: number; before: number; after: number; deadline?: string; reason: string };
}

export interface SubmissionView {
  /** Files graded (notebooks named as handed in). */
  files: string[];
  notebook?: { file: string; module: string; kept?: number; codeCells?: number; dropped: string[]; more: number; skipped: string[] };
  renames: string[];
  notes: string[];
  submittedAt?: string;
  late: boolean;
  penalty?: string;
  /** `dlgrade check … --student-id ID`: the public cases, as the student runs them. */
  reproduce: string;
  /** Whether there is anything beyond the reproduce command. */
  any: boolean;
}

const str = (x: unknown): x is string => typeof x === 'string' && x !== '';
const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const round = (x: number) => String(Math.round(x * 100) / 100);

/** Builds the view of result.submission, tolerating any subset of intake's fields. */
export function viewSubmission(result: ResultT): SubmissionView {
  const s = result.submission as SubmissionRecord;
  const files = Array.isArray(s.files) ? s.files.filter(str) : [];
  const nb = s.notebook && typeof s.notebook === 'object' && str(s.notebook.file) ? s.notebook : undefined;
  const dropped = nb && Array.isArray(nb.dropped) ? nb.dropped.filter(str) : [];
  const notebook = nb
    ? {
        file: nb.file,
        module: str(nb.module) ? nb.module : '',
        kept: num(nb.cellsKept) ? nb.cellsKept : undefined,
        codeCells: num(nb.codeCells) ? nb.codeCells : undefined,
        dropped,
        more: Math.max(0, (num(nb.droppedCount) ? nb.droppedCount : dropped.length) - dropped.length),
        skipped: Array.isArray(nb.skippedCells) ? nb.skippedCells.filter((c) => c && num(c.cell)).map((c) => `cell ${c.cell}: ${c.reason}`) : [],
      }
    : undefined;
  const renames = Array.isArray(s.renames) ? s.renames.filter((r) => r && str(r.from) && str(r.to)).map((r) => `${r.from} → ${r.to}`) : [];
  const notes = Array.isArray(s.notes) ? s.notes.filter(str) : [];
  const when = str(s.submittedAt) ? `${s.submittedAt}${str(s.submittedAtSource) ? ` (${s.submittedAtSource})` : ''}` : undefined;
  const p = s.penalty;
  const penalty =
    p && num(p.percent) && num(p.before) && num(p.after)
      ? `${round(p.percent)}% late penalty: ${round(p.before)} → ${round(p.after)} points${str(p.reason) ? ` (${p.reason})` : ''}${str(p.deadline) ? `; deadline ${p.deadline}` : ''}`
      : undefined;
  const target = notebook ? notebook.file : '.';
  const reproduce = `dlgrade check ${result.assignment.id} --submission ${quote(target)} --student-id ${quote(result.student)}`;
  return {
    files: notebook && !files.includes(notebook.file) ? [notebook.file, ...files] : files,
    notebook,
    renames,
    notes,
    submittedAt: when,
    late: s.late === true,
    penalty,
    reproduce,
    any: files.length > 0 || !!notebook || renames.length > 0 || notes.length > 0 || !!when || s.late === true || !!penalty,
  };
}

/** Quotes a shell word only when it needs it. */
function quote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
