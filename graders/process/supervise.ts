// The one place dlgrade starts processes: minimal environment, its own process group, capped output, a kill that reaps the tree.
import { execa, type ResultPromise } from 'execa';

/** How a supervised process ended, as data rather than message text. */
export type ExitKind = 'exited' | 'killed-by-harness' | 'signaled' | 'spawn-failed';

export interface SupervisedExit {
  kind: ExitKind;
  exitCode?: number;
  signal?: string;
  /** Why the harness killed it, when it did. */
  killReason?: string;
  /** The last bytes of stdout and stderr (capped). */
  stdoutTail: string;
  stderrTail: string;
  durationMs: number;
  /** The spawn error, kept for messages. */
  cause?: unknown;
  /**
   * The process that died was not the one running the case (a warm worker killed by its child, which may have
   * run on into the next case before it died too): which case caused it is not certain.
   */
  unattributed?: boolean;
}

export interface SuperviseOptions {
  cwd: string;
  /** The complete environment: nothing of the harness's is inherited. */
  env: Record<string, string>;
  /** Hard wall-clock limit for the whole process, whatever the watchdog says (Infinity: none, for a long-lived worker). */
  timeoutMs: number;
  /** Bytes of each stream kept (the tail). */
  outputCapBytes?: number;
  /** Called every `tickMs` while it runs; return a reason to kill it. */
  watchdog?: () => string | undefined | Promise<string | undefined>;
  tickMs?: number;
  /**
   * A line-based control channel for a long-lived worker: stdin stays open for `send`, and each line the process
   * writes to stdout goes to `onLine` (lines longer than 1 MiB are dropped) instead of the kept tail.
   */
  onLine?: (line: string) => void;
}

/** A running process under supervision. */
export interface Supervised {
  pid: number | undefined;
  /** Kills the whole process group now. */
  kill(reason: string): void;
  done: Promise<SupervisedExit>;
  /** Writes one line to the process's stdin (only with `onLine`); false when the process is gone. */
  send(line: string): boolean;
  /** Whether the process (and its pipes) keep Node running: a worker started ahead of need is held loosely. */
  setRef(ref: boolean): void;
}

/** Starts `file args` in a new process group and watches it until it ends or is killed. */
export function supervise(file: string, args: string[], options: SuperviseOptions): Supervised {
  const cap = options.outputCapBytes ?? 64 * 1024;
  const started = Date.now();
  let killReason: string | undefined;
  let child: ResultPromise;
  try {
    child = execa(file, args, {
      cwd: options.cwd,
      env: options.env,
      extendEnv: false,
      stdin: options.onLine ? 'pipe' : 'ignore',
      buffer: false,
      reject: false,
      detached: true, // its own process group, so one signal reaches every descendant
      cleanup: true,
    });
  } catch (cause) {
    const done = Promise.resolve<SupervisedExit>({ kind: 'spawn-failed', stdoutTail: '', stderrTail: String(cause), durationMs: 0, cause });
    return { pid: undefined, kill: () => {}, done, send: () => false, setRef: () => {} };
  }
  const stdout = tailKeeper(cap);
  const stderr = tailKeeper(cap);
  if (options.onLine) child.stdout?.on('data', lineSplitter(options.onLine));
  else child.stdout?.on('data', stdout.push);
  child.stderr?.on('data', stderr.push);
  // A worker that died leaves a broken pipe: the exit is reported through `done`, not as an error here.
  child.stdin?.on('error', () => {});

  const killGroup = (reason: string): void => {
    killReason ??= reason;
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };

  const hardTimer = !Number.isFinite(options.timeoutMs) ? undefined : setTimeout(() => killGroup(`exceeded the ${Math.round(options.timeoutMs / 1000)} s limit`), options.timeoutMs);
  let ticking = false;
  const tick = options.watchdog
    ? setInterval(async () => {
        if (ticking) return;
        ticking = true;
        try {
          const reason = await options.watchdog!();
          if (reason) killGroup(reason);
        } finally {
          ticking = false;
        }
      }, options.tickMs ?? 100)
    : undefined;

  const done = (async (): Promise<SupervisedExit> => {
    const result = await child;
    if (hardTimer) clearTimeout(hardTimer);
    if (tick) clearInterval(tick);
    // The leader may have exited while descendants live on: sweep the group.
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Nothing left.
      }
    }
    const base = { stdoutTail: stdout.text(), stderrTail: stderr.text(), durationMs: Date.now() - started };
    const spawnFailed = result.failed && result.exitCode === undefined && result.signal === undefined;
    if (spawnFailed) return { kind: 'spawn-failed', ...base, cause: result };
    if (killReason) return { kind: 'killed-by-harness', killReason, signal: result.signal, ...base };
    if (result.signal) return { kind: 'signaled', signal: result.signal, ...base };
    return { kind: 'exited', exitCode: result.exitCode, ...base };
  })();
  const send = (line: string): boolean => {
    const stdin = child.stdin;
    if (!stdin || stdin.destroyed || !stdin.writable) return false;
    stdin.write(line.endsWith('\n') ? line : `${line}\n`);
    return true;
  };
  const setRef = (ref: boolean): void => {
    for (const handle of [child, child.stdin, child.stdout, child.stderr]) {
      const h = handle as { ref?: () => void; unref?: () => void } | null | undefined;
      if (ref) h?.ref?.();
      else h?.unref?.();
    }
    if (tick) {
      if (ref) tick.ref();
      else tick.unref();
    }
  };
  return { pid: child.pid, kill: killGroup, done, send, setRef };
}

/** Calls `onLine` for each complete line of a stream; a line over 1 MiB is dropped rather than buffered. */
function lineSplitter(onLine: (line: string) => void): (chunk: Buffer) => void {
  const cap = 1024 * 1024;
  let pending = '';
  let dropping = false;
  return (chunk: Buffer) => {
    const parts = (pending + chunk.toString('utf8')).split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) {
      if (!dropping) onLine(line);
      dropping = false;
    }
    if (pending.length > cap) {
      pending = '';
      dropping = true;
    }
  };
}

/** Keeps the last `cap` bytes written to a stream. */
function tailKeeper(cap: number): { push: (chunk: Buffer) => void; text: () => string } {
  let chunks: Buffer[] = [];
  let size = 0;
  let dropped = 0;
  return {
    push(chunk: Buffer) {
      chunks.push(chunk);
      size += chunk.length;
      if (size > cap * 2) {
        const joined = Buffer.concat(chunks);
        dropped += joined.length - cap;
        chunks = [joined.subarray(joined.length - cap)];
        size = cap;
      }
    },
    text() {
      const joined = Buffer.concat(chunks);
      const kept = joined.length > cap ? joined.subarray(joined.length - cap) : joined;
      const lost = dropped + (joined.length - kept.length);
      return (lost > 0 ? `… (${lost} bytes not kept)\n` : '') + kept.toString('utf8');
    },
  };
}
