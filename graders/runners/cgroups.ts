// Control groups for sandboxes, where the machine lets dlgrade make them: each sandbox session gets a group with
// the same CPU weight as every other (a submission that starts many sessions or processes cannot starve its
// neighbours), a memory limit for all its processes together, a process limit, and CPU accounting the harness
// reads from outside. cgroup v2 needs the cpu, memory and pids controllers delegated to dlgrade's own group;
// cgroup v1 needs writable cpu/cpuacct/memory/pids hierarchies. Elsewhere sandboxes fall back to rlimits.
import { existsSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { readKernelFile } from './cpu-usage.js';

/** The controllers dlgrade uses, by what they give. */
const V1_CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids'] as const;
type V1Controller = (typeof V1_CONTROLLERS)[number];

/** Names of the groups dlgrade makes: `dlgrade-<pid>-<random>`, one per dlgrade process, so runs never collide. */
const GROUP_PATTERN = /^dlgrade-(\d+)-[0-9a-f]{8}$/;
/** A group left by a process that is gone is removed only when this old (a live run in another pid namespace is spared). */
const STALE_AFTER_MS = 60 * 60 * 1000;

/** What a session's group limits. */
export interface CgroupLimits {
  memoryBytes: number;
  pids: number;
}

/** One sandbox session's group. */
export interface CgroupSession {
  /** The `cgroup.procs` files a process writes its pid into to join the group (one per v1 hierarchy). */
  procsFiles: string[];
  /** CPU seconds used by every process that was ever in the group. */
  cpuSeconds(): Promise<number | undefined>;
  /** The pids of the processes in the group. */
  pids(): Promise<number[]>;
  /** Kills every process in the group. */
  killAll(): Promise<void>;
  /** Kills what is left and removes the group. */
  remove(): Promise<void>;
}

/** What the machine offers, for `dlgrade doctor` and for choosing. */
export type CgroupSupport =
  | { ok: true; version: 1 | 2; controllers: string[]; manager: CgroupManager }
  | { ok: false; reason: string };

/** A hierarchy and the folder of dlgrade's per-process group in it. */
interface Place {
  controllers: string[];
  /** The folder of the cgroup this process is in (where dlgrade's group is made). */
  parent: string;
}

/** dlgrade's group for this process: made on first use, removed (with every session) when the process exits. */
export class CgroupManager {
  private groups?: Promise<string[]>;
  private next = 0;
  private readonly name = `dlgrade-${process.pid}-${randomBytes(4).toString('hex')}`;
  private live = 0;

  constructor(
    readonly version: 1 | 2,
    private readonly places: Place[],
  ) {}

  /** The controllers in force. */
  get controllers(): string[] {
    return [...new Set(this.places.flatMap((p) => p.controllers))].sort();
  }

  private processGroups(): Promise<string[]> {
    this.groups ??= (async () => {
      const dirs: string[] = [];
      for (const place of this.places) {
        removeStaleGroups(place.parent);
        const dir = path.join(place.parent, this.name);
        await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'EEXIST') throw error;
        });
        dirs.push(dir);
        // v2: the sessions below need the controllers too.
        if (this.version === 2) await writeFile(path.join(dir, 'cgroup.subtree_control'), '+cpu +memory +pids');
      }
      made.push(...dirs.filter((d) => !made.includes(d)));
      return dirs;
    })();
    return this.groups;
  }

  /**
   * dlgrade's group weighs as much as its sessions together, as each did on its own before (a session of its own
   * per sandbox): the batch keeps its share of a machine that others use too; inside, sessions share equally.
   */
  private async weighParents(parents: string[]): Promise<void> {
    for (const [i, parent] of parents.entries()) {
      if (this.version === 2) await writeFile(path.join(parent, 'cpu.weight'), String(Math.min(10_000, 100 * Math.max(1, this.live)))).catch(() => {});
      else if (this.places[i].controllers.includes('cpu')) await writeFile(path.join(parent, 'cpu.shares'), String(1024 * Math.max(1, this.live))).catch(() => {});
    }
  }

  private async removeProcessGroups(parents: string[]): Promise<void> {
    let removed = true;
    for (const dir of parents) {
      const gone = await rmdir(dir).then(
        () => true,
        () => false,
      );
      if (gone) made.splice(made.indexOf(dir), 1);
      removed &&= gone;
    }
    // Made again by the next session.
    if (removed && this.live === 0) this.groups = undefined;
  }

  /** A group for one sandbox session, with its limits written. */
  async createSession(limits: CgroupLimits): Promise<CgroupSession> {
    const parents = await this.processGroups();
    const name = `s${this.next++}`;
    this.live++;
    await this.weighParents(parents);
    const dirs: string[] = [];
    try {
      for (const [i, parent] of parents.entries()) {
        const dir = path.join(parent, name);
        await mkdir(dir);
        dirs.push(dir);
        const controllers = this.places[i].controllers;
        if (this.version === 2) {
          await writeFile(path.join(dir, 'cpu.weight'), '100');
          await writeFile(path.join(dir, 'memory.max'), String(limits.memoryBytes));
          await writeFile(path.join(dir, 'memory.swap.max'), '0').catch(() => {});
          await writeFile(path.join(dir, 'pids.max'), String(limits.pids));
          continue;
        }
        // Every session the same weight: the kernel then shares the CPU between sessions, not between processes.
        if (controllers.includes('cpu')) await writeFile(path.join(dir, 'cpu.shares'), '1024');
        if (controllers.includes('memory')) await writeFile(path.join(dir, 'memory.limit_in_bytes'), String(limits.memoryBytes));
        if (controllers.includes('pids')) await writeFile(path.join(dir, 'pids.max'), String(limits.pids));
      }
    } catch (error) {
      await Promise.all(dirs.map((d) => rmdir(d).catch(() => {})));
      this.live--;
      throw error;
    }
    const accounting = this.version === 2 ? { dir: dirs[0], file: 'cpu.stat' } : accountingDir(this.places, dirs);
    const killAll = async () => {
      for (let attempt = 0; attempt < 100; attempt++) {
        const pids = new Set<number>();
        for (const dir of dirs) for (const pid of await groupPids(dir)) pids.add(pid);
        if (pids.size === 0) return;
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Gone already.
          }
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    return {
      procsFiles: dirs.map((d) => path.join(d, 'cgroup.procs')),
      cpuSeconds: async () => (accounting ? readCpuSeconds(accounting.dir, accounting.file) : undefined),
      pids: () => groupPids(dirs[0]),
      killAll,
      remove: async () => {
        await killAll();
        this.live--;
        await this.weighParents(parents);
        for (const dir of dirs) {
          // A killed process leaves the group once it is reaped: wait for it briefly.
          for (let attempt = 0; attempt < 50; attempt++) {
            try {
              await rmdir(dir);
              break;
            } catch {
              await new Promise((r) => setTimeout(r, 20));
            }
          }
        }
        // No session left: dlgrade's own group goes too (a process killed later leaves nothing behind).
        if (this.live === 0) await this.removeProcessGroups(parents);
      },
    };
  }
}

