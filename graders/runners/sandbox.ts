// How a runner's process is isolated. "none" runs it directly; the bubblewrap sandbox (bwrap-sandbox.ts) wraps it.
import { lstat, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { processTreeCpuSeconds, processTreePids } from './cpu-usage.js';
import { probe } from '../process/probe.js';

/**
 * The most each host folder a sandboxed run writes (outputs/ and status/) may hold, each on its own: the bubblewrap
 * sandbox mounts a tmpfs of this size on each (as root), and the harness's watchdog stops a run past it anywhere.
 */
export const WRITABLE_FOLDER_BYTES = 512 * 1024 * 1024;

/** What a runner asks the sandbox to expose for one job. */
export interface SandboxContext {
  /**
   * The host job directory the runner wrote: `job.json` and `inputs/` (read-only inside the sandbox),
   * `outputs/` and `status/` (the only places the sandboxed process may write that the harness reads).
   * The sandbox may add entries of its own next to them (a copy of the submission, of the runner scripts).
   * Expected outputs are never in it.
   */
  jobDir: string;
  /** The student's submission folder on the host (exposed read-only). */
  submissionDir: string;
  /** The folder of the runner's own scripts on the host (exposed read-only). */
  runnerDir: string;
  /** The interpreter the runner will start (its installation is exposed read-only). */
  interpreter: string;
  /** Memory allowed to one sandboxed process, MiB. */
  memoryMb: number;
}

/** The paths a sandboxed process sees, to put in job.json and on its command line. */
export interface SandboxPaths {
  jobDir: string;
  submissionDir: string;
  runnerDir: string;
  /** Its working directory and HOME: fresh and empty for every process. */
  workDir: string;
}

/** The command that actually runs, with its complete environment and working directory. */
export interface WrappedCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

/** How a wrapped command runs inside the sandbox. */
export interface WrapOptions {
  /**
   * Run it as the init (pid 1) of the sandbox's pid namespace rather than under a reaper: then nothing it starts
   * can signal it (a warm worker outlives a child that kills its parent), and it must reap orphans itself.
   */
  init?: boolean;
}

/** One job's claim on the sandbox (for a bwrap sandbox run as root: one unprivileged uid). */
export interface SandboxSession {
  readonly paths: SandboxPaths;
  /** Turns "run `file args`" (with paths as the sandbox sees them) into the command to start. */
  wrap(file: string, args: string[], options?: WrapOptions): WrappedCommand;
  /** Kills whatever is left of this session's processes; called after each process ends. */
  sweep(): Promise<void>;
  /**
   * CPU seconds used so far by the session's processes, measured from outside (the session's cgroup, else the
   * process tree under `rootPid` in /proc): a submission cannot hide its CPU time by turning off its own timers.
   */
  cpuSeconds(rootPid: number | undefined): Promise<number | undefined>;
  /** The pids of the session's live processes (its cgroup, else the process tree under `rootPid`). */
  processIds(rootPid: number | undefined): Promise<number[]>;
  /** Ends the session (after its last process); the runner removes the job directory itself. */
  close(): Promise<void>;
}

/** Turns "run this interpreter on this job" into an isolated run. */
export interface Sandbox {
  /** Recorded in every result, e.g. "bwrap" or "none". */
  readonly name: string;
  /**
   * Where runners create job folders. The sandbox must be able to reach them: under root, bubblewrap sets up
   * its mounts as the slot's unprivileged uid, which cannot pass through a private TMPDIR such as /root/tmp.
   */
  jobsDir(): Promise<string>;
  open(context: SandboxContext): Promise<SandboxSession>;
}

/**
 * A fresh job folder under `dir` (a sandbox's jobsDir()), named after this process, so that folders left by a
 * run that was killed (SIGKILL leaves no time to clean up) can be recognised and removed by a later run.
 */
export async function makeJobDir(dir: string, kind: 'job' | 'worker' | 'probe'): Promise<string> {
  await removeStaleJobDirs(dir);
  return mkdtemp(path.join(dir, `dlgrade-${kind}-${process.pid}-`));
}

const swept = new Set<string>();
/** A left folder must be this old: a folder of a live run in another pid namespace sharing /tmp is spared. */
const STALE_AFTER_MS = 60 * 60 * 1000;

/** Removes, once per folder and process, job folders of dlgrade processes that no longer exist. */
async function removeStaleJobDirs(dir: string): Promise<void> {
  if (swept.has(dir)) return;
  swept.add(dir);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const match = /^dlgrade-(?:job|worker|probe)-(\d+)-[A-Za-z0-9]{6}$/.exec(name);
    if (!match || Number(match[1]) === process.pid || processExists(Number(match[1]))) continue;
    const info = await lstat(path.join(dir, name)).catch(() => undefined);
    if (!info?.isDirectory() || info.uid !== process.getuid?.() || Date.now() - info.mtimeMs < STALE_AFTER_MS) continue;
    // A run killed with SIGKILL leaves the tmpfs it mounted for the sandbox's writes (root only).
    for (const mount of await mountsUnder(path.join(dir, name))) await probe('umount', ['-l', mount], { timeoutMs: 10_000 });
    await rm(path.join(dir, name), { recursive: true, force: true }).catch(() => {});
  }
}

/** Mount points at or below `dir` (deepest first), from this process's mount table. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const table = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const points = table
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(dir + '/'));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** The variables student code may see; everything else of the harness's environment is withheld. */
export function minimalEnv(home: string): Record<string, string> {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    TMPDIR: '/tmp',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    // One thread: fewer tasks than the sandbox's process limit, and the same numbers on every machine.
    OMP_NUM_THREADS: '1',
    MKL_NUM_THREADS: '1',
    OPENBLAS_NUM_THREADS: '1',
    PYTHONHASHSEED: '0',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

/** Runs the command as it is, with a minimal environment (a student's own machine, or --no-sandbox). */
export const noSandbox: Sandbox = {
  name: 'none',
  jobsDir: async () => os.tmpdir(),
  async open(context) {
    const workDir = path.join(context.jobDir, 'work');
    await mkdir(workDir, { recursive: true });
    return {
      paths: { jobDir: context.jobDir, submissionDir: context.submissionDir, runnerDir: context.runnerDir, workDir },
      wrap: (file, args) => ({ file, args, env: minimalEnv(workDir), cwd: workDir }),
      sweep: async () => {},
      cpuSeconds: async (rootPid) => (rootPid === undefined ? undefined : processTreeCpuSeconds(rootPid)),
      processIds: async (rootPid) => (rootPid === undefined ? [] : ((await processTreePids(rootPid)) ?? [])),
      close: async () => {},
    };
  },
};
