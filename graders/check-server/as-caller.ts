// Runs a command inside the check server as if it were the caller's own process: the caller's working folder and
// environment, its standard streams (what is written goes back to it), its exit code. The server runs one check at
// a time, so swapping this process-wide state for the duration of one is safe; everything is put back after.
import type { CheckOutput } from './server.js';

export interface CallerState {
  cwd: string;
  env: Record<string, string>;
  stdoutTTY: boolean;
  stderrTTY: boolean;
  columns?: number;
}

type Writer = NodeJS.WriteStream['write'];

/** Runs `work` with the caller's state; resolves to `process.exitCode` as `work` left it (0 when unset). */
export async function asCaller(caller: CallerState, output: CheckOutput, work: () => Promise<void>): Promise<number> {
  const saved = {
    cwd: process.cwd(),
    env: { ...process.env },
    exitCode: process.exitCode,
    stdout: { write: process.stdout.write, isTTY: process.stdout.isTTY, columns: process.stdout.columns },
    stderr: { write: process.stderr.write, isTTY: process.stderr.isTTY },
  };
  replaceEnv(caller.env);
  process.chdir(caller.cwd);
  process.exitCode = undefined;
  process.stdout.write = relay(output.out);
  process.stderr.write = relay(output.err);
  process.stdout.isTTY = caller.stdoutTTY;
  process.stderr.isTTY = caller.stderrTTY;
  if (caller.columns) process.stdout.columns = caller.columns;
  try {
    await work();
    return typeof process.exitCode === 'number' ? process.exitCode : Number(process.exitCode ?? 0);
  } finally {
    process.stdout.write = saved.stdout.write;
    process.stderr.write = saved.stderr.write;
    process.stdout.isTTY = saved.stdout.isTTY;
    process.stderr.isTTY = saved.stderr.isTTY;
    process.stdout.columns = saved.stdout.columns;
    process.exitCode = saved.exitCode;
    process.chdir(saved.cwd);
    replaceEnv(saved.env as Record<string, string>);
  }
}

/** A stream's write method that sends the text instead (and, like a stream's, calls its callback). */
function relay(send: (data: string) => void): Writer {
  return ((chunk: string | Uint8Array, encodingOrCallback?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void) => {
    const encoding = typeof encodingOrCallback === 'string' ? encodingOrCallback : undefined;
    send(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(encoding ?? 'utf8'));
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (done) queueMicrotask(() => done(null));
    return true;
  }) as Writer;
}

/** Makes process.env exactly `env` (process.env cannot be replaced, only emptied and filled). */
function replaceEnv(env: Record<string, string>): void {
  for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
  Object.assign(process.env, env);
}
