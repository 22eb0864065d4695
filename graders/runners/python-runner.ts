// Runs a Python submission: writes the job directory, starts the runner script, watches each case, reads the outcomes.
import { chmod, mkdtemp, mkdir, open as openFile, readdir, rm, lstat, writeFile } from 'node:fs/promises';
import { constants as fsConstants, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpz, writeNpz } from '../npz/npz.js';
import { DlgradeError } from '../errors.js';
import { supervise, type SupervisedExit } from '../process/supervise.js';
import type { CaseError, CaseOutcome, RunOutcome, Runner, RunnerJob } from './runner.js';
import { noSandbox, type Sandbox, type SandboxSession } from './sandbox.js';

/** The runner script shipped with dlgrade (the same path from graders/ and from dist/graders/). */
export function pythonRunnerScript(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'python', 'dlgrade_runner.py'), path.join(here, '..', '..', '..', 'graders', 'runners', 'python', 'dlgrade_runner.py')];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

/** The interpreter used when none is named: --python, then DLGRADE_PYTHON, then Debian's /usr/bin/python3. */
export function defaultPython(explicit?: string): string {
  return explicit ?? process.env.DLGRADE_PYTHON ?? '/usr/bin/python3';
}

export interface PythonRunnerOptions {
  /** The interpreter with NumPy and PyTorch: --python, DLGRADE_PYTHON, or Debian's /usr/bin/python3. */
  python?: string;
  sandbox?: Sandbox;
  /** Time allowed for starting Python and importing PyTorch before the first case. */
  startupTimeoutS?: number;
}

const OUTPUT_LIMITS = { maxEntries: 256, maxTotalBytes: 256 * 1024 * 1024, maxArrayBytes: 128 * 1024 * 1024 };
const STATUS_CAP_BYTES = 1024 * 1024;
/** What a run may leave in outputs/ and status/ (the host folders it can write) before it is stopped. */
const WRITABLE_CAP = { entriesPerCase: 4, extraEntries: 32, bytes: 512 * 1024 * 1024 };

/** Runs each submission in a fresh Python process (restarted past a case that hangs or crashes it). */
export class PythonRunner implements Runner {
  readonly language = 'python';
  private readonly python: string;
  private readonly sandbox: Sandbox;
  private readonly startupTimeoutS: number;

  constructor(options: PythonRunnerOptions = {}) {
    this.python = defaultPython(options.python);
    this.sandbox = options.sandbox ?? noSandbox;
    this.startupTimeoutS = options.startupTimeoutS ?? 60;
  }

  async run(job: RunnerJob): Promise<RunOutcome> {
    if (!existsSync(this.python)) {
      throw new DlgradeError('INTERPRETER_MISSING', `the Python interpreter ${this.python} does not exist; install python3-torch (Debian) or pass --python`);
    }
    const jobDir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-job-'));
    let session: SandboxSession | undefined;
    try {
      await this.writeInputs(jobDir, job);
      session = await this.sandbox.open({
        jobDir,
        submissionDir: job.submissionDir,
        runnerDir: path.dirname(pythonRunnerScript()),
        interpreter: this.python,
        memoryMb: job.memoryMb,
      });
      await this.writeSpec(jobDir, job, session.paths.submissionDir);
      const outcomes = new Map<number, CaseOutcome>();
      let remaining = job.cases.map((c) => c.index);
      let runtime: Record<string, string> = {};
      // Each pass runs the cases not yet decided; a pass that dies costs only the case it was in.
      while (remaining.length > 0) {
        const exit = await this.runPass(jobDir, job, remaining, session);
        runtime = { ...runtime, ...(await readJson(path.join(jobDir, 'status', 'runtime.json')).catch(() => ({}))) };
        let progressed = false;
        for (const index of remaining) {
          const outcome = await this.readOutcome(jobDir, index);
          if (outcome) {
            outcomes.set(index, outcome);
            progressed = true;
          }
        }
        remaining = remaining.filter((i) => !outcomes.has(i));
        if (remaining.length === 0) break;
        // The case that was started but never finished is the one that hung or crashed.
        const culprit = (await this.startedIndexes(jobDir)).find((i) => remaining.includes(i));
        if (culprit === undefined) {
          // Nothing started: the process could not even begin; every remaining case gets the reason.
          for (const index of remaining) outcomes.set(index, crashOutcome(describeExit(exit, 'before running any case')));
          break;
        }
        const question = job.questions[job.cases.find((c) => c.index === culprit)!.question];
        const timedOut = exit.kind === 'killed-by-harness' && exit.killReason?.startsWith('case');
        outcomes.set(
          culprit,
          timedOut
            ? { status: 'timeout', outputs: new Map(), outputErrors: {}, durationMs: question.timeout_s * 1000, error: { type: 'Timeout', message: `did not finish within ${question.timeout_s} s` } }
            : crashOutcome(describeExit(exit, 'while running this case')),
        );
        remaining = remaining.filter((i) => i !== culprit);
        if (timedOut) {
          // As in the runner: later cases of a question that hung are not run.
          const culpritCase = job.cases.find((c) => c.index === culprit)!;
          for (const c of job.cases.filter((x) => remaining.includes(x.index) && x.question === culpritCase.question)) {
            outcomes.set(c.index, { status: 'timeout', outputs: new Map(), outputErrors: {}, durationMs: 0, error: { type: 'Timeout', message: `not run: case ${culpritCase.case} of this question did not finish in time` } });
          }
          remaining = remaining.filter((i) => !outcomes.has(i));
        }
        if (!progressed && !timedOut && exit.kind === 'spawn-failed') break;
      }
      return { cases: outcomes, runtime, sandbox: this.sandbox.name };
    } finally {
      await session?.close().catch(() => {});
      await rm(jobDir, { recursive: true, force: true });
    }
  }

