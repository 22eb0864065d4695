// Short helper commands (an interpreter's version, `bwrap --version`, mount, a sandbox self-test): started here, in
// the one module that starts processes, with a timeout, an output cap and a minimal environment; the end is typed.
import { execa } from 'execa';

/** How a probe ended, as data: the caller decides what each case means. */
export type ProbeOutcome =
  | { kind: 'ok'; stdout: string; stderr: string }
  /** Ran and failed: a non-zero exit code, or killed by a signal that was not the timeout's. */
  | { kind: 'exited'; exitCode?: number; signal?: string; stdout: string; stderr: string }
  /** Could not be started: no such file, or not executable (`code` is the system's, e.g. ENOENT, EACCES). */
  | { kind: 'not-found'; code: string }
  | { kind: 'timed-out'; timeoutMs: number; stderr: string };

export interface ProbeOptions {
  /** The whole environment (nothing of the harness's is inherited); default PATH=/usr/bin:/bin only. */
  env?: Record<string, string>;
  cwd?: string;
  /** Always bounded: a probe that hangs must not hang the harness. */
  timeoutMs: number;
  /** Bytes of each stream kept; the process is stopped beyond it (default 1 MiB). */
  outputCapBytes?: number;
}

/** Runs `file args` to completion and says how it ended. Never throws for anything the process does. */
export async function probe(file: string, args: readonly string[], options: ProbeOptions): Promise<ProbeOutcome> {
  const result = await execa(file, [...args], {
    env: options.env ?? { PATH: '/usr/bin:/bin' },
    extendEnv: false,
    cwd: options.cwd,
    timeout: options.timeoutMs,
    maxBuffer: options.outputCapBytes ?? 1024 * 1024,
    stdin: 'ignore',
    reject: false,
    stripFinalNewline: false,
  });
  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');
  if (result.timedOut) return { kind: 'timed-out', timeoutMs: options.timeoutMs, stderr };
  const code = (result as { code?: string }).code;
  if (result.failed && result.exitCode === undefined && result.signal === undefined && code) return { kind: 'not-found', code };
  if (result.failed) return { kind: 'exited', ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}), ...(result.signal ? { signal: result.signal } : {}), stdout, stderr };
  return { kind: 'ok', stdout, stderr };
}

/** A probe's failure in words: `exited with code 1: <first line of stderr>`, `not found (ENOENT)`, `timed out after 10 s`. */
export function describeProbeFailure(outcome: Exclude<ProbeOutcome, { kind: 'ok' }>): string {
  const first = (text: string) => text.trim().split('\n')[0] ?? '';
  switch (outcome.kind) {
    case 'not-found':
      return `could not be started (${outcome.code})`;
    case 'timed-out':
      return `timed out after ${outcome.timeoutMs / 1000} s${first(outcome.stderr) ? `: ${first(outcome.stderr)}` : ''}`;
    case 'exited': {
      const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.exitCode}`;
      return `${how}${first(outcome.stderr) ? `: ${first(outcome.stderr)}` : ''}`;
    }
  }
}

/** A probe that did not end well, kept whole as `outcome` for a caller that only wants the output. */
export class ProbeFailed extends Error {
  constructor(
    readonly file: string,
    readonly outcome: Exclude<ProbeOutcome, { kind: 'ok' }>,
  ) {
    super(`${file} ${describeProbeFailure(outcome)}`);
    this.name = 'ProbeFailed';
  }

  /** What the process wrote to stderr, when it ran. */
  get stderr(): string {
    return this.outcome.kind === 'not-found' ? '' : this.outcome.stderr;
  }
}

/** The stdout of a probe that succeeded; throws ProbeFailed (with the typed outcome) otherwise. */
export async function probeStdout(file: string, args: readonly string[], options: ProbeOptions): Promise<string> {
  const outcome = await probe(file, args, options);
  if (outcome.kind !== 'ok') throw new ProbeFailed(file, outcome);
  return outcome.stdout;
}
