// Late submissions: the manifest's policy (deadline, penalty per day or hour, cap, grace), per-student extensions,
// and the penalty applied to a result's total with the score before and after.
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { DlgradeError } from '../errors.js';
import type { LatePolicyT } from '../manifest/schema.js';

/** A time as LMSs and people write it (ISO 8601, "2024-03-01 10:00:00 -08:00"); undefined when unreadable. */
export function parseTime(text: string): Date | undefined {
  const t = text.trim();
  if (!/^\d{4}-\d\d-\d\d/.test(t)) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

export interface LateVerdict {
  late: boolean;
  /** The deadline that applied (the student's extension, else the manifest's). */
  deadline: string;
  /** How late, in minutes (0 when on time). */
  lateMinutes: number;
  /** Percent of the total taken off. */
  percent: number;
  /** One sentence: why this penalty. */
  reason: string;
}

const HOUR = 3600_000;

/** The penalty for a submission made at `submittedAt` under `policy` (and an extension's deadline, if any). */
export function judgeLateness(policy: LatePolicyT, submittedAt: Date, extension?: Date): LateVerdict {
  const deadline = extension ?? parseTime(policy.deadline)!;
  const lateMs = submittedAt.getTime() - deadline.getTime();
  const lateMinutes = Math.max(0, Math.ceil(lateMs / 60_000));
  const whose = extension ? 'the extended deadline' : 'the deadline';
  const base = { deadline: deadline.toISOString(), lateMinutes };
  if (lateMs <= 0) return { ...base, late: false, percent: 0, reason: `submitted before ${whose}` };
  const grace = (policy.grace_minutes ?? 0) * 60_000;
  if (lateMs <= grace) return { ...base, late: false, percent: 0, reason: `${describeDuration(lateMs)} after ${whose}, within the ${policy.grace_minutes} min grace period` };
  const cap = policy.max_penalty_percent ?? 100;
  const [rate, unit, unitMs] = policy.penalty_percent_per_hour !== undefined ? [policy.penalty_percent_per_hour, 'hour', HOUR] : [policy.penalty_percent_per_day ?? 0, 'day', 24 * HOUR];
  const units = Math.ceil(lateMs / unitMs);
  const percent = Math.min(cap, units * rate);
  const capped = units * rate > cap ? ` (capped at ${cap}%)` : '';
  return { ...base, late: true, percent, reason: `${describeDuration(lateMs)} after ${whose}: ${units} ${unit}(s) × ${rate}% = ${percent}%${capped}` };
}

function describeDuration(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  const hours = ms / HOUR;
  return hours < 48 ? `${hours.toFixed(1)} h` : `${(hours / 24).toFixed(1)} days`;
}

/** The total after taking `percent` off, to two decimals. */
export function applyPenalty(points: number, percent: number): number {
  return Math.round(points * (1 - percent / 100) * 100) / 100;
}

/**
 * Reads an extensions CSV: a `student` column (the student id as results name it, or the name the submission
 * came under) and a `deadline` column (ISO 8601, with a time zone offset or Z).
 */
export async function readExtensions(file: string): Promise<Map<string, Date>> {
  let rows: Record<string, string>[];
  try {
    rows = parse(await readFile(file, 'utf8'), { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true });
  } catch (cause) {
    throw new DlgradeError('USAGE', `cannot read the extensions CSV: ${(cause as Error).message}`, { file, cause });
  }
  const out = new Map<string, Date>();
  rows.forEach((row, i) => {
    const student = row.student ?? row.student_id ?? row.id;
    const when = row.deadline ?? row.new_deadline ?? row.due;
    if (!student || !when) throw new DlgradeError('USAGE', `row ${i + 2}: expected the columns student and deadline, got ${JSON.stringify(row)}`, { file });
    const date = parseTime(when);
    if (!date) throw new DlgradeError('USAGE', `row ${i + 2}: "${when}" is not a date and time (expected ISO 8601, e.g. 2026-03-08T23:59:00-05:00)`, { file });
    out.set(student, date);
  });
  return out;
}
