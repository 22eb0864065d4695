// Control groups for sandbox sessions: named per dlgrade process, limits written, a joined process counted, and
// nothing left behind — not by a session that ends, nor by a process that exits without closing its sessions.
import { execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectCgroups, joinPrefix } from './cgroups.js';

const support = await detectCgroups();

describe.skipIf(!support.ok)('cgroups', () => {
  it('a session: its own group under dlgrade-<pid>-<random>, limits written, CPU of a joined process counted, removed at the end', async () => {
    if (!support.ok) return;
    const session = await support.manager.createSession({ memoryBytes: 512 * 1024 * 1024, pids: 20 });
    const dirs = session.procsFiles.map((f) => path.dirname(f));
    for (const dir of dirs) {
      expect(path.basename(path.dirname(dir))).toMatch(new RegExp(`^dlgrade-${process.pid}-[0-9a-f]{8}$`));
      expect(existsSync(dir)).toBe(true);
    }
    if (support.version === 1) {
      const memory = dirs.find((d) => existsSync(path.join(d, 'memory.limit_in_bytes')));
      if (memory) expect((await readFile(path.join(memory, 'memory.limit_in_bytes'), 'utf8')).trim()).toBe(String(512 * 1024 * 1024));
      const pids = dirs.find((d) => existsSync(path.join(d, 'pids.max')));
      if (pids) expect((await readFile(path.join(pids, 'pids.max'), 'utf8')).trim()).toBe('20');
    }
    const before = (await session.cpuSeconds()) ?? 0;
    const [shell, ...args] = joinPrefix(session);
    // Half a second of CPU time in a process that joined the group, which reports the groups it is in.
    const child = await execa(shell, [...args, '/usr/bin/python3', '-c', 'import time\nt=time.process_time()\nwhile time.process_time()-t<0.5: pass\nprint(open("/proc/self/cgroup").read())']);
    for (const dir of dirs) expect(child.stdout).toContain(path.basename(dir));
    const after = await session.cpuSeconds();
    if (after !== undefined) expect(after - before).toBeGreaterThanOrEqual(0.4);
    await session.remove();
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
    // The last session gone, dlgrade's own group goes too: a process killed afterwards leaves nothing behind.
    for (const dir of dirs) expect(existsSync(path.dirname(dir))).toBe(false);
  });

  it('a dlgrade process that exits without closing its sessions leaves no group behind', async () => {
    if (!support.ok) return;
    const script = `import { detectCgroups } from ${JSON.stringify(path.resolve('graders/runners/cgroups.ts'))};
const s = await detectCgroups();
const session = await s.manager.createSession({ memoryBytes: 256 * 1024 * 1024, pids: 10 });
console.log(JSON.stringify(session.procsFiles));
process.exit(0);`;
    const child = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { reject: false });
    const files = JSON.parse(child.stdout.trim().split('\n').pop() ?? '[]') as string[];
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const group = path.dirname(path.dirname(file));
      expect(existsSync(group), group).toBe(false);
      expect(readdirSync(path.dirname(group)).filter((n) => n.startsWith(`dlgrade-${child.pid}-`))).toEqual([]);
    }
  });
});
