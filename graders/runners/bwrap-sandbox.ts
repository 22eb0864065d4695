// The bubblewrap sandbox: no network, fresh tmpfs for /tmp, /dev/shm and the working directory, the submission and
// the case inputs read-only, nothing else of the harness; resource limits; an unprivileged uid per slot under root.
import { chmodSync, constants as fsConstants, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync } from 'node:fs';
import { chmod, chown, copyFile, lstat, mkdir, open, readdir, readFile, realpath, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DlgradeError } from '../errors.js';
import { detectCgroups, joinPrefix, type CgroupSession } from './cgroups.js';
import { processTreeCpuSeconds, processTreePids } from './cpu-usage.js';
import { WRITABLE_FOLDER_BYTES, makeJobDir, minimalEnv, mountsUnder, type WrapOptions, type Sandbox, type SandboxContext, type SandboxPaths, type SandboxSession, type WrappedCommand } from './sandbox.js';
import { probe, probeStdout } from '../process/probe.js';

const MiB = 1024 * 1024;

/**
 * The limits every sandboxed process gets, and why:
 * - address space: the manifest's memory_mb, never below `minMemoryMb` — importing PyTorch reserves about
 *   650 MB of address space here (it fails at a 500 MB limit and works at 1 GB), so 1.5 GiB leaves margin;
 * - processes (tasks, threads included) per sandbox: 64, set inside its user namespace, where the kernel counts
 *   that sandbox's processes only (and under root also per slot uid) — PyTorch runs one thread with
 *   OMP_NUM_THREADS=1, and a limit below its thread count makes it hang rather than fail, so keep it well above;
 *   low enough that a fork bomb stops at once, without touching the other sandboxes;
 * - file size: 256 MiB, the largest outputs file the harness reads;
 * - open files: 256; core dumps: none;
 * - tmpfs: /tmp 256 MiB (a submission may write 100 MB of scratch files), /dev/shm 64 MiB, working dir 64 MiB;
 * - outputs/ and status/ (the host folders it writes), under root: a tmpfs each of `writableBytes` and
 *   `writableFiles`, mounted by the harness, so the kernel refuses writes past the cap at any depth;
 * - with cgroups (cgroups.ts), per session: the same CPU weight for every session, memory for all its processes
 *   together (the address-space limit plus `memoryHeadroomMb` for a warm worker's own imports and the tmpfs
 *   pages, which count as memory), and `processes + pidsHeadroom` tasks (the launcher, bubblewrap and its init).
 */
export const SANDBOX_LIMITS = Object.freeze({
  minMemoryMb: 1536,
  processes: 64,
  fileSizeBytes: 256 * MiB,
  openFiles: 256,
  tmpBytes: 256 * MiB,
  shmBytes: 64 * MiB,
  workBytes: 64 * MiB,
  writableBytes: WRITABLE_FOLDER_BYTES,
  writableFiles: 4096,
  memoryHeadroomMb: 1024,
  pidsHeadroom: 16,
});

/** What is copied from a submission into the sandbox (like the zip limits). */
const COPY_LIMITS = { entries: 2000, totalBytes: 200 * MiB, depth: 8 };

/** Paths inside the sandbox. */
const INSIDE: SandboxPaths = { jobDir: '/job', submissionDir: '/submission', runnerDir: '/dlgrade', workDir: '/work' };

/** Host files PyTorch and NumPy need besides /usr (measured on Debian: BLAS through /etc/alternatives). */
const ETC_FILES = ['/etc/alternatives', '/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/localtime'];

/** The uids sandboxed processes run as when the harness is root: base … base + slots - 1. */
export const SLOT_UID_BASE = Number(process.env.DLGRADE_SANDBOX_UID_BASE ?? 61000);
export const MAX_SLOTS = 64;

