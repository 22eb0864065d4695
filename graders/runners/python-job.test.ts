// The pass loop's rule for a busy machine (invariant 9): a case stopped by the wall clock before it used its CPU
// time is run again on its own; only if that happens again is it a timeout, of a kind that is never cached.
import { appendFile, mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeNpy } from '../npz/npz.js';
import type { RunnerJob } from './runner.js';
import { WALL_CLOCK_TIMEOUT, passWatchdog, runInPasses, type PassExit } from './python-job.js';
import { WRITABLE_FOLDER_BYTES } from './sandbox.js';

const x = { dtype: 'float32' as const, shape: [1], data: new Float32Array([1]) };
const JOB: RunnerJob = {
  submissionDir: '/nowhere',
  questions: { q: { steps: [], inputs: {}, outputs: { y: '$y' }, timeout_s: 5 } },
  cases: [0, 1].map((index) => ({ index, question: 'q', case: `c${index}`, inputs: { x } })),
  memoryMb: 1024,
} as RunnerJob;

/** A record of the pass's results file as dlgrade_runner.py's ResultsFile writes it. */
function caseRecord(index: number, record: Record<string, unknown>, outputs: Record<string, typeof x> = {}): Buffer {
  const blobs = Object.values(outputs).map((a) => Buffer.from(writeNpy(a)));
  const head = Buffer.from(JSON.stringify({ ...record, index, arrays: Object.keys(outputs).map((name, i) => [name, blobs[i].length]) }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(head.length);
  return Buffer.concat([Buffer.from('DLGRCASE'), length, head, ...blobs]);
}

// Each test gets a job folder of its own with empty outputs/ and status/.
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-passes-'));
  await Promise.all(['outputs', 'status'].map((d) => mkdir(path.join(dir, d))));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const exited: PassExit = { kind: 'exited', exitCode: 0, stdoutTail: '', stderrTail: '', durationMs: 1 };

describe("runInPasses reading a pass's results file", () => {

  it('a pass killed while writing a record keeps the cases before it; the torn case is the crash', async () => {
    const passes: number[][] = [];
    const { outcomes } = await runInPasses(JOB, { specDir: dir, resultDir: dir }, async (indexes) => {
      passes.push(indexes);
      const file = path.join(dir, 'outputs', 'cases.bin');
      await writeFile(path.join(dir, 'status', '0.start'), '');
      await writeFile(path.join(dir, 'status', '1.start'), '');
      const torn = caseRecord(1, { status: 'ok', duration_ms: 1 }, { y: x });
      await writeFile(file, Buffer.concat([caseRecord(0, { status: 'ok', duration_ms: 2 }, { y: x }), torn.subarray(0, torn.length - 3)]));
      return { kind: 'signaled', signal: 'SIGKILL', stdoutTail: '', stderrTail: '', durationMs: 5 };
    });
    expect(passes).toEqual([[0, 1]]);
    expect(outcomes.get(0)).toMatchObject({ status: 'ok', durationMs: 2 });
    expect([...outcomes.get(0)!.outputs.get('y')!.data]).toEqual([1]);
    expect(outcomes.get(1)).toMatchObject({ status: 'crash', error: { message: expect.stringMatching(/SIGKILL while running this case/) } });
  });

  it("the runner's record of a case replaces what an earlier case forged for it", async () => {
    const { outcomes } = await runInPasses(JOB, { specDir: dir, resultDir: dir }, async () => {
      const file = path.join(dir, 'outputs', 'cases.bin');
      // Case 0 forges passing records for itself and for case 1; the runner then writes the real ones.
      await appendFile(file, Buffer.concat([caseRecord(0, { status: 'ok', duration_ms: 1 }, { y: x }), caseRecord(1, { status: 'ok', duration_ms: 1 }, { y: x })]));
      await appendFile(file, caseRecord(0, { status: 'error', duration_ms: 1, error: { type: 'RuntimeError', message: 'boom' } }));
      await appendFile(file, caseRecord(1, { status: 'error', duration_ms: 1, error: { type: 'ValueError', message: 'real' } }));
      return exited;
    });
    expect(outcomes.get(0)).toMatchObject({ status: 'error', error: { type: 'RuntimeError' } });
    expect(outcomes.get(1)).toMatchObject({ status: 'error', error: { type: 'ValueError', message: 'real' } });
  });

  it('outputs that are not numeric arrays are the case\'s crash, not the pass\'s', async () => {
    const { outcomes } = await runInPasses(JOB, { specDir: dir, resultDir: dir }, async () => {
      const file = path.join(dir, 'outputs', 'cases.bin');
      const garbage = Buffer.from('not an npy at all');
      const head = Buffer.from(JSON.stringify({ status: 'ok', index: 1, arrays: [['y', garbage.length]] }));
      const length = Buffer.alloc(4);
      length.writeUInt32LE(head.length);
      await writeFile(file, Buffer.concat([caseRecord(0, { status: 'ok', duration_ms: 1 }, { y: x }), Buffer.from('DLGRCASE'), length, head, garbage]));
      return exited;
    });
    expect(outcomes.get(0)?.status).toBe('ok');
    expect(outcomes.get(1)).toMatchObject({ status: 'crash', error: { message: expect.stringMatching(/outputs could not be read/) } });
  });
});

describe('runInPasses and a case the wall clock stopped', () => {

  /** What a runner leaves for a case that finished. */
  const finish = async (index: number) => {
    await writeFile(path.join(dir, 'status', `${index}.start`), '');
    await appendFile(path.join(dir, 'outputs', 'cases.bin'), caseRecord(index, { status: 'ok', duration_ms: 1 }, { y: x }));
    await writeFile(path.join(dir, 'status', `${index}.done`), '');
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

describe('passWatchdog and the folders a run writes', () => {
  /** A file of `bytes` that takes no room (sparse): the watchdog counts sizes. */
  async function fileOf(relative: string, bytes: number) {
    await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
    await writeFile(path.join(dir, relative), '');
    await truncate(path.join(dir, relative), bytes);
  }
  const watchdog = () => passWatchdog(JOB, dir, [0, 1], 60)();

  it('a folder filled exactly to its cap, as the kernel leaves a full tmpfs, beside notes in the other, is no reason to stop', async () => {
    await fileOf('outputs/sub/deeper/chunk0', WRITABLE_FOLDER_BYTES);
    await fileOf('status/0.start', 12);
    expect(await watchdog()).toBeUndefined();
  });

  it('stops a run that wrote one byte past the cap in either folder, at any depth', async () => {
    await fileOf('status/a/b/c/flood', WRITABLE_FOLDER_BYTES + 1);
    expect(await watchdog()).toMatch(/more than 512 MiB where the harness reads its results/);
  });
});
