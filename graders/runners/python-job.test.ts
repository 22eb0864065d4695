// The pass loop's rule for a busy machine (invariant 9): a case stopped by the wall clock before it used its CPU
// time is run again on its own; only if that happens again is it a timeout, of a kind that is never cached.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeNpz } from '../npz/npz.js';
import type { RunnerJob } from './runner.js';
import { WALL_CLOCK_TIMEOUT, runInPasses, type PassExit } from './python-job.js';

const x = { dtype: 'float32' as const, shape: [1], data: new Float32Array([1]) };
const JOB: RunnerJob = {
  submissionDir: '/nowhere',
  questions: { q: { steps: [], inputs: {}, outputs: { y: '$y' }, timeout_s: 5 } },
  cases: [0, 1].map((index) => ({ index, question: 'q', case: `c${index}`, inputs: { x } })),
  memoryMb: 1024,
} as RunnerJob;

describe('runInPasses and a case the wall clock stopped', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-passes-'));
    await Promise.all(['outputs', 'status'].map((d) => mkdir(path.join(dir, d))));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** What a runner leaves for a case that finished. */
  const finish = async (index: number) => {
    await writeFile(path.join(dir, 'status', `${index}.start`), '');
    await writeFile(path.join(dir, 'outputs', `${index}.npz`), writeNpz({ y: x }));
    await writeFile(path.join(dir, 'status', `${index}.json`), JSON.stringify({ status: 'ok', duration_ms: 1 }));
  };
  /** A pass the watchdog stopped in `index` on the wall clock, after `cpuS` of CPU time. */
  const stoppedByWallClock = async (index: number, cpuS: number): Promise<PassExit> => {
    await writeFile(path.join(dir, 'status', `${index}.start`), '');
    return { kind: 'killed-by-harness', killReason: `case ${index} exceeded its time limit`, stdoutTail: '', stderrTail: '', durationMs: 17_000, caseKill: { index, kind: 'wall', cpuS, wallS: 17, limitS: 5 } };
  };

  it('runs it again on its own; when it then finishes, its outcome stands with a notice saying why it ran twice', async () => {
    const passes: number[][] = [];
    const { outcomes } = await runInPasses(JOB, { specDir: dir, resultDir: dir }, async (indexes) => {
      passes.push(indexes);
      if (passes.length === 1) return stoppedByWallClock(0, 0.4);
      for (const i of indexes) await finish(i);
      return { kind: 'exited', exitCode: 0, stdoutTail: '', stderrTail: '', durationMs: 10 };
    });
    expect(passes).toEqual([[0, 1], [0], [1]]);
    expect(outcomes.get(0)?.status).toBe('ok');
    expect(outcomes.get(0)?.notice).toMatch(/used 0\.4 s of CPU time .*run again on its own/);
    expect(outcomes.get(1)?.status).toBe('ok');
  });

  it('stopped the same way twice: a timeout that says the machine may be at fault, of the kind batch never caches', async () => {
    const { outcomes } = await runInPasses(JOB, { specDir: dir, resultDir: dir }, async (indexes) => (indexes[0] === 0 ? stoppedByWallClock(0, 0.2) : (await finish(1), { kind: 'exited', exitCode: 0, stdoutTail: '', stderrTail: '', durationMs: 1 })));
    expect(outcomes.get(0)?.status).toBe('timeout');
    expect(outcomes.get(0)?.error?.type).toBe(WALL_CLOCK_TIMEOUT);
    expect(outcomes.get(0)?.error?.message).toMatch(/not cached/);
  });

  it('a case stopped for its CPU time is a plain timeout at once, never run again (nor the later cases of its question)', async () => {
    const passes: number[][] = [];
    const { outcomes } = await runInPasses(JOB, { specDir: dir, resultDir: dir }, async (indexes) => {
      passes.push(indexes);
      if (indexes[0] === 0) {
        await writeFile(path.join(dir, 'status', '0.start'), '');
        return { kind: 'killed-by-harness', killReason: 'case 0 used more than 5 s of CPU time', stdoutTail: '', stderrTail: '', durationMs: 7000, caseKill: { index: 0, kind: 'cpu', cpuS: 6.1, wallS: 7, limitS: 5 } };
      }
      for (const i of indexes) await finish(i);
      return { kind: 'exited', exitCode: 0, stdoutTail: '', stderrTail: '', durationMs: 1 };
    });
    expect(passes).toEqual([[0, 1]]);
    expect(outcomes.get(1)?.error?.message).toMatch(/not run/);
    expect(outcomes.get(0)?.error).toMatchObject({ type: 'Timeout', message: expect.stringMatching(/within 5 s of CPU time \(it had used 6\.1 s, measured by the harness\)/) });
  });
});
