// One warm Python worker (python/worker.py): PyTorch imported once, each job run in a fresh child forked from it,
// inside one long-lived sandbox session whose folders the harness fills with one job at a time.
import { randomBytes } from 'node:crypto';
import { chmod, chown, lstat, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { chmodSync, chownSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DlgradeError } from '../errors.js';
import { supervise, type Supervised, type SupervisedExit } from '../process/supervise.js';
import type { RunnerJob } from './runner.js';
import { makeJobDir, type Sandbox, type SandboxSession } from './sandbox.js';
import { copyTree } from './bwrap-sandbox.js';
import { passTimeoutMs, passWatchdog, runInPasses, writeInputs, writeSpec, type JobFolders, type PassExit } from './python-job.js';
import type { CaseOutcome } from './runner.js';
import { countProfile, inPhase } from '../util/profile.js';
import { sharedMemoryDir } from '../util/shared-memory-dir.js';

export interface WarmWorkerOptions {
  python: string;
  sandbox: Sandbox;
  /** The folder holding dlgrade_runner.py and worker.py. */
  runnerDir: string;
  /** The memory limit of the worker and of every child (a child starts from the worker's imports). */
  memoryMb: number;
  /** Time allowed for starting Python and importing PyTorch. */
  startupTimeoutS: number;
  /** Time a case may take to start in a child (no import happens there). */
  caseStartTimeoutS?: number;
  /** Started ahead of need (see prestart.ts): the worker does not keep Node running until `hold(true)`. */
  loose?: boolean;
  /** Called once the worker process has been started (before it is ready). */
  onSpawn?: () => void;
}

/** A worker's line on its stdout, as parsed (anything else is ignored). */
interface WorkerEvent {
  event: string;
  id?: string;
  code?: number | null;
  signal?: string | null;
  killed?: boolean;
  clean?: boolean;
  stderr?: string;
  own_namespace?: boolean;
  runtime?: Record<string, string>;
  message?: string;
  /** CPU milliseconds of one run: the forked child's own, and the worker's (fork, sweep, cleanup). */
  cpu_ms?: { child?: number | null; worker?: number | null };
  /** MiB of the worker's memory on 2 MiB pages, once it has forked a few times (cheaper forks). */
  huge_pages_mib?: number;
}

/**
 * Worker folders not yet removed. A command that ends with process.exit() (an error after its runner was made,
 * a second Ctrl-C) closes no worker: their folders (in /dev/shm, with a copy of every input) go as it exits.
 */
const liveRoots = new Set<string>();
process.on('exit', () => {
  for (const root of liveRoots) {
    try {
      rmSync(root, { recursive: true, force: true });
    } catch {
      // What cannot go now is removed by a later run once this process is gone (see makeJobDir).
    }
  }
});

/** How long a child may take to die after the harness asked the worker to kill it, before the worker goes too. */
const KILL_GRACE_MS = 3000;

/**
 * A long-lived sandbox session (for bwrap as root: one unprivileged uid, held for the worker's life) and the
 * worker process in it, restarted in place if it dies. The session's read-only `inputs/` holds one folder per
 * job (job.json, inputs, a copy of the submission) and its writable `status/` one folder per job (outputs/,
 * status/); both get unguessable names and are removed when the job ends.
 */
export class WarmWorker {
  /** Why the worker cannot serve jobs any more (the pool retires it). */
  broken?: string;
  runtime: Record<string, string> = {};
  /** How many times the worker process was started (more than once after a child took it down). */
  launches = 0;
  /** MiB of the worker's memory it has moved to 2 MiB pages (0 before its first few runs, or where the kernel cannot). */
  hugePagesMib = 0;
  /** False outside a sandbox's own pid namespace: then nothing but the child's process group is swept. */
  ownNamespace = false;
  private process?: Supervised;
  private readonly waiters = new Map<string, (event: WorkerEvent) => void>();
  private ready?: (event: WorkerEvent) => void;
  private exited?: Promise<SupervisedExit>;

  private loose: boolean;

  private constructor(
    private readonly options: WarmWorkerOptions,
    private readonly root: string,
    private readonly session: SandboxSession,
    /** Who the sandboxed processes run as: each job's outputs/ and status/ belong to them. */
    private readonly sandboxOwner: { uid: number; gid: number },
  ) {
    this.loose = options.loose === true;
  }

  /** Whether the worker keeps Node running (a worker started ahead of need does not, until it is used). */
  hold(held: boolean): void {
    this.loose = !held;
    this.process?.setRef(held);
  }

  /** The interpreter and sandbox the worker runs with (a pre-started worker is adopted only if they match). */
  get python(): string {
    return this.options.python;
  }
  get sandbox(): Sandbox {
    return this.options.sandbox;
  }

  /** Opens the sandbox session and starts the worker; rejects with the reason when it cannot be started. */
  static async start(options: WarmWorkerOptions): Promise<WarmWorker> {
    const root = await makeJobDir(await workerDir(options.sandbox), 'worker');
    liveRoots.add(root);
    const slot = path.join(root, 'slot');
    try {
      // Traversable (not listable) by the sandbox's uid, like a fresh runner's job folder.
      await chmod(root, 0o711);
      await mkdir(slot);
      await Promise.all(['inputs', 'outputs', 'status'].map((d) => mkdir(path.join(slot, d))));
      await mkdir(path.join(root, 'empty'));
      // The session's own job.json is never read: each job's lives in its folder under inputs/.
      await writeFile(path.join(slot, 'job.json'), '{}');
      const session = await options.sandbox.open({
        jobDir: slot,
        submissionDir: path.join(root, 'empty'),
        runnerDir: options.runnerDir,
        interpreter: options.python,
        memoryMb: options.memoryMb,
      });
      // The session's own outputs/ and status/ only hold the harness's per-job folders: the sandbox may not write
      // there (where it could leave files for the next submission), only inside its job's folders.
      const owner = await stat(path.join(slot, 'status'));
      for (const dir of ['outputs', 'status']) {
        await chown(path.join(slot, dir), process.getuid?.() ?? 0, process.getgid?.() ?? 0).catch(() => {});
        await chmod(path.join(slot, dir), 0o755);
      }
      const worker = new WarmWorker(options, root, session, { uid: owner.uid, gid: owner.gid });
      try {
        await worker.launch();
      } catch (error) {
        await worker.close();
        throw error;
      }
      return worker;
    } catch (error) {
      await rm(root, { recursive: true, force: true });
      liveRoots.delete(root);
      throw error;
    }
  }

  /** Starts (or restarts) the worker process and waits for it to have imported PyTorch. */
  private async launch(): Promise<void> {
    const inside = this.session.paths;
    const command = this.session.wrap(this.options.python, [
      '-I',
      '-B',
      '-X',
      'faulthandler',
      path.posix.join(inside.runnerDir, 'worker.py'),
      // Emptied after every job, but only inside the sandbox's own namespaces (the worker checks).
      ...['/tmp', '/dev/shm', inside.workDir].flatMap((d) => ['--scratch', d]),
      // As the pid namespace's init, the worker cannot be signalled by the children it forks.
    ], { init: true });
    const readyEvent = new Promise<WorkerEvent>((resolve) => (this.ready = resolve));
    const proc = supervise(command.file, command.args, {
      cwd: command.cwd,
      env: command.env,
      timeoutMs: Infinity,
      onLine: (line) => this.onLine(line),
    });
    this.process = proc;
    if (this.loose) proc.setRef(false);
    this.options.onSpawn?.();
    this.launches++;
    countProfile('python: warm workers started');
    this.exited = proc.done;
    this.exitedNow = undefined;
    void proc.done.then((exit) => {
      if (this.process === proc) this.exitedNow = exit;
    });
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), this.options.startupTimeoutS * 1000).unref());
    const first = await Promise.race([readyEvent, proc.done, timeout]);
    if (first === 'timeout') {
      proc.kill(`startup took longer than ${this.options.startupTimeoutS} s`);
      throw new DlgradeError('INTERPRETER_MISSING', `the warm worker did not start within ${this.options.startupTimeoutS} s`);
    }
    if ('kind' in first) {
      const words = first.stderrTail.trim().split('\n').slice(-3).join(' | ').slice(0, 400);
      throw new DlgradeError('INTERPRETER_MISSING', `the warm worker could not start (${first.kind}${first.exitCode !== undefined ? ` ${first.exitCode}` : ''}${words ? `: ${words}` : ''})`);
    }
    this.runtime = first.runtime ?? {};
    this.ownNamespace = first.own_namespace === true;
    if (this.options.sandbox.name !== 'none' && !this.ownNamespace) {
      // Without its own pid namespace the worker cannot sweep what a child leaves behind: not safe to share.
      proc.kill('not in a pid namespace of its own');
      throw new DlgradeError('SANDBOX_UNAVAILABLE', 'the sandboxed worker is not alone in its pid namespace, so it cannot clean up between submissions');
    }
  }

  private onLine(line: string): void {
    if (process.env.DLGRADE_DEBUG_WORKER) process.stderr.write(`${performance.now().toFixed(0)} ms dlgrade worker: ${line}\n`);
    let event: WorkerEvent;
    try {
      event = JSON.parse(line) as WorkerEvent;
    } catch {
      return;
    }
    if (event.event === 'exit' && typeof event.huge_pages_mib === 'number') this.hugePagesMib = event.huge_pages_mib;
    if (event.event === 'exit' && event.cpu_ms) {
      if (typeof event.cpu_ms.child === 'number') countProfile('python: forked children, CPU ms', event.cpu_ms.child);
      if (typeof event.cpu_ms.worker === 'number') countProfile('python: warm workers for their runs, CPU ms', event.cpu_ms.worker);
    }
    if (event.event === 'ready') this.ready?.(event);
    // "started" only says the fork happened; a pass ends with "exit" (or "error" for a request refused).
    else if ((event.event === 'exit' || event.event === 'error') && event.id && this.waiters.has(event.id)) this.waiters.get(event.id)!(event);
  }

  /** The memory limit the worker (and so every child) runs under. */
  get memoryMb(): number {
    return this.options.memoryMb;
  }

  /** Whether the process is running (not yet exited). */
  get alive(): boolean {
    return this.process !== undefined && this.exitedNow === undefined;
  }
  private exitedNow?: SupervisedExit;

  /** Runs one job: stage its folders, run its cases in passes (each a child), read the outcomes, remove the folders. */
  async runJob(job: RunnerJob): Promise<{ outcomes: Map<number, CaseOutcome>; runtime: Record<string, string> }> {
    const id = randomBytes(16).toString('hex');
    const slot = this.session.paths;
    const host = path.join(this.root, 'slot');
    const folders: JobFolders = { specDir: path.join(host, 'inputs', id), resultDir: path.join(host, 'status', id) };
    const insideSpec = path.posix.join(slot.jobDir, 'inputs', id);
    const insideResult = path.posix.join(slot.jobDir, 'status', id);
    // Outside a namespace of its own, each job gets a working folder of its own too.
    const work = this.ownNamespace ? undefined : path.join(this.root, 'work', id);
    try {
      // The job's folders are a few small files in a tmpfs: synchronous calls cost less than a promise each.
      await inPhase('  job folder and inputs', async () => {
        mkdirSync(folders.specDir, { mode: 0o755 });
        mkdirSync(folders.resultDir, { mode: 0o711 });
        // Inside the sandbox's own namespaces inputs/ is read-only: every job can share one copy of each input file.
        await writeInputs(folders, job, this.ownNamespace ? path.join(this.root, 'shared-inputs') : undefined);
        await this.stage(folders, job.submissionDir);
        await writeSpec(folders, job, { specDir: insideSpec, submissionDir: path.posix.join(insideSpec, 'submission') });
        if (work) mkdirSync(work, { recursive: true });
      });
      return await runInPasses(job, folders, (indexes) =>
        this.runPass(job, folders, indexes, { id: randomBytes(8).toString('hex'), job: insideResult, spec: path.posix.join(insideSpec, 'job.json'), cases: indexes, work }),
      );
    } finally {
      await inPhase('  remove job folder', () => {
        for (const dir of [folders.specDir, folders.resultDir, ...(work ? [work] : [])]) removeTree(dir);
        // Whatever else appeared where the sandbox can write (possible when it runs as the harness's own uid) goes
        // too: nothing passes to the next submission.
        for (const dir of ['outputs', 'status']) emptyFolder(path.join(host, dir));
      });
    }
  }

  /**
   * What the sandbox session does for a fresh process, per job: the submission is copied in (plain files only),
   * everything is readable, and only outputs/ and status/ belong to the sandbox's uid.
   */
  private async stage(folders: JobFolders, submissionDir: string): Promise<void> {
    // The inputs were made readable by writeInputs.
    await copyTree(submissionDir, path.join(folders.specDir, 'submission'));
    // Owned by the sandbox's uid (the slot uid when the harness is root).
    const owner = this.sandboxOwner;
    for (const dir of ['outputs', 'status']) {
      const target = path.join(folders.resultDir, dir);
      if (owner.uid !== process.getuid?.()) chownSync(target, owner.uid, owner.gid);
      chmodSync(target, 0o700);
    }
  }

  private async runPass(job: RunnerJob, folders: JobFolders, indexes: number[], request: { id: string; job: string; spec: string; cases: number[]; work?: string }): Promise<PassExit> {
    const started = Date.now();
    if (!this.alive) {
      try {
        await this.restart();
      } catch (error) {
        return { kind: 'spawn-failed', stdoutTail: '', stderrTail: (error as Error).message, durationMs: 0, cause: error };
      }
    }
    const proc = this.process!;
    const ended = new Promise<WorkerEvent>((resolve) => this.waiters.set(request.id, resolve));
    let killReason: string | undefined;
    let killedAt: number | undefined;
    const requestKill = (reason: string) => {
      if (killReason) return;
      killReason = reason;
      killedAt = Date.now();
      proc.send(JSON.stringify({ op: 'kill', id: request.id }));
    };
    const watchdog = passWatchdog(job, folders.resultDir, indexes, this.options.caseStartTimeoutS ?? 30, {
      cpuSeconds: () => this.session.cpuSeconds(proc.pid),
      processIds: () => this.session.processIds(proc.pid),
    });
    const hardLimitMs = passTimeoutMs(job, indexes, this.options.caseStartTimeoutS ?? 30);
    let ticking = false;
    const tick = setInterval(async () => {
      if (ticking) return;
      ticking = true;
      try {
        if (killedAt !== undefined && Date.now() - killedAt > KILL_GRACE_MS) {
          // The worker did not get rid of its child: it goes, child and all.
          proc.kill(`the worker did not stop its child within ${KILL_GRACE_MS / 1000} s`);
          return;
        }
        const reason = Date.now() - started > hardLimitMs ? `exceeded the ${Math.round(hardLimitMs / 1000)} s limit` : await inPhase('  watchdog ticks', watchdog);
        if (reason) requestKill(reason);
      } finally {
        ticking = false;
      }
    }, 100);
    try {
      proc.send(JSON.stringify({ op: 'run', ...request }));
      const outcome = await Promise.race([ended, this.exited!.then((exit) => ({ died: exit }))]);
      if ('died' in outcome) {
        // The worker itself died (a child killed it, or the harness had to): it is restarted for the next pass.
        await this.session.sweep();
        const exit = outcome.died;
        return killReason ? { ...exit, kind: 'killed-by-harness', killReason, caseKill: watchdog.caseKill } : { ...exit, unattributed: true };
      }
      const exit: PassExit = { ...toExit(outcome, killReason, Date.now() - started), caseKill: watchdog.caseKill };
      if (outcome.clean === false) this.broken = 'the worker could not clean up after a submission';
      const tampered = await tamperedFolders(folders.resultDir);
      if (tampered) {
        removeTree(folders.resultDir);
        mkdirSync(folders.resultDir, { mode: 0o711 });
        return { kind: 'killed-by-harness', killReason: tampered, stdoutTail: '', stderrTail: exit.stderrTail, durationMs: exit.durationMs };
      }
      return exit;
    } finally {
      clearInterval(tick);
      this.waiters.delete(request.id);
    }
  }

  private async restart(): Promise<void> {
    await this.session.sweep();
    await this.launch();
  }

  /** Stops the worker and ends its sandbox session. */
  async close(): Promise<void> {
    const proc = this.process;
    if (proc && this.alive) {
      proc.send(JSON.stringify({ op: 'quit' }));
      const quit = await Promise.race([this.exited!.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1000).unref())]);
      if (!quit) proc.kill('closing');
      await this.exited;
    }
    await this.session.close().catch(() => {});
    removeTree(this.root);
    liveRoots.delete(this.root);
  }
}