export interface BwrapTools {
  bwrap: string;
  prlimit: string;
  /** Only when running as root: drops to the slot uid before bubblewrap starts. */
  setpriv?: string;
  /** bubblewrap ≥ 0.8 can forbid nested user namespaces. */
  disableUserns: boolean;
  /** Only when running as root: mounts the size-limited tmpfs of the folders the sandbox writes. */
  mount?: string;
  umount?: string;
}

/** Runs submissions under bubblewrap. Create it through `probeSandbox`, which checks that it works here. */
export class BwrapSandbox implements Sandbox {
  readonly name = 'bwrap';
  private readonly interpreterBinds = new Map<string, Promise<string[]>>();

  constructor(private readonly tools: BwrapTools) {}

  jobsDir(): Promise<string> {
    return sandboxJobsDir();
  }

  async open(context: SandboxContext): Promise<SandboxSession> {
    const asRoot = process.getuid?.() === 0;
    const slot = asRoot ? await acquireSlot() : undefined;
    let cgroup: CgroupSession | undefined;
    try {
      const binds = await this.bindsFor(context.interpreter);
      await prepareJobDir(context, slot?.uid, this.tools);
      // The outer process limit counts every process of the uid: under root the slot's alone; otherwise all of
      // the user's, so it is set high there, and the real limit is set again inside (see wrapCommand).
      const nproc = asRoot ? SANDBOX_LIMITS.processes : (await countOwnTasks()) + SANDBOX_LIMITS.processes * MAX_SLOTS;
      cgroup = await openCgroup(context.memoryMb);
      const tools = this.tools;
      const group = cgroup;
      return {
        paths: INSIDE,
        wrap: (file, args, options) => {
          const command = wrapCommand(tools, context, binds, slot?.uid, nproc, file, args, options);
          if (!group) return command;
          const [shell, ...prefix] = joinPrefix(group);
          return { ...command, file: shell, args: [...prefix, command.file, ...command.args] };
        },
        sweep: async () => {
          await group?.killAll();
          if (slot) await killUid(slot.uid);
        },
        cpuSeconds: async (rootPid) => (group ? group.cpuSeconds() : rootPid === undefined ? undefined : processTreeCpuSeconds(rootPid)),
        processIds: async (rootPid) => (group ? group.pids() : rootPid === undefined ? [] : ((await processTreePids(rootPid)) ?? [])),
        close: async () => {
          await group?.remove();
          await unmountWritable(context.jobDir, tools);
          if (slot) {
            await killUid(slot.uid);
            await slot.release();
          }
        },
      };
    } catch (error) {
      await cgroup?.remove();
      await slot?.release();
      throw error;
    }
  }

  /** Read-only binds for an interpreter installed outside /usr (a virtualenv, /opt/conda). */
  private bindsFor(interpreter: string): Promise<string[]> {
    let binds = this.interpreterBinds.get(interpreter);
    if (!binds) {
      binds = interpreterDirs(interpreter);
      this.interpreterBinds.set(interpreter, binds);
    }
    return binds;
  }
}

/** A cgroup for one session where the machine offers them; none (rlimits only) otherwise or if making one fails. */
async function openCgroup(memoryMb: number): Promise<CgroupSession | undefined> {
  const support = await detectCgroups();
  if (!support.ok) return undefined;
  const memory = Math.max(SANDBOX_LIMITS.minMemoryMb, memoryMb) + SANDBOX_LIMITS.memoryHeadroomMb;
  return support.manager.createSession({ memoryBytes: memory * MiB, pids: SANDBOX_LIMITS.processes + SANDBOX_LIMITS.pidsHeadroom }).catch(() => undefined);
}

