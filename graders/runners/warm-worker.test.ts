// The warm worker keeps submissions apart: what one child leaves (files, processes, IPC objects) is gone before the
// next, a child sees only its own job, and a child that crashes, hangs or kills the worker costs only its case.
import { mkdtemp, mkdir, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunnerJob } from './runner.js';
import { noSandbox, type Sandbox } from './sandbox.js';
import { probeSandbox } from './select-sandbox.js';
import { pythonRunnerScript } from './python-runner.js';
import { WarmWorker } from './warm-worker.js';
import { hugePageSupportHere } from './huge-pages.js';

const PYTHON = '/usr/bin/python3';
const hasTorch = existsSync(PYTHON);

/** A submission folder holding m.py with the given source. */
async function submission(root: string, name: string, source: string): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'm.py'), source);
  return dir;
}

/** A job calling m.<fn>(x) for each function, one case each, with a 2 s limit. */
function job(submissionDir: string, fns: string[]): RunnerJob {
  const questions = Object.fromEntries(
    fns.map((fn) => [fn, { steps: [{ call: `m.${fn}`, args: ['$x'], as: 'y' }], inputs: { x: 'tensor' }, outputs: { y: '$y' }, timeout_s: 2 }]),
  ) as RunnerJob['questions'];
  return {
    submissionDir,
    questions,
    cases: fns.map((fn, index) => ({ index, question: fn, case: 'only', inputs: { x: { dtype: 'float32' as const, shape: [3], data: new Float32Array([1, 2, 3]) } } })),
    memoryMb: 2048,
  };
}

// The first submission leaves everything it can behind: files in every writable place, a daemon in a new
// session, a System V segment and a POSIX message queue; and it notes its own job folder.
const LEAVES_TRACES = `
import os, subprocess, ctypes, glob, torch
def leave(x):
    for d in ("/tmp", "/dev/shm", os.getcwd(), os.path.expanduser("~")):
        try:
            open(os.path.join(d, "secret-of-a.txt"), "w").write("answers of a")
        except OSError:
            pass
    subprocess.Popen(["/bin/sh", "-c", "sleep 600"], start_new_session=True)
    libc = ctypes.CDLL(None)
    libc.shmget(0x5EC2E7, 4096, 0o1666)
    return x * 2
`;

// The second reports whatever of the first it can still find, and which job folders it can see.
const LOOKS_FOR_TRACES = `
import os, glob, ctypes, torch
def look(x):
    found = []
    for d in ("/tmp", "/dev/shm", os.getcwd(), os.path.expanduser("~")):
        if os.path.exists(os.path.join(d, "secret-of-a.txt")):
            found.append("file in " + d)
    me, parent = os.getpid(), os.getppid()
    for p in os.listdir("/proc"):
        if p.isdigit() and int(p) not in (1, me, parent):
            try:
                state = open(f"/proc/{p}/stat").read().rpartition(")")[2].split()[0]
            except OSError:
                continue
            if state != "Z":
                found.append("process " + open(f"/proc/{p}/cmdline").read().replace("\\0", " "))
    if ctypes.CDLL(None).shmget(0x5EC2E7, 0, 0) != -1:
        found.append("shared memory segment")
    for root in ("/job/inputs", "/job/status"):
        jobs = [j for j in os.listdir(root) if len(j) == 32]
        if len(jobs) != 1:
            found.append(f"{len(jobs)} job folders in {root}")
    for path in ("/work/main", "${path.resolve('fixtures')}", "${path.resolve('examples')}"):
        if os.path.exists(path):
            found.append("harness path " + path)
    if found:
        raise RuntimeError("; ".join(found))
    return x * 3
`;

// Walks the whole file system the sandbox shows (but /proc and /sys) and tries to write a note in every folder; the
// next submission looks for a note everywhere.
const WALK_EVERYWHERE = `
import os
NOTE = "dlgrade-note-everywhere"
def folders():
    for root, dirs, files in os.walk("/"):
        dirs[:] = [d for d in dirs if os.path.join(root, d) not in ("/proc", "/sys")]
        yield root, files
def leave(x):
    left = []
    for folder, files in folders():
        try:
            with open(os.path.join(folder, NOTE), "w") as f:
                f.write("from the first submission")
            left.append(folder)
        except OSError:
            pass
    print("wrote in " + " ".join(left))
    return x * 2
def look(x):
    found = [os.path.join(folder, NOTE) for folder, files in folders() if NOTE in files]
    print("found " + " ".join(found))
    return x * 3
`;

const MISBEHAVES = `
import os, signal, ctypes, time, torch
def fine(x):
    return x + 1
def segfault(x):
    ctypes.string_at(0)
def hang_in_c(x):
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    while True:
        pass
def slow(x):
    time.sleep(1.5)
    return x
def kill_worker(x):
    for sig in (signal.SIGSTOP, signal.SIGSEGV, signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        os.kill(os.getppid(), sig)
    try:
        os.kill(-1, signal.SIGKILL)  # everything but init and itself: nothing here
    except ProcessLookupError:
        pass
    time.sleep(0.5)
    return x
`;

