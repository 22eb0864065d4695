// Test support: runs a Python snippet under the interpreter that has PyTorch (Debian's /usr/bin/python3 here).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The interpreter with torch: DLGRADE_TEST_PYTHON, else /usr/bin/python3. */
export const TORCH_PYTHON = process.env.DLGRADE_TEST_PYTHON ?? '/usr/bin/python3';

/** True when TORCH_PYTHON exists and imports torch and numpy (tests that need PyTorch are skipped otherwise). */
export const HAS_TORCH: boolean =
  existsSync(TORCH_PYTHON) && spawnSync(TORCH_PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore', timeout: 60_000 }).status === 0;

/** Runs `code` with `input` as JSON on stdin and returns the JSON the snippet prints last. */
export function runTorch<T>(code: string, input: unknown = null, options: { cwd?: string; timeoutMs?: number } = {}): T {
  const stdout = execFileSync(TORCH_PYTHON, ['-c', code], {
    input: JSON.stringify(input),
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 256 * 1024 * 1024,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' },
  });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}