function wrapCommand(
  tools: BwrapTools,
  context: SandboxContext,
  extraBinds: string[],
  uid: number | undefined,
  nproc: number,
  file: string,
  args: string[],
  options: WrapOptions = {},
): WrappedCommand {
  const memoryMb = Math.max(SANDBOX_LIMITS.minMemoryMb, context.memoryMb);
  const env = { ...minimalEnv(INSIDE.workDir), DLGRADE_SANDBOX: 'bwrap' };
  const job = context.jobDir;
  const bwrapArgs = [
    '--unshare-all',
    // The command itself as the pid namespace's init: signals from inside reach it only where it handles them.
    ...(options.init ? ['--as-pid-1'] : []),
    '--unshare-user',
    ...(tools.disableUserns ? ['--disable-userns'] : []),
    '--die-with-parent',
    '--new-session',
    '--hostname',
    'dlgrade',
    '--ro-bind',
    '/usr',
    '/usr',
    ...mergedUsrLinks(),
    ...ETC_FILES.flatMap((p) => ['--ro-bind-try', p, p]),
    ...extraBinds.flatMap((p) => ['--ro-bind', p, p]),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(SANDBOX_LIMITS.shmBytes),
    '--tmpfs',
    '/dev/shm',
    '--size',
    String(SANDBOX_LIMITS.tmpBytes),
    '--tmpfs',
    '/tmp',
    '--size',
    String(SANDBOX_LIMITS.workBytes),
    '--tmpfs',
    INSIDE.workDir,
    '--ro-bind',
    path.join(job, 'job.json'),
    `${INSIDE.jobDir}/job.json`,
    '--ro-bind',
    path.join(job, 'inputs'),
    `${INSIDE.jobDir}/inputs`,
    '--bind',
    path.join(job, 'outputs'),
    `${INSIDE.jobDir}/outputs`,
    '--bind',
    path.join(job, 'status'),
    `${INSIDE.jobDir}/status`,
    '--ro-bind',
    path.join(job, 'submission'),
    INSIDE.submissionDir,
    '--ro-bind',
    path.join(job, 'runner'),
    INSIDE.runnerDir,
    '--remount-ro',
    '/',
    // bubblewrap's /dev is a tmpfs of its own: read-only, or a note left there would outlive a warm worker's job.
    '--remount-ro',
    '/dev',
    '--chdir',
    INSIDE.workDir,
    '--clearenv',
    ...Object.entries(env).flatMap(([k, v]) => ['--setenv', k, v]),
    '--',
    // Set again inside the sandbox's user namespace, where the kernel counts only this sandbox's processes:
    // without it, one fork bomb would use up the limit of every sandbox of the same user (not root).
    tools.prlimit,
    `--nproc=${SANDBOX_LIMITS.processes}`,
    '--',
    file,
    ...args,
  ];
  const limits = [
    `--as=${memoryMb * MiB}`,
    `--nproc=${nproc}`,
    `--fsize=${SANDBOX_LIMITS.fileSizeBytes}`,
    `--nofile=${SANDBOX_LIMITS.openFiles}`,
    '--core=0',
  ];
  const dropPrivileges =
    uid === undefined || !tools.setpriv
      ? []
      : [tools.setpriv, `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--'];
  // prlimit (as the harness) → setpriv (root only: drop to the slot uid, no capabilities) → bwrap → the interpreter.
  return { file: tools.prlimit, args: [...limits, '--', ...dropPrivileges, tools.bwrap, ...bwrapArgs], env, cwd: '/' };
}

/** On a merged-/usr system /bin, /lib, /lib64 and /sbin are symlinks into /usr; elsewhere they are bound read-only. */
let usrLinks: string[] | undefined;
function mergedUsrLinks(): string[] {
  if (usrLinks) return usrLinks;
  const out: string[] = [];
  for (const dir of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    try {
      const target = readlinkSyncSafe(dir);
      if (target !== undefined) out.push('--symlink', target, dir);
      else if (existsSync(dir)) out.push('--ro-bind', dir, dir);
    } catch {
      // Absent here: nothing to expose.
    }
  }
  usrLinks = out;
  return out;
}

function readlinkSyncSafe(p: string): string | undefined {
  const info = lstatSync(p, { throwIfNoEntry: false });
  return info?.isSymbolicLink() ? readlinkSync(p) : undefined;
}

/**
 * TMPDIR when every folder on the way to it lets others pass (the slot uid must reach the job folder to bind it);
 * otherwise a root-owned /run/dlgrade-jobs (or /var/tmp/dlgrade-jobs) that does.
 */
async function sandboxJobsDir(): Promise<string> {
  const tmp = await realpath(os.tmpdir()).catch(() => os.tmpdir());
  if (process.getuid?.() !== 0 || (await othersCanPass(tmp))) return tmp;
  const dir = existsSync('/run') ? '/run/dlgrade-jobs' : '/var/tmp/dlgrade-jobs';
  await mkdir(dir, { recursive: true, mode: 0o711 });
  await chmod(dir, 0o711);
  return dir;
}

async function othersCanPass(dir: string): Promise<boolean> {
  for (let d = dir; ; d = path.dirname(d)) {
    const info = await lstat(d).catch(() => undefined);
    if (!info || (info.mode & 0o001) === 0) return false;
    if (d === path.dirname(d)) return true;
  }
}

/** The interpreter's installation folders outside /usr, which the sandbox must see to start it. */
async function interpreterDirs(interpreter: string): Promise<string[]> {
  const dirs = new Set<string>();
  const real = await realpath(interpreter).catch(() => interpreter);
  for (const p of [path.dirname(interpreter), path.dirname(real)]) dirs.add(p);
  try {
    const stdout = await probeStdout(interpreter, ['-I', '-c', 'import sys, json; print(json.dumps([sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]))'], { timeoutMs: 20_000 });
    for (const p of JSON.parse(stdout) as string[]) dirs.add(p);
  } catch {
    // The runner will report an interpreter that does not start.
  }
  const outside = [...dirs].filter((d) => d && d !== '/' && !isUnder(d, '/usr') && existsSync(d));
  // Keep only the outermost folders: binding /opt/venv covers /opt/venv/bin.
  return outside.filter((d) => !outside.some((o) => o !== d && isUnder(d, o))).sort();
}

function isUnder(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith('/') ? dir : dir + '/');
}

/**
 * Makes the job directory usable from inside: the submission and the runner scripts are copied in (regular files
 * only, no symlinks, size-capped), inputs stay the harness's and read-only, and under root only outputs/ and
 * status/ belong to the slot uid.
 */
async function prepareJobDir(context: SandboxContext, uid: number | undefined, tools: BwrapTools): Promise<void> {
  const job = context.jobDir;
  await chmod(job, 0o711);
  await copyTree(context.submissionDir, path.join(job, 'submission'));
  await mkdir(path.join(job, 'runner'), { mode: 0o755 });
  for (const entry of await readdir(context.runnerDir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.py')) {
      await copyFile(path.join(context.runnerDir, entry.name), path.join(job, 'runner', entry.name));
      await chmod(path.join(job, 'runner', entry.name), 0o644);
    }
  }
  // job.json is written (world-readable) by the runner once the session says where things are inside.
  await chmod(path.join(job, 'inputs'), 0o755);
  for (const entry of await readdir(path.join(job, 'inputs'))) await chmod(path.join(job, 'inputs', entry), 0o644);
  for (const dir of ['outputs', 'status']) {
    await mkdir(path.join(job, dir), { recursive: true });
    await mountWritable(path.join(job, dir), tools);
    if (uid !== undefined) await chown(path.join(job, dir), uid, uid);
    await chmod(path.join(job, dir), 0o700);
  }
}

/** A size-limited tmpfs on a folder the sandbox writes (root only): the kernel enforces the write cap. */
async function mountWritable(dir: string, tools: BwrapTools): Promise<void> {
  if (!tools.mount || (await readdir(dir)).length > 0) return;
  const options = `size=${SANDBOX_LIMITS.writableBytes},nr_inodes=${SANDBOX_LIMITS.writableFiles},mode=0700,nosuid,nodev,noexec`;
  // Not allowed everywhere (a container without CAP_SYS_ADMIN): then the harness's own count of what was written remains.
  await probe(tools.mount, ['-t', 'tmpfs', '-o', options, 'dlgrade-writable', dir], { timeoutMs: 10_000 });
}

async function unmountWritable(jobDir: string, tools: BwrapTools): Promise<void> {
  if (!tools.umount) return;
  for (const dir of await mountsUnder(jobDir)) await probe(tools.umount, ['-l', dir], { timeoutMs: 10_000 });
}

/** Copies a submission folder: directories and regular files only, permissions kept but never writable by others. */
export async function copyTree(from: string, to: string): Promise<void> {
  let entries = 0;
  let bytes = 0;
  // Synchronous but for large files: a submission is a few small files, and a thread-pool trip per call costs more.
  const walk = async (src: string, dst: string, depth: number): Promise<void> => {
    mkdirSync(dst, { mode: 0o755 });
    chmodSync(dst, 0o755);
    for (const entry of readdirSync(src, { withFileTypes: true })) {
      if (entry.name === '__pycache__') continue;
      const s = path.join(src, entry.name);
      const d = path.join(dst, entry.name);
      const info = lstatSync(s);
      if (++entries > COPY_LIMITS.entries) throw new DlgradeError('SUBMISSION_INVALID', `more than ${COPY_LIMITS.entries} files`, { file: from });
      if (info.isDirectory() && depth < COPY_LIMITS.depth) await walk(s, d, depth + 1);
      else if (info.isFile()) {
        bytes += info.size;
        if (bytes > COPY_LIMITS.totalBytes) throw new DlgradeError('SUBMISSION_INVALID', `more than ${COPY_LIMITS.totalBytes / MiB} MiB of files`, { file: from });
        if (info.size <= 1024 * 1024) copyFileSync(s, d, fsConstants.COPYFILE_EXCL);
        else await copyFile(s, d, fsConstants.COPYFILE_EXCL);
        // Readable inside only if it was readable by everyone outside: a root-only file stays root-only.
        chmodSync(d, info.mode & 0o755);
      }
      // Symlinks, sockets, FIFOs and devices are not copied: a submission is plain files.
    }
  };
  await walk(from, to, 0);
}

/** How many tasks (threads included) the current user runs: RLIMIT_NPROC counts them all when not root. */
async function countOwnTasks(): Promise<number> {
  const uid = process.getuid?.();
  let count = 0;
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const uidLine = /^Uid:\s+(\d+)/m.exec(status);
    const threads = /^Threads:\s+(\d+)/m.exec(status);
    if (uidLine && Number(uidLine[1]) === uid) count += threads ? Number(threads[1]) : 1;
  }
  return count;
}

/** Processes whose real uid is `uid` (zombies excluded: they are already dead), or only its zombies. */
export async function processesOfUid(uid: number, zombies = false): Promise<number[]> {
  const pids: number[] = [];
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const uidLine = /^Uid:\s+(\d+)/m.exec(status);
    const state = /^State:\s+(\S)/m.exec(status);
    if (uidLine && Number(uidLine[1]) === uid && (state?.[1] === 'Z') === zombies) pids.push(Number(pid));
  }
  return pids;
}

/** SIGKILLs every process of a slot uid until none is left (the pid namespace usually took care of it already). */
async function killUid(uid: number): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const pids = await processesOfUid(uid);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

// --- slots: one unprivileged uid per concurrently running job ------------------------------------------------
const heldHere = new Set<number>();

interface Slot {
  uid: number;
  release(): Promise<void>;
}

/** A root-only folder of lock files, so that two dlgrade processes on one machine never share a uid. */
function lockDir(): string {
  return process.getuid?.() === 0 && existsSync('/run') ? '/run/dlgrade-slots' : path.join(os.tmpdir(), `dlgrade-slots-${process.getuid?.() ?? 'u'}`);
}

async function acquireSlot(): Promise<Slot> {
  const dir = lockDir();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (let i = 0; i < MAX_SLOTS; i++) {
    if (heldHere.has(i)) continue;
    const uid = SLOT_UID_BASE + i;
    const file = path.join(dir, `${uid}.lock`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(file, 'wx', 0o600);
        heldHere.add(i);
        await handle.writeFile(String(process.pid));
        await handle.close();
        // A sandbox killed by the harness leaves its init to the machine's pid 1; where that never reaps
        // (a container without an init), zombies would count against this uid's process limit: skip the uid.
        if ((await processesOfUid(uid, true)).length > SANDBOX_LIMITS.processes / 4) {
          heldHere.delete(i);
          await unlink(file).catch(() => {});
          break;
        }
        // Whatever a previous owner that died left behind goes now.
        await killUid(uid);
        return {
          uid,
          release: async () => {
            heldHere.delete(i);
            await unlink(file).catch(() => {});
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (!(await isStale(file))) break;
        await unlink(file).catch(() => {});
      }
    }
  }
  throw new DlgradeError('SANDBOX_UNAVAILABLE', `all ${MAX_SLOTS} sandbox uids (${SLOT_UID_BASE}–${SLOT_UID_BASE + MAX_SLOTS - 1}) are in use; lower --jobs or remove stale locks in ${dir}`);
}

/** A lock whose owner process is gone (or that was never completed and is old). */
async function isStale(file: string): Promise<boolean> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return false;
  const pid = Number(text);
  if (!text || !Number.isInteger(pid) || pid <= 0) {
    const info = await lstat(file).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs > 60_000;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

// --- finding the tools and checking that a sandbox can be made here ------------------------------------------

/** The first executable named `name` on PATH or in the usual places. */
export function findTool(name: string, override?: string): string | undefined {
  if (override) return existsSync(override) ? override : undefined;
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Whether the sandbox works here, and if not why, in words a person can act on. */
export type SandboxProbe = { ok: true; sandbox: BwrapSandbox } | { ok: false; reason: string };

const candidates = new Map<string, Promise<{ ok: true; sandbox: BwrapSandbox } | { ok: false; reason: string }>>();

/**
 * The bubblewrap sandbox this machine would use for `interpreter` (tools found, version read), before the test run
 * that shows it works; one per interpreter and process, so a warm worker started on it ahead of the probe (see
 * prestart.ts) runs in the very sandbox the probe then approves.
 */
export function bwrapCandidate(interpreter: string): Promise<{ ok: true; sandbox: BwrapSandbox } | { ok: false; reason: string }> {
  let candidate = candidates.get(interpreter);
  if (!candidate) {
    candidate = findBwrap(interpreter);
    candidates.set(interpreter, candidate);
  }
  return candidate;
}

async function findBwrap(interpreter: string): Promise<{ ok: true; sandbox: BwrapSandbox } | { ok: false; reason: string }> {
  const bwrap = findTool('bwrap', process.env.DLGRADE_BWRAP);
  if (!bwrap) return { ok: false, reason: 'bubblewrap (bwrap) is not installed — on Debian or Ubuntu: apt-get install bubblewrap' };
  const prlimit = findTool('prlimit');
  if (!prlimit) return { ok: false, reason: 'prlimit (util-linux) is not installed' };
  const asRoot = process.getuid?.() === 0;
  const setpriv = asRoot ? findTool('setpriv') : undefined;
  if (asRoot && !setpriv) return { ok: false, reason: 'setpriv (util-linux) is not installed; it is needed to drop root before running student code' };
  let disableUserns = false;
  try {
    const stdout = await probeStdout(bwrap, ['--version'], { timeoutMs: 10_000 });
    const [major, minor] = (/(\d+)\.(\d+)/.exec(stdout) ?? []).slice(1).map(Number);
    disableUserns = major > 0 || minor >= 8;
  } catch (cause) {
    return { ok: false, reason: `${bwrap} --version failed: ${firstLine((cause as Error).message)}` };
  }
  if (!existsSync(interpreter)) return { ok: false, reason: `the Python interpreter ${interpreter} does not exist` };
  if (asRoot) {
    const hidden = await unreachableByOthers(interpreter);
    if (hidden) {
      return {
        ok: false,
        reason:
          `the Python interpreter ${interpreter} lies under ${hidden}, which other users cannot enter, and the sandbox runs student code as an ` +
          `unprivileged uid (${SLOT_UID_BASE}–${SLOT_UID_BASE + MAX_SLOTS - 1}) that must read it: install it where every user can read it ` +
          `(e.g. /opt or /usr/local, or Debian's /usr/bin/python3 with apt-get install python3-torch), or make ${hidden} passable (chmod o+x)`,
      };
    }
  }
  const mount = asRoot ? findTool('mount') : undefined;
  const umount = asRoot ? findTool('umount') : undefined;
  return { ok: true, sandbox: new BwrapSandbox({ bwrap, prlimit, setpriv, disableUserns, ...(mount && umount ? { mount, umount } : {}) }) };
}