  /** The case inputs (never the expected outputs) and the folders the runner writes into. */
  private async writeInputs(jobDir: string, job: RunnerJob): Promise<void> {
    await Promise.all(['inputs', 'outputs', 'status'].map((d) => mkdir(path.join(jobDir, d))));
    await Promise.all(job.cases.map((c) => writeFile(path.join(jobDir, 'inputs', `${c.index}.npz`), writeNpz(c.inputs))));
  }

  /** job.json, with the submission's path as the sandboxed runner sees it. */
  private async writeSpec(jobDir: string, job: RunnerJob, submissionPath: string): Promise<void> {
    const spec = {
      protocol: 1,
      submission: submissionPath,
      questions: job.questions,
      cases: job.cases.map((c) => ({ index: c.index, question: c.question, case: c.case, inputs: `inputs/${c.index}.npz` })),
    };
    await writeFile(path.join(jobDir, 'job.json'), JSON.stringify(spec));
    // Readable by the sandbox's unprivileged uid whatever the umask.
    await chmod(path.join(jobDir, 'job.json'), 0o644);
  }

  private async runPass(jobDir: string, job: RunnerJob, indexes: number[], session: SandboxSession): Promise<SupervisedExit> {
    const timeoutOf = new Map(job.cases.map((c) => [c.index, job.questions[c.question].timeout_s]));
    const graceMs = 2000;
    const passStarted = Date.now();
    const totalS = this.startupTimeoutS + indexes.reduce((s, i) => s + (timeoutOf.get(i) ?? 0), 0) + 10;
    const inside = session.paths;
    const command = session.wrap(this.python, [
      '-I',
      '-B',
      '-X',
      'faulthandler',
      path.posix.join(inside.runnerDir, 'dlgrade_runner.py'),
      inside.jobDir,
      '--cases',
      indexes.join(','),
    ]);
    // When the harness first saw each case's start marker: the marker's mtime is the submission's to change.
    const firstSeen = new Map<number, number>();
    const writableCap = { entries: job.cases.length * WRITABLE_CAP.entriesPerCase + WRITABLE_CAP.extraEntries, bytes: WRITABLE_CAP.bytes };
    const watched = supervise(command.file, command.args, {
      cwd: command.cwd,
      env: command.env,
      timeoutMs: totalS * 1000,
      // The runner's own alarm stops Python-level loops; this catches hangs inside C code and ignored alarms.
      watchdog: async () => {
        const flooded = await writableOverflow(jobDir, writableCap);
        if (flooded) return flooded;
        const running = await this.runningCase(jobDir, indexes, firstSeen);
        if (!running) {
          return Date.now() - passStarted > this.startupTimeoutS * 1000 && (await this.startedIndexes(jobDir)).length === 0
            ? `startup took longer than ${this.startupTimeoutS} s`
            : undefined;
        }
        const limitMs = (timeoutOf.get(running.index) ?? 10) * 1000 + graceMs;
        return Date.now() - running.since > limitMs ? `case ${running.index} exceeded its time limit` : undefined;
      },
      tickMs: 100,
    });
    const exit = await watched.done;
    // Whatever the run left behind (a daemon that escaped the process group) goes before the next pass.
    await session.sweep();
    return exit;
  }

  /** The case started but not finished, and since when the harness has known it. */
  private async runningCase(jobDir: string, indexes: number[], firstSeen: Map<number, number>): Promise<{ index: number; since: number } | undefined> {
    const statusDir = path.join(jobDir, 'status');
    const names = new Set(await readdir(statusDir).catch(() => [] as string[]));
    for (const index of indexes) {
      if (names.has(`${index}.start`) && !names.has(`${index}.json`)) {
        if (!firstSeen.has(index)) firstSeen.set(index, Date.now());
        return { index, since: firstSeen.get(index)! };
      }
    }
    return undefined;
  }

  private async startedIndexes(jobDir: string): Promise<number[]> {
    const names = await readdir(path.join(jobDir, 'status')).catch(() => [] as string[]);
    return names.filter((n) => n.endsWith('.start')).map((n) => Number(n.slice(0, -'.start'.length))).filter(Number.isInteger);
  }

