// Runs the real CLI (the compiled bin) for end-to-end tests.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Result } from 'execa';

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
