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

/**
 * Runs many snippets in one interpreter, so PyTorch is imported once rather than once per snippet (about two seconds
 * of CPU each): `prelude` runs once, then each snippet in a fresh copy of the prelude's namespace with torch's seed set
 * to 0 again, its printing captured. Returns, per snippet, the JSON it printed last, or throws its traceback when read.
 */
export function runTorchSnippets(prelude: string, snippets: Record<string, string>, options: { timeoutMs?: number } = {}): (name: string) => unknown {
  const results = runTorch<Record<string, { stdout: string; error?: string }>>(SNIPPET_DRIVER, { prelude, snippets }, { timeoutMs: options.timeoutMs ?? 300_000 });
  return (name) => {
    const r = results[name];
    if (!r) throw new Error(`no snippet named ${name}`);
    if (r.error) throw new Error(`snippet ${name} failed:\n${r.error}`);
    const lines = r.stdout.trim().split('\n');
    return JSON.parse(lines[lines.length - 1]);
  };
}

const SNIPPET_DRIVER = `
import contextlib, io, json, sys, traceback
job = json.load(sys.stdin)
base = {"__name__": "__main__"}
exec(compile(job["prelude"], "<prelude>", "exec"), base)
results = {}
for name, code in job["snippets"].items():
    namespace = dict(base)
    captured = io.StringIO()
    try:
        if "torch" in sys.modules:
            sys.modules["torch"].manual_seed(0)
        with contextlib.redirect_stdout(captured):
            exec(compile(code, "<" + name + ">", "exec"), namespace)
        results[name] = {"stdout": captured.getvalue()}
    except BaseException:
        results[name] = {"stdout": captured.getvalue(), "error": traceback.format_exc()}
print(json.dumps(results))
`;
