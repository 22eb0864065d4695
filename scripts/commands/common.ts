// Options and helpers shared by the commands.
import { Option } from 'commander';
import { DlgradeError, describeValue } from '../../graders/errors.js';
import { NO_KEYS, requireArrayKey, type KeyRegistry } from '../../graders/answer-key/registry.js';
import path from 'node:path';
import { readdir, readFile } from 'node:fs/promises';
import type { ReporterMultiplexer, Reporter } from '../../graders/reporters/reporter.js';
import { createReporters, REPORTER_NAMES } from '../../graders/reporters/index.js';
import type { ResultT } from '../../graders/result/schema.js';
import { points } from '../../graders/reporters/view-model.js';

/** --student-id, also read from DLGRADE_STUDENT_ID. */
export const studentIdOption = () =>
  new Option('--student-id <id>', 'your student id: the result is yours, and variant assignments use your own values (the ones the instructor grades with)').env('DLGRADE_STUDENT_ID');

/** The kit's config file, in the folder dlgrade is run from: { "student_id": "..." }. */
export const STUDENT_CONFIG_FILE = 'dlgrade.config.json';

/** The student id of the config file in `dir`, if there is one; a file that is not what it should be is a usage error. */
export async function studentIdFromConfig(dir = process.cwd()): Promise<string | undefined> {
  const file = path.join(dir, STUDENT_CONFIG_FILE);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (cause) {
    throw new DlgradeError('USAGE', `not valid JSON (${(cause as Error).message}); expected {"student_id": "YOUR_ID"}`, { file, cause });
  }
  const id = (config as { student_id?: unknown } | null)?.student_id;
  if (id === undefined) return undefined;
  if (typeof id !== 'string' || id.trim() === '') throw new DlgradeError('USAGE', `student_id must be a non-empty string, got ${describeValue(id)}`, { file });
  return id.trim();
}

/** Collects a repeatable option into a list. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** --python, also read from DLGRADE_PYTHON. */
export const pythonOption = () => new Option('--python <path>', 'Python interpreter with NumPy and PyTorch').env('DLGRADE_PYTHON');

/**
 * The answer keys (reference/index.ts). Imported only when a command runs, and absent from a student kit, which ships
 * no reference/ folder: there the registry is empty and only commands that need a key say so.
 */
export async function answerKeys(): Promise<KeyRegistry> {
  try {
    return (await import('../../reference/index.js')).answerKeys;
  } catch (cause) {
    const missing = (cause as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && /reference[\\/]index\.js/.test(String((cause as Error).message));
    if (missing) return NO_KEYS;
    throw cause;
  }
}

/** The array-question key of a code assignment, or a message naming the registry. */
export async function referenceFor(id: string) {
  return requireArrayKey(await answerKeys(), id);
}

/** Parses a whole number >= 1 or says which flag was wrong. */
export function parsePositiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new DlgradeError('USAGE', `${flag} must be a positive whole number, got ${JSON.stringify(value)}`);
  return n;
}

/** The per-student and class outputs of a batch; `grade` and `merge` write the same ones, so a merge equals a single run. */
export function batchReporters(outDir: string, extra: Reporter[] = [], names?: readonly string[]): ReporterMultiplexer {
  return createReporters('grade', { outDir, extra, names });
}

/** "1 submission", "2 submissions". */
export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

/** One line per student, names and scores in aligned columns, scores as people write them (18.22/28). */
export function scoreLines(results: readonly ResultT[]): string[] {
  const width = Math.max(0, ...results.map((r) => r.student.length));
  // Points staff have yet to give are said, or a student reads them as lost.
  const scores = results.map((r) => `${points(r.score.points)}/${points(r.score.maxPoints)}${r.score.pendingPoints > 0 ? ` (${points(r.score.pendingPoints)} pending staff grading)` : ''}`);
  const scoreWidth = Math.max(0, ...scores.map((s) => s.length));
  return results.map((r, i) => `${r.student.padEnd(width)}  ${scores[i].padStart(scoreWidth)}${r.notices.length ? `  (${r.notices[0]})` : ''}`);
}

/**
 * The entries of a submissions folder that were not taken as submissions, one line each with the reason
 * (empty when the folder is empty): what `grade` prints when it finds nothing to grade.
 */
export async function describeSkipped(root: string): Promise<string> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  if (entries.length === 0) return ': the folder is empty (expected one sub-folder or .zip per student)';
  const reasons = entries
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((e) => `  ${e.name}${e.isDirectory() ? '/' : ''}: ${e.name.startsWith('.') ? 'hidden (its name starts with a dot)' : e.isDirectory() ? 'not taken as a submission' : 'a file, not a sub-folder or .zip'}`);
  const shown = reasons.slice(0, 20);
  return `; expected one sub-folder or .zip per student. Skipped:\n${shown.join('\n')}${reasons.length > shown.length ? `\n  … and ${reasons.length - shown.length} more` : ''}`;
}

/** --reporter, repeatable and comma-separated; the mode's own reporters when absent. */
export const reporterOption = () =>
  new Option('--reporter <name>', `reporter(s) to use instead of the default ones: ${REPORTER_NAMES.join(', ')} (repeatable, or comma-separated)`).argParser(collect);