/**
 * Where workers keep their job folders: DLGRADE_WORKER_DIR, else /dev/shm when it is a tmpfs with room that every
 * uid can pass through (each case creates a handful of files; on a disk file system that costs the child about a
 * tenth of its time), else where the sandbox puts job folders (reachable by its unprivileged uid).
 */
async function workerDir(sandbox: Sandbox): Promise<string> {
  if (process.env.DLGRADE_WORKER_DIR) return process.env.DLGRADE_WORKER_DIR;
  return sharedMemoryDir() ?? sandbox.jobsDir();
}

/** The exit of a child as the pass loop understands it (the same shapes as a fresh process's). */
function toExit(event: WorkerEvent, killReason: string | undefined, durationMs: number): SupervisedExit {
  const base = { stdoutTail: '', stderrTail: String(event.stderr ?? ''), durationMs };
  if (killReason && event.killed) return { kind: 'killed-by-harness', killReason, signal: event.signal ?? undefined, ...base };
  if (event.signal) return { kind: 'signaled', signal: event.signal, ...base };
  return { kind: 'exited', exitCode: event.code ?? undefined, ...base };
}

/**
 * Whether a child replaced the folders the harness reads (possible when sandbox and harness share a uid): a
 * symlink there would make the harness read a file of its own choosing. Checked once every child is gone.
 */
async function tamperedFolders(resultDir: string): Promise<string | undefined> {
  for (const dir of [resultDir, path.join(resultDir, 'outputs'), path.join(resultDir, 'status')]) {
    const info = await lstat(dir).catch(() => undefined);
    if (info && !info.isDirectory()) return 'it replaced a folder where the harness reads its results';
  }
  return undefined;
}

/** Removes everything inside a folder, not the folder itself. */
function emptyFolder(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) removeTree(path.join(dir, name));
}

/** Removes a folder whatever modes a child left inside it. */
function removeTree(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    const chmodAll = (d: string): void => {
      try {
        chmodSync(d, 0o700);
        for (const entry of readdirSync(d, { withFileTypes: true })) if (entry.isDirectory()) chmodAll(path.join(d, entry.name));
      } catch {
        // What cannot be opened is left to the rm below, which says nothing.
      }
    };
    chmodAll(dir);
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Left for a later run (see makeJobDir).
    }
  }
}
