// The pool says so and falls back to a fresh process per submission when a warm worker cannot be started.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { noSandbox } from './sandbox.js';
import { defaultPython } from './python-runner.js';
import { WarmPythonRunner } from './warm-python-runner.js';
import type { RunnerJob } from './runner.js';

/** A job of one case of a question with no steps, in an empty submission folder of its own. */
async function emptyJob(name: string, timeoutS: number, memoryMb: number): Promise<RunnerJob> {
  return {
    submissionDir: await mkdtemp(path.join(os.tmpdir(), `dlgrade-${name}-`)),
    questions: { q: { steps: [], inputs: {}, outputs: {}, timeout_s: timeoutS } },
    cases: [{ index: 0, question: 'q', case: 'c', inputs: {} }],
    memoryMb,
  };
}

describe('WarmPythonRunner', () => {
  it('falls back to a fresh process per submission, with one notice, when no worker can start', async () => {
    const notices: string[] = [];
    // An "interpreter" that exits at once: no worker ever becomes ready.
    const runner = new WarmPythonRunner({ python: '/bin/false', sandbox: noSandbox, workers: 2, startupTimeoutS: 20, notify: (l) => notices.push(l) });
    const job = await emptyJob('fallback', 1, 1024);
    const [a, b] = await Promise.all([runner.run(job), runner.run(job)]);
    expect(runner.mode).toBe('fresh');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^note: warm Python workers are not available \(.*\); starting a fresh Python process per submission instead$/);
    // The fresh process fails too here, and says how: the batch goes on.
    for (const outcome of [a, b]) expect(outcome.cases.get(0)?.status).toBe('crash');
    await runner.close();
  });

  it('starts no more workers than there are jobs: a lone job waits for the one warm() started', async () => {
    const runner = new WarmPythonRunner({ python: defaultPython(), sandbox: noSandbox, workers: 2 });
    const job = await emptyJob('demand', 5, 4096);
    try {
      runner.warm(job.memoryMb);
      expect((await runner.run(job)).runtime.worker).toBe('warm');
      expect(runner.workerCount).toBe(1);
      // Two at once: the second job gets a worker of its own.
      await Promise.all([runner.run(job), runner.run(job)]);
      expect(runner.workerCount).toBe(2);
    } finally {
      await runner.close();
    }
  });

  it('records the BLAS in use and forks from a worker with one thread (no BLAS or OpenMP pool before the fork)', async () => {
    const runner = new WarmPythonRunner({ python: defaultPython(), sandbox: noSandbox, workers: 1 });
    const job = await emptyJob('blas', 5, 4096);
    try {
      const outcome = await runner.run(job);
      expect(outcome.runtime.worker).toBe('warm');
      expect(outcome.runtime.worker_threads).toBe('1');
      expect(outcome.runtime.blas).toMatch(/^(OpenBLAS|MKL|BLIS|reference BLAS) \(\/.+\)$/);
    } finally {
      await runner.close();
    }
  });
});