// Changes its input in place; the worker hands a child its preloaded inputs copy-on-write, not copied.
const CHANGES_INPUTS = `
def grow(x):
    x.mul_(10)
    return x
def look(x):
    return x.clone()
`;

// A case that leaves a daemon (new session, double fork), one that leaves a thread which starts one a moment later,
// and a case that fails if anything but the runner and the worker is alive in the sandbox's pid namespace.
const LEAVES_PROCESSES = `
import os, threading, time
def _daemon():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(600)
        os._exit(0)
    os.wait()
def leave(x):
    _daemon()
    return x
def leave_later(x):
    threading.Thread(target=lambda: (time.sleep(0.3), _daemon()), daemon=True).start()
    return x
def wait(x):
    time.sleep(0.6)
    return x
def alone(x):
    me = os.getpid()
    alive = []
    for p in os.listdir("/proc"):
        if p.isdigit() and int(p) not in (1, me, os.getppid()):
            try:
                if open(f"/proc/{p}/stat").read().rpartition(")")[2].split()[0] != "Z":
                    alive.append(open(f"/proc/{p}/cmdline").read().replace("\\0", " "))
            except OSError:
                pass
    if alive:
        raise RuntimeError("still running: " + "; ".join(alive))
    return x
`;

describe.skipIf(!hasTorch)('warm worker', () => {
  let root: string;
  let sandbox: Sandbox;
  let worker: WarmWorker;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-warm-test-'));
    const probe = await probeSandbox(PYTHON);
    sandbox = probe.ok ? probe.sandbox : noSandbox;
    worker = await WarmWorker.start({ python: PYTHON, sandbox, runnerDir: path.dirname(pythonRunnerScript()), memoryMb: 2048, startupTimeoutS: 120 });
  });
  afterAll(async () => {
    await worker?.close();
  });

  it.runIf(process.platform === 'linux')('a child sees nothing of the submission the worker served before it', async () => {
    if (sandbox.name !== 'bwrap') return; // isolation is the sandbox's promise; without one there is none to test
    const a = await worker.runJob(job(await submission(root, 'a', LEAVES_TRACES), ['leave']));
    expect(a.outcomes.get(0)?.status, JSON.stringify(a.outcomes.get(0)?.error)).toBe('ok');
    const b = await worker.runJob(job(await submission(root, 'b', LOOKS_FOR_TRACES), ['look']));
    const outcome = b.outcomes.get(0)!;
    expect(outcome.error?.message ?? '').toBe('');
    expect(outcome.status).toBe('ok');
    expect(Array.from(outcome.outputs.get('y')!.data as Float32Array)).toEqual([3, 6, 9]);
    expect(worker.launches).toBe(1);
  });

  it.runIf(process.platform === 'linux')('every folder a submission can write is empty for the next one (walked, not listed)', async () => {
    if (sandbox.name !== 'bwrap') return;
    const slowJob = (dir: string, fn: string) => {
      const j = job(dir, [fn]);
      for (const q of Object.values(j.questions)) q.timeout_s = 60;
      return j;
    };
    const a = await worker.runJob(slowJob(await submission(root, 'walk-a', WALK_EVERYWHERE), 'leave'));
    expect(a.outcomes.get(0)?.status, JSON.stringify(a.outcomes.get(0)?.error)).toBe('ok');
    const wrote = (a.outcomes.get(0)?.stdout ?? '').replace(/^wrote in /, '').trim().split(' ');
    // The scratch folders and the job's own result folders, and nothing of the harness's.
    for (const place of ['/tmp', '/dev/shm', '/work']) expect(wrote).toContain(place);
    expect(wrote.filter((d) => d.startsWith('/job/')).every((d) => /^\/job\/status\/[0-9a-f]{32}\/(outputs|status)$/.test(d)), wrote.join(' ')).toBe(true);
    const b = await worker.runJob(slowJob(await submission(root, 'walk-b', WALK_EVERYWHERE), 'look'));
    expect(b.outcomes.get(0)?.status, JSON.stringify(b.outcomes.get(0)?.error)).toBe('ok');
    expect(b.outcomes.get(0)?.stdout?.trim()).toBe('found');
  });

  it.runIf(process.platform === 'linux')('the detector works: inside one submission the traces are still there', async () => {
    if (sandbox.name !== 'bwrap') return;
    const both = LEAVES_TRACES + LOOKS_FOR_TRACES.replace(/^import .*$/m, '');
    const result = await worker.runJob(job(await submission(root, 'ab', both), ['leave', 'look']));
    expect(result.outcomes.get(0)?.status).toBe('ok');
    expect(result.outcomes.get(1)?.error?.message).toMatch(/file in \/tmp.*shared memory segment/);
  });

  it('a call that changes its inputs in place changes them for no other call: not a later case, not the next submission', async () => {
    // Every case reads the same stored inputs (one shared file, preloaded once by the worker).
    const shared = { x: { dtype: 'float32' as const, shape: [3], data: new Float32Array([1, 2, 3]) } };
    const sameInputs = (dir: string, fns: string[]): RunnerJob => ({ ...job(dir, fns), cases: fns.map((fn, index) => ({ index, question: fn, case: 'only', inputs: shared })) });
    const a = await worker.runJob(sameInputs(await submission(root, 'grows', CHANGES_INPUTS), ['grow', 'look', 'grow', 'look']));
    const seen = (r: typeof a, i: number) => Array.from(r.outcomes.get(i)?.outputs.get('y')?.data as Float32Array);
    expect([0, 1, 2, 3].map((i) => seen(a, i))).toEqual([[10, 20, 30], [1, 2, 3], [10, 20, 30], [1, 2, 3]]);
    const b = await worker.runJob(sameInputs(await submission(root, 'looks', CHANGES_INPUTS), ['look']));
    expect(seen(b, 0)).toEqual([1, 2, 3]);
  });

  it('what a case starts is gone before the next case of the same submission runs', async () => {
    if (sandbox.name !== 'bwrap') return; // the runner sweeps only in the sandbox's own pid namespace
    const fns = ['leave', 'alone', 'alone', 'leave_later', 'wait', 'alone'];
    const result = await worker.runJob(job(await submission(root, 'leaves-processes', LEAVES_PROCESSES), fns));
    for (const [i, fn] of fns.entries()) expect(result.outcomes.get(i)?.status, `${fn}: ${result.outcomes.get(i)?.error?.message}`).toBe('ok');
  });

  it('once it has forked a few times, the worker forks with its memory on 2 MiB pages where the kernel allows', async () => {
    const dir = await submission(root, 'plain', MISBEHAVES);
    for (let i = 0; i < 4; i++) expect((await worker.runJob(job(dir, ['fine']))).outcomes.get(0)?.status).toBe('ok');
    if (hugePageSupportHere().collapsible) expect(worker.hugePagesMib).toBeGreaterThan(16);
    else expect(worker.hugePagesMib).toBe(0);
  });

  it('a child that crashes or hangs costs only its case, and the worker serves on', async () => {
    const result = await worker.runJob(job(await submission(root, 'c', MISBEHAVES), ['segfault', 'hang_in_c', 'fine']));
    expect(result.outcomes.get(0)?.status).toBe('crash');
    expect(result.outcomes.get(0)?.error?.message).toMatch(/SIGSEGV|segmentation/i);
    expect(result.outcomes.get(1)?.status).toBe('timeout');
    expect(result.outcomes.get(2)?.status).toBe('ok');
    expect(worker.launches).toBe(1);
    const next = await worker.runJob(job(await submission(root, 'd', MISBEHAVES), ['fine']));
    expect(next.outcomes.get(0)?.status).toBe('ok');
    expect(worker.launches).toBe(1);
  });

  it('a child that signals the worker (STOP, SEGV, INT, TERM, KILL, kill(-1)) cannot take it down', async () => {
    if (sandbox.name !== 'bwrap') return; // outside the sandbox the worker is an ordinary process of the same user
    const result = await worker.runJob(job(await submission(root, 'e', MISBEHAVES), ['kill_worker', 'fine']));
    expect(result.outcomes.get(0)?.status, JSON.stringify(result.outcomes.get(0)?.error)).toBe('ok');
    expect(result.outcomes.get(1)?.status).toBe('ok');
    expect(worker.launches).toBe(1);
  });

  it('a worker that dies mid-job (here: killed from outside) is started again and the job finishes', async () => {
    const running = worker.runJob(job(await submission(root, 'g', MISBEHAVES), ['slow', 'fine']));
    // Once the slow case has started (its start marker is in the job's status folder), the worker is killed.
    const internals = worker as unknown as { root: string; process: { kill(reason: string): void } };
    const statusRoot = path.join(internals.root, 'slot', 'status');
    const started = async () => (await readdir(statusRoot).catch(() => [] as string[])).some((id) => existsSync(path.join(statusRoot, id, 'status', '0.start')));
    while (!(await started())) await new Promise((r) => setTimeout(r, 20));
    internals.process.kill('killed by the test');
    const result = await running;
    // The interrupted case is either blamed (a crash) or, as the pass loop does for a death that may not be
    // its fault, run again alone; the other case runs on the new worker either way.
    expect(['ok', 'crash']).toContain(result.outcomes.get(0)?.status);
    expect(result.outcomes.get(1)?.status).toBe('ok');
    expect(worker.launches).toBe(2);
  });
});