/** Groups this process made, removed (sessions first) as it exits. */
const made: string[] = [];
process.on('exit', () => {
  for (const dir of made) removeTreeSync(dir);
});

function accountingDir(places: Place[], dirs: string[]): { dir: string; file: string } | undefined {
  const i = places.findIndex((p) => p.controllers.includes('cpuacct'));
  return i < 0 ? undefined : { dir: dirs[i], file: 'cpuacct.usage' };
}

// Read on every watchdog tick of every running case.
async function readCpuSeconds(dir: string, file: string): Promise<number | undefined> {
  const text = readKernelFile(path.join(dir, file));
  if (text === undefined) return undefined;
  if (file === 'cpuacct.usage') return Number(text.trim()) / 1e9;
  const usec = /^usage_usec\s+(\d+)/m.exec(text);
  return usec ? Number(usec[1]) / 1e6 : undefined;
}

async function groupPids(dir: string): Promise<number[]> {
  const text = readKernelFile(path.join(dir, 'cgroup.procs')) ?? '';
  return text.split('\n').filter(Boolean).map(Number);
}

/** Removes groups of dlgrade processes that are gone (sessions first), if nothing runs in them. */
function removeStaleGroups(parent: string): void {
  for (const name of safeReaddir(parent)) {
    const match = GROUP_PATTERN.exec(name);
    if (!match || Number(match[1]) === process.pid || processExists(Number(match[1]))) continue;
    const dir = path.join(parent, name);
    try {
      if (Date.now() - statSync(dir).mtimeMs < STALE_AFTER_MS) continue;
    } catch {
      continue;
    }
    removeTreeSync(dir);
  }
}

