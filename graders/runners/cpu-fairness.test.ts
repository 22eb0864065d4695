// CPU between sandboxes: a submission that starts many spinning processes, each in a session of its own, does not
// starve a correct submission graded at the same time, and a submission that turns off its own CPU alarm is
// stopped all the same (the harness measures its CPU time from outside; the kernel's RLIMIT_CPU bounds it).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunnerJob } from './runner.js';
import { probeBwrap } from './bwrap-sandbox.js';
import { PythonRunner } from './python-runner.js';

const PYTHON = process.env.DLGRADE_PYTHON ?? '/usr/bin/python3';
const probe = await probeBwrap(PYTHON);

const SPINNERS = `
import os, torch
def run(x):
    for _ in range(24):
        if os.fork() == 0:
            os.setsid()
            while True:
                pass
    while True:
        pass
`;

// About half a second of CPU time, on a one-second limit.
const COMPUTES = `
import time, torch
def run(x):
    started = time.process_time()
    while time.process_time() - started < 0.5:
        pass
    return x * 2
`;

const ALARM_OFF = `
import signal, time, torch
def run(x):
    signal.setitimer(signal.ITIMER_PROF, 0)
    signal.signal(signal.SIGPROF, signal.SIG_IGN)
    signal.signal(signal.SIGXCPU, signal.SIG_IGN)
    started = time.process_time()
    while time.process_time() - started < 12:
        pass
    return x * 2
`;

function job(submissionDir: string, timeoutS: number, cases = 1): RunnerJob {
  return {
    submissionDir,
    questions: { q: { steps: [{ call: 'm.run', args: ['$x'], as: 'y' }], inputs: { x: 'tensor' }, outputs: { y: '$y' }, timeout_s: timeoutS } },
    cases: Array.from({ length: cases }, (_, index) => ({ index, question: 'q', case: `c${index}`, inputs: { x: { dtype: 'float32' as const, shape: [2], data: new Float32Array([1, 2]) } } })),
    memoryMb: 2048,
  } as RunnerJob;
}

describe.skipIf(!probe.ok)('CPU time between sandboxes', () => {
  let root: string;
  const submission = async (name: string, source: string) => {
    const dir = path.join(root, name);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'm.py'), source);
    return dir;
  };
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-cpu-test-'));
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('24 spinners in sessions of their own do not cost a correct neighbour its cases', async () => {
    if (!probe.ok) return;
    const runner = new PythonRunner({ python: PYTHON, sandbox: probe.sandbox });
    const [spinner, correct] = await Promise.all([runner.run(job(await submission('spin', SPINNERS), 5)), runner.run(job(await submission('ok', COMPUTES), 1, 3))]);
    expect(spinner.cases.get(0)?.status).toBe('timeout');
    for (const i of [0, 1, 2]) expect(correct.cases.get(i)?.status, JSON.stringify(correct.cases.get(i)?.error)).toBe('ok');
  }, 300_000);

  it('turning off the CPU alarm does not buy more CPU time: stopped near its 2 s limit, not after 12 s', async () => {
    if (!probe.ok) return;
    const runner = new PythonRunner({ python: PYTHON, sandbox: probe.sandbox });
    const result = await runner.run(job(await submission('alarm-off', ALARM_OFF), 2));
    const outcome = result.cases.get(0)!;
    expect(outcome.status).toBe('timeout');
    expect(outcome.error?.message).toMatch(/within 2 s of CPU time/);
  }, 300_000);
});
