// Job folders: named after the process that made them, and removed by a later run once that process is gone.
import { mkdir, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeJobDir } from './sandbox.js';

describe('makeJobDir', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("removes folders left by dead processes (after an hour), and keeps live processes' and recent ones", async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-jobdirs-'));
    dirs.push(root);
    const deadPid = 2 ** 22 + 12345; // above pid_max: no such process
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const make = async (name: string, when?: Date) => {
      await mkdir(path.join(root, name, 'outputs'), { recursive: true });
      if (when) await utimes(path.join(root, name), when, when);
    };
    await make(`dlgrade-job-${deadPid}-AbC123`, old);
    await make(`dlgrade-worker-${deadPid}-xyz789`, old);
    await make(`dlgrade-job-${deadPid}-recent`);
    await make(`dlgrade-job-1-livein`, old); // pid 1 always exists
    await make('not-dlgrade-at-all', old);
    const fresh = await makeJobDir(root, 'job');
    expect(path.basename(fresh)).toMatch(new RegExp(`^dlgrade-job-${process.pid}-[A-Za-z0-9]{6}$`));
    expect((await readdir(root)).sort()).toEqual([path.basename(fresh), `dlgrade-job-${deadPid}-recent`, 'dlgrade-job-1-livein', 'not-dlgrade-at-all'].sort());
  });
});
