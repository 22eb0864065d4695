// Finds processes a test's run should not have left behind, by scanning /proc.
import { readdir, readFile } from 'node:fs/promises';

export interface LeftoverQuery {
  /** A process name (comm) that marks a process as the test's. */
  comm?: RegExp;
  /** Strings whose presence in a command line marks a process as the test's (e.g. its temporary folder). */
  cmdline?: string[];
}

/** Live processes (zombies excluded) matching the query, as "pid comm: command line". */
export async function leftoverProcesses(query: LeftoverQuery): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    if (!status || /^State:\s+Z/m.test(status)) continue;
    const comm = (/^Name:\s+(.*)$/m.exec(status)?.[1] ?? '').trim();
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ').trim();
    if (query.comm?.test(comm) || query.cmdline?.some((s) => s && cmdline.includes(s))) found.push(`${pid} ${comm}: ${cmdline.slice(0, 200)}`);
  }
  return found;
}
