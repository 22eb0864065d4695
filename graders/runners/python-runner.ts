// Runs a Python submission in a fresh process: writes the job directory, starts the runner script, watches each case, reads the outcomes.
import { rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DlgradeError } from '../errors.js';
import { supervise } from '../process/supervise.js';
import type { RunOutcome, Runner, RunnerJob } from './runner.js';
import { makeJobDir, noSandbox, type Sandbox, type SandboxSession } from './sandbox.js';
import { passTimeoutMs, passWatchdog, runInPasses, writeInputs, writeSpec, type JobFolders, type PassExit } from './python-job.js';

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

/** Refuses an interpreter that is not there, with what to do about it. */
export function checkInterpreter(python: string): void {
  if (!existsSync(python)) {
    throw new DlgradeError('INTERPRETER_MISSING', `the Python interpreter ${python} does not exist; install python3-torch (Debian) or pass --python`);
  }
}

export interface PythonRunnerOptions {
  /** The interpreter with NumPy and PyTorch: --python, DLGRADE_PYTHON, or Debian's /usr/bin/python3. */
  python?: string;
  sandbox?: Sandbox;
  /** Time allowed for starting Python and importing PyTorch before the first case. */
  startupTimeoutS?: number;
}

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
    checkInterpreter(this.python);
    const jobDir = await makeJobDir(await this.sandbox.jobsDir(), 'job');
    const folders: JobFolders = { specDir: jobDir, resultDir: jobDir };
    let session: SandboxSession | undefined;
    try {
      await writeInputs(folders, job);
      session = await this.sandbox.open({
        jobDir,
        submissionDir: job.submissionDir,
        runnerDir: path.dirname(pythonRunnerScript()),
        interpreter: this.python,
        memoryMb: job.memoryMb,
      });
      await writeSpec(folders, job, { specDir: session.paths.jobDir, submissionDir: session.paths.submissionDir });
      const opened = session;
      const { outcomes, runtime } = await runInPasses(job, folders, (indexes) => this.runPass(jobDir, job, indexes, opened));
      return { cases: outcomes, runtime, sandbox: this.sandbox.name };
    } finally {
      await session?.close().catch(() => {});
      await rm(jobDir, { recursive: true, force: true });
    }
  }

  private async runPass(jobDir: string, job: RunnerJob, indexes: number[], session: SandboxSession): Promise<PassExit> {
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
    let rootPid: number | undefined;
    const watchdog = passWatchdog(job, jobDir, indexes, this.startupTimeoutS, {
      cpuSeconds: () => session.cpuSeconds(rootPid),
      processIds: () => session.processIds(rootPid),
    });
    const watched = supervise(command.file, command.args, {
      cwd: command.cwd,
      env: command.env,
      timeoutMs: passTimeoutMs(job, indexes, this.startupTimeoutS),
      watchdog,
      tickMs: 100,
    });
    rootPid = watched.pid;
    const exit = await watched.done;
    // Whatever the run left behind (a daemon that escaped the process group) goes before the next pass.
    await session.sweep();
    return { ...exit, caseKill: watchdog.caseKill };
  }
}
