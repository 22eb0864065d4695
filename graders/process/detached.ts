// A process that outlives the one that starts it (the check server): detached, in its own session, its output to a
// log. Node's built-in modules only, because the CLI's launcher loads this before anything else.
import { spawn } from 'node:child_process';

export interface DetachedOptions {
  /** The whole environment the process gets. */
  env: Record<string, string | undefined>;
  cwd: string;
  /** An open file descriptor for its stdout and stderr. */
  logFd: number;
}

/** Starts `file args` detached and lets it go; its pid, or undefined when it could not be started. */
export function startDetached(file: string, args: readonly string[], options: DetachedOptions): number | undefined {
  const child = spawn(file, [...args], { detached: true, stdio: ['ignore', options.logFd, options.logFd], env: options.env, cwd: options.cwd });
  // A failed start is seen by the caller as no server answering; nothing is thrown later from here.
  child.on('error', () => {});
  child.unref();
  return child.pid;
}
