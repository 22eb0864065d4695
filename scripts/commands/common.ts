// Options and helpers shared by the commands.
import { Option } from 'commander';
import { DlgradeError } from '../../graders/errors.js';
import { NO_KEYS, requireArrayKey, type KeyRegistry } from '../../graders/answer-key/registry.js';
import path from 'node:path';
import { ReporterMultiplexer } from '../../graders/reporters/reporter.js';
import { JsonResultReporter, StudentReportReporter, GradescopeReporter } from '../../graders/reporters/student-files.js';
import { ClassFilesReporter } from '../../graders/reporters/class-files.js';
import { ClassReportReporter } from '../../graders/reporters/class-report.js';
import type { Reporter } from '../../graders/reporters/reporter.js';

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
export function batchReporters(outDir: string, extra: Reporter[] = []): ReporterMultiplexer {
  return new ReporterMultiplexer([
    new JsonResultReporter(outDir),
    new StudentReportReporter(outDir),
    new GradescopeReporter((student) => path.join(outDir, student, 'results.json')),
    new ClassFilesReporter(outDir),
    new ClassReportReporter(outDir),
    ...extra,
  ]);
}