  /** Reads a case's status and outputs strictly: regular files only, size-capped, numeric arrays only. */
  private async readOutcome(jobDir: string, index: number): Promise<CaseOutcome | undefined> {
    const statusFile = path.join(jobDir, 'status', `${index}.json`);
    const status = await readRegularFile(statusFile, STATUS_CAP_BYTES);
    if (!status) return undefined;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(status.toString('utf8')) as Record<string, unknown>;
    } catch {
      return crashOutcome('the runner left an unreadable status record');
    }
    const durationMs = typeof record.duration_ms === 'number' ? record.duration_ms : 0;
    const stdout = typeof record.stdout === 'string' ? record.stdout.slice(0, 16 * 1024) : undefined;
    const kind = record.status;
    if (kind !== 'ok') {
      const error = sanitizeError(record.error);
      return { status: kind === 'timeout' ? 'timeout' : 'error', outputs: new Map(), outputErrors: {}, error, durationMs, stdout };
    }
    const bytes = await readRegularFile(path.join(jobDir, 'outputs', `${index}.npz`), OUTPUT_LIMITS.maxTotalBytes);
    if (!bytes) return { ...crashOutcome('the runner reported success but wrote no outputs'), durationMs };
    let outputs: Map<string, import('../npz/ndarray.js').NdArray>;
    try {
      outputs = readNpz(bytes, `outputs of case ${index}`, OUTPUT_LIMITS);
    } catch (error) {
      return { ...crashOutcome(`the outputs could not be read: ${(error as Error).message}`), durationMs };
    }
    const outputErrors: Record<string, string> = {};
    if (record.output_errors && typeof record.output_errors === 'object') {
      for (const [k, v] of Object.entries(record.output_errors as Record<string, unknown>)) outputErrors[k] = String(v).slice(0, 500);
    }
    return { status: 'ok', outputs, outputErrors, durationMs, stdout };
  }
}

function crashOutcome(message: string): CaseOutcome {
  return { status: 'crash', outputs: new Map(), outputErrors: {}, durationMs: 0, error: { type: 'Crash', message } };
}

function describeExit(exit: SupervisedExit, when: string): string {
  const stderr = lastLines(exit.stderrTail, 3);
  const detail = stderr ? `; its last words: ${stderr}` : '';
  switch (exit.kind) {
    case 'spawn-failed':
      return `the Python runner could not be started (${String((exit.cause as Error)?.message ?? exit.stderrTail).split('\n')[0]})`;
    case 'killed-by-harness':
      return `the process was stopped ${when}: ${exit.killReason}${detail}`;
    case 'signaled':
      return `the process died from ${exit.signal} ${when}${exit.signal === 'SIGSEGV' ? ' (a segmentation fault)' : ''}${detail}`;
    case 'exited':
      return `the process exited with code ${exit.exitCode} ${when}, before reporting a result${detail}`;
  }
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ').slice(0, 400);
}

/**
 * Reads a file the sandbox wrote only if it is a regular file no larger than `cap`: opened without following a
 * symlink and without blocking on a FIFO, then checked on the open descriptor, so it cannot be swapped in between.
 */
export async function readRegularFile(file: string, cap: number): Promise<Buffer | undefined> {
  let handle: import('node:fs/promises').FileHandle;
  try {
    handle = await openFile(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > cap) return undefined;
    const buffer = Buffer.alloc(info.size);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/** A reason to stop the run when it has filled the host folders it can write (outputs/ and status/). */
async function writableOverflow(jobDir: string, cap: { entries: number; bytes: number }): Promise<string | undefined> {
  let entries = 0;
  let bytes = 0;
  for (const dir of ['outputs', 'status']) {
    const names = await readdir(path.join(jobDir, dir)).catch(() => [] as string[]);
    entries += names.length;
    if (entries > cap.entries) return `it wrote more than ${cap.entries} files where the harness reads its results`;
    for (const name of names) {
      bytes += (await lstat(path.join(jobDir, dir, name)).catch(() => undefined))?.size ?? 0;
      if (bytes > cap.bytes) return `it wrote more than ${Math.round(cap.bytes / 1024 / 1024)} MiB where the harness reads its results`;
    }
  }
  return undefined;
}

async function readJson(file: string): Promise<Record<string, string>> {
  const bytes = await readRegularFile(file, 64 * 1024);
  if (!bytes) return {};
  const data = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(data).filter(([, v]) => typeof v === 'string').map(([k, v]) => [k, String(v).slice(0, 100)]));
}

/** Keeps only the fields of an error record we show, as strings and numbers of bounded size. */
function sanitizeError(raw: unknown): CaseError {
  const e = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const location = (v: unknown) => {
    const f = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
    return { file: String(f.file ?? '?').slice(0, 200), line: Number(f.line) || 0, name: String(f.name ?? '').slice(0, 100), code: String(f.code ?? '').slice(0, 300) };
  };
  return {
    type: String(e.type ?? 'Error').slice(0, 100),
    message: String(e.message ?? 'unknown error').slice(0, 2000),
    traceback: Array.isArray(e.traceback) ? e.traceback.slice(0, 10).map(location) : undefined,
    student_line: e.student_line ? location(e.student_line) : undefined,
  };
}