/**
 * The first folder on the way to `file` (or to where its symlinks lead) that other users cannot pass through, or the
 * file itself if they cannot read and run it; undefined when an unprivileged uid can run it.
 */
export async function unreachableByOthers(file: string): Promise<string | undefined> {
  for (const target of new Set([path.resolve(file), await realpath(file).catch(() => path.resolve(file))])) {
    const parts = target.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const dir = '/' + parts.slice(0, i).join('/');
      const info = await lstat(dir).catch(() => undefined);
      if (info && !info.isSymbolicLink() && (info.mode & 0o001) === 0) return dir;
    }
  }
  const info = await lstat(await realpath(file).catch(() => file)).catch(() => undefined);
  if (info && (info.mode & 0o005) !== 0o005) return file;
  return undefined;
}

/** Finds the tools and starts one real sandboxed interpreter; the answer is kept for the process's lifetime. */
export async function probeBwrap(interpreter: string): Promise<SandboxProbe> {
  const candidate = await bwrapCandidate(interpreter);
  if (!candidate.ok) return candidate;
  const { sandbox } = candidate;
  const asRoot = process.getuid?.() === 0;
  const jobDir = await makeJobDir(await sandboxJobsDir(), 'probe');
  try {
    await Promise.all(['inputs', 'outputs', 'status'].map((d) => mkdir(path.join(jobDir, d))));
    await writeFile(path.join(jobDir, 'job.json'), '{}');
    const empty = path.join(jobDir, 'empty');
    await mkdir(empty);
    const session = await sandbox.open({ jobDir, submissionDir: empty, runnerDir: empty, interpreter, memoryMb: 0 });
    try {
      const command = session.wrap(interpreter, ['-I', '-S', '-c', 'import os; print(os.getuid())']);
      const stdout = await probeStdout(command.file, command.args, { env: command.env, cwd: command.cwd, timeoutMs: 30_000 });
      if (asRoot && Number(stdout.trim()) === 0) return { ok: false, reason: 'the sandboxed process still ran as root' };
    } finally {
      await session.close();
    }
    return { ok: true, sandbox };
  } catch (cause) {
    const error = cause as { stderr?: string; message: string };
    const said = firstLine(error.stderr || error.message);
    return {
      ok: false,
      reason: `bubblewrap cannot create a sandbox here (${said}); user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu kernel.apparmor_restrict_unprivileged_userns=0), or this is a container without CAP_SYS_ADMIN`,
    };
  } finally {
    await rm(jobDir, { recursive: true, force: true });
  }
}

function firstLine(text: string): string {
  return String(text).trim().split('\n')[0].slice(0, 300);
}