function removeTreeSync(dir: string): void {
  for (const name of safeReaddir(dir)) {
    const child = path.join(dir, name);
    try {
      if (statSync(child).isDirectory()) removeTreeSync(child);
    } catch {
      // Gone already.
    }
  }
  try {
    rmdirSync(dir);
  } catch {
    // Still has processes (or is gone): left for a later run.
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

let detected: Promise<CgroupSupport> | undefined;

/** What this machine offers, found once per process. `DLGRADE_CGROUPS=0` turns cgroups off. */
export function detectCgroups(): Promise<CgroupSupport> {
  detected ??= detect();
  return detected;
}

async function detect(): Promise<CgroupSupport> {
  if (process.platform !== 'linux') return { ok: false, reason: 'control groups are a Linux feature' };
  if (process.env.DLGRADE_CGROUPS === '0') return { ok: false, reason: 'turned off by DLGRADE_CGROUPS=0' };
  const membership = await readFile('/proc/self/cgroup', 'utf8').catch(() => '');
  const mounts = parseMounts(await readFile('/proc/self/mountinfo', 'utf8').catch(() => ''));
  const reasons: string[] = [];
  const v2 = await tryV2(membership, mounts);
  if (v2.ok) return v2;
  reasons.push(v2.reason);
  const v1 = await tryV1(membership, mounts);
  if (v1.ok) return v1;
  reasons.push(v1.reason);
  return { ok: false, reason: reasons.join('; ') };
}

interface Mount {
  root: string;
  point: string;
  type: string;
  options: string[];
}

function parseMounts(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!right) continue;
    const f = left.split(' ');
    const [type, , superOptions] = right.split(' ');
    out.push({ root: unescapeMount(f[3]), point: unescapeMount(f[4]), type, options: (superOptions ?? '').split(',') });
  }
  return out;
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The folder of `cgroupPath` under a mount of its hierarchy (whose root may itself be a sub-path). */
function folderOf(mount: Mount, cgroupPath: string): string | undefined {
  const root = mount.root === '/' ? '' : mount.root;
  if (root && cgroupPath !== root && !cgroupPath.startsWith(root + '/')) return undefined;
  return path.join(mount.point, cgroupPath.slice(root.length));
}

async function tryV2(membership: string, mounts: Mount[]): Promise<CgroupSupport> {
  const own = /^0::(.*)$/m.exec(membership)?.[1];
  const mount = mounts.find((m) => m.type === 'cgroup2');
  if (own === undefined || !mount) return { ok: false, reason: 'no cgroup v2 hierarchy' };
  const parent = folderOf(mount, own);
  if (!parent || !existsSync(parent)) return { ok: false, reason: 'cgroup v2: this process\'s group is not visible' };
  const available = (await readFile(path.join(parent, 'cgroup.controllers'), 'utf8').catch(() => '')).split(/\s+/).filter(Boolean);
  const missing = ['cpu', 'memory', 'pids'].filter((c) => !available.includes(c));
  if (missing.length) return { ok: false, reason: `cgroup v2 does not delegate the ${missing.join(', ')} controller(s) to this process` };
  // Controllers can be handed to child groups only from a group with no processes of its own (or the root).
  try {
    await writeFile(path.join(parent, 'cgroup.subtree_control'), '+cpu +memory +pids');
  } catch (error) {
    return { ok: false, reason: `cgroup v2: cannot enable controllers under ${parent} (${(error as NodeJS.ErrnoException).code}); run dlgrade in a delegated group of its own (systemd-run --user --scope -p Delegate=yes)` };
  }
  const manager = new CgroupManager(2, [{ controllers: ['cpu', 'memory', 'pids'], parent }]);
  return { ok: true, version: 2, controllers: ['cpu', 'memory', 'pids'], manager };
}

async function tryV1(membership: string, mounts: Mount[]): Promise<CgroupSupport> {
  const places: Place[] = [];
  const problems: string[] = [];
  for (const line of membership.split('\n')) {
    const [, list, own] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (!list) continue;
    const controllers = list.split(',').filter((c): c is V1Controller => (V1_CONTROLLERS as readonly string[]).includes(c));
    if (controllers.length === 0) continue;
    const mount = mounts.find((m) => m.type === 'cgroup' && controllers.every((c) => m.options.includes(c)));
    const parent = mount && folderOf(mount, own);
    if (!parent || !existsSync(parent)) {
      problems.push(`${controllers.join(',')}: not mounted here`);
      continue;
    }
    // Writable: the group dlgrade makes for itself is made here (a probe folder is made and removed).
    const probe = path.join(parent, `dlgrade-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(probe);
      await rmdir(probe);
      places.push({ controllers, parent });
    } catch (error) {
      problems.push(`${controllers.join(',')}: ${parent} is not writable (${(error as NodeJS.ErrnoException).code})`);
    }
  }
  const have = new Set(places.flatMap((p) => p.controllers));
  if (!have.has('cpu')) return { ok: false, reason: `cgroup v1: no writable cpu hierarchy${problems.length ? ` (${problems.join('; ')})` : ''}` };
  return { ok: true, version: 1, controllers: [...have].sort(), manager: new CgroupManager(1, places) };
}

/** The start of a command that joins a session's group, then runs the rest: `sh -c … procs… -- command…`. */
export function joinPrefix(session: CgroupSession): string[] {
  // The shell writes its own pid, then becomes the command (exec keeps the pid): nothing runs outside the group.
  const script = 'while [ "$1" != "--" ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';
  return ['/bin/sh', '-c', script, 'dlgrade-cgroup-join', ...session.procsFiles, '--'];
}
