// Runs the real CLI (the compiled bin) for end-to-end tests.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Result } from 'execa';
import type { ResultT } from '../../graders/result/schema.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(ROOT, 'bin', 'dlgrade.js');

/** Runs `dlgrade ...args`; never throws on a non-zero exit, so tests assert on exitCode. */
export async function dlgrade(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Result> {
  return execa(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: '1', ...options.env },
    reject: false,
    timeout: options.timeoutMs ?? 180_000,
  });
}

/** Removes values that change between runs (durations, dates, absolute paths) before comparing text. */
export function stable(text: string): string {
  return text
    .replace(/\d+(\.\d+)? s\b/g, '<n> s')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<date>')
    .split(ROOT)
    .join('<root>');
}

/** Grades every example of an assignment into `out` and reads back each result and each example's expected.json. */
export async function gradeExamples<E>(assignment: string, out: string, options: { timeoutMs?: number } = {}) {
  const { readdir, readFile } = await import('node:fs/promises');
  const examples = path.join(ROOT, 'examples', assignment);
  const run = await dlgrade(['grade', assignment, examples, '--out', out, '--jobs', '2', '--no-progress'], options);
  const results = new Map<string, ResultT>();
  const expected = new Map<string, E>();
  if (run.exitCode === 0) {
    for (const file of await readdir(path.join(out, 'results'))) {
      results.set(file.replace(/\.json$/, ''), JSON.parse(await readFile(path.join(out, 'results', file), 'utf8')));
    }
  }
  for (const entry of await readdir(examples, { withFileTypes: true })) {
    if (entry.isDirectory()) expected.set(entry.name, JSON.parse(await readFile(path.join(examples, entry.name, 'expected.json'), 'utf8')));
  }
  return { run, results, expected };
}
