// CPU time of a process tree, read from /proc by the harness: what the sandboxed code used, whatever it does to
// its own timers. Used where no cgroup accounts for a sandbox (see cgroups.ts).
import { readdirSync, readFileSync } from 'node:fs';

/** The contents of a cgroup or /proc file, read synchronously: a kernel file answers at once, never from a disk. */
export function readKernelFile(file: string, encoding: BufferEncoding = 'utf8'): string | undefined {
  try {
    return readFileSync(file, encoding);
  } catch {
    return undefined;
  }
}

/** Linux reports /proc times in USER_HZ, 100 on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Seconds of CPU used by `rootPid` and every live descendant, counting the children each has already reaped
 * (cutime, cstime): a sandbox's init reaps whatever its processes leave, so their time stays in the sum.
 */
export async function processTreeCpuSeconds(rootPid: number): Promise<number | undefined> {
  const tree = await processTree(rootPid);
  if (!tree) return undefined;
  return tree.reduce((sum, p) => sum + p.ticks, 0) / CLOCK_TICKS_PER_SECOND;
}

/** The pids of `rootPid` and its live descendants, or undefined when it is gone. */
export async function processTreePids(rootPid: number): Promise<number[] | undefined> {
  return (await processTree(rootPid))?.map((p) => p.pid);
}

/**
 * Seconds each process has spent ready to run but waiting for a CPU (the scheduler's run delay, from
 * /proc/<pid>/schedstat): time a busy machine took from it, which the wall-clock limit does not count.
 */
export async function runDelaySeconds(pids: number[]): Promise<Map<number, number>> {
  const delays = new Map<number, number>();
  // Synchronous: one small kernel file per process, on every watchdog tick.
  for (const pid of pids) {
    const waited = Number(readKernelFile(`/proc/${pid}/schedstat`)?.split(' ')[1]);
    if (Number.isFinite(waited)) delays.set(pid, waited / 1e9);
  }
  return delays;
}

async function processTree(rootPid: number): Promise<{ pid: number; ticks: number }[] | undefined> {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  let names: string[] = [];
  try {
    names = readdirSync('/proc');
  } catch {
    // No /proc: no tree.
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const text = readKernelFile(`/proc/${name}/stat`, 'latin1');
    if (!text) continue;
    // "pid (comm) state ppid …": the fields after the last ")" (comm may contain anything); utime is field 14.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    stats.set(Number(name), { ppid: Number(fields[1]), ticks: Number.isFinite(ticks) ? ticks : 0 });
  }
  if (!stats.has(rootPid)) return undefined;
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  const tree: { pid: number; ticks: number }[] = [];
  const todo = [rootPid];
  const seen = new Set<number>();
  while (todo.length > 0) {
    const pid = todo.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    tree.push({ pid, ticks: stats.get(pid)?.ticks ?? 0 });
    todo.push(...(children.get(pid) ?? []));
  }
  return tree;
}
