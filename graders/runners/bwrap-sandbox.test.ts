// The bubblewrap sandbox on its own: what a sandboxed process sees and may do, slots, and the job folder.
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SANDBOX_LIMITS, SLOT_UID_BASE, probeBwrap, processesOfUid } from './bwrap-sandbox.js';
import type { SandboxSession } from './sandbox.js';

// Slots are locked machine-wide; the CLI runs of other test files take uids from the default range at the
// same time. A range of this file's own keeps "which uid comes next" this file's business.
vi.hoisted(() => {
  process.env.DLGRADE_SANDBOX_UID_BASE = '61400';
});

const PYTHON = process.env.DLGRADE_PYTHON ?? '/usr/bin/python3';
const probe = await probeBwrap(PYTHON);
const asRoot = process.getuid?.() === 0;

describe.skipIf(!probe.ok)('bubblewrap sandbox', () => {
  let work: string;
  let submission: string;
  const sessions: SandboxSession[] = [];

  /** A job folder as a runner writes it, and a session on it. */
  async function open(memoryMb = 2048): Promise<{ session: SandboxSession; jobDir: string }> {
    if (!probe.ok) throw new Error('unreachable');
    const jobDir = await mkdtemp(path.join(await probe.sandbox.jobsDir(), 'dlgrade-job-test-'));
    for (const d of ['inputs', 'outputs', 'status']) await mkdir(path.join(jobDir, d));
    await writeFile(path.join(jobDir, 'inputs', '0.npz'), 'inputs');
    await writeFile(path.join(jobDir, 'job.json'), '{}');
    await chmod(path.join(jobDir, 'job.json'), 0o644);
    const session = await probe.sandbox.open({ jobDir, submissionDir: submission, runnerDir: path.join(import.meta.dirname, 'python'), interpreter: PYTHON, memoryMb });
    sessions.push(session);
    return { session, jobDir };
  }

  /** Runs Python code in the session; its stdout, stderr and exit code. */
  async function py(session: SandboxSession, code: string) {
    const c = session.wrap(PYTHON, ['-I', '-S', '-c', code]);
    return execa(c.file, c.args, { env: c.env, cwd: c.cwd, extendEnv: false, reject: false, timeout: 30_000 });
  }

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-bwrap-test-'));
    submission = path.join(work, 'submission');
    await mkdir(path.join(submission, 'pkg'), { recursive: true });
    await writeFile(path.join(submission, 'style_modules.py'), 'x = 1\n');
    await writeFile(path.join(submission, 'pkg', 'helper.py'), 'y = 2\n');
    await writeFile(path.join(submission, 'secret.txt'), 'root only\n');
    await chmod(path.join(submission, 'secret.txt'), 0o600);
    await symlink('/etc/passwd', path.join(submission, 'passwd-link'));
  });

  afterAll(async () => {
    for (const s of sessions) await s.close();
    await rm(work, { recursive: true, force: true });
  });

  it('exposes the submission (plain files only), the inputs and the runner read-only, and outputs/ and status/ writable', async () => {
    const { session } = await open();
    const run = await py(
      session,
      `
import os, json
def can_write(p):
    try:
        open(p, "w").close(); return True
    except OSError:
        return False
print(json.dumps({
  "root": sorted(os.listdir("/")),
  "submission": sorted(os.listdir("/submission")),
  "helper": open("/submission/pkg/helper.py").read(),
  "job": sorted(os.listdir("/job")),
  "runner": "dlgrade_runner.py" in os.listdir("/dlgrade"),
  "write": {p: can_write(p) for p in ["/submission/x", "/job/inputs/x", "/job/job.json", "/dlgrade/x", "/usr/x", "/x", "/job/outputs/x", "/job/status/x", "/tmp/x", "/dev/shm/x", "/work/x"]},
  "cwd": os.getcwd(), "home": os.environ["HOME"],
}))`,
    );
    expect(run.exitCode, String(run.stderr)).toBe(0);
    const seen = JSON.parse(String(run.stdout));
    expect(seen.submission).toEqual(['pkg', 'secret.txt', 'style_modules.py']);
    expect(seen.helper).toBe('y = 2\n');
    expect(seen.job).toEqual(['inputs', 'job.json', 'outputs', 'status']);
    expect(seen.runner).toBe(true);
    expect(seen.root).not.toContain('root');
    expect(seen.root).not.toContain('home');
    expect(seen.write).toEqual({
      '/submission/x': false,
      '/job/inputs/x': false,
      '/job/job.json': false,
      '/dlgrade/x': false,
      '/usr/x': false,
      '/x': false,
      '/job/outputs/x': true,
      '/job/status/x': true,
      '/tmp/x': true,
      '/dev/shm/x': true,
      '/work/x': true,
    });
    expect(seen.cwd).toBe('/work');
    expect(seen.home).toBe('/work');
  });

  it.skipIf(!asRoot)('under root: an unprivileged uid that cannot read a root-only file of the submission or become root', async () => {
    const { session } = await open();
    const run = await py(
      session,
      `
import os
try:
    open("/submission/secret.txt").read(); print("read")
except PermissionError:
    print("denied")
try:
    os.setuid(0); print("root")
except OSError:  # EINVAL: uid 0 does not even exist in the sandbox's user namespace
    print("no root")
print(os.getuid())`,
    );
    const [secret, root, uid] = String(run.stdout).trim().split('\n');
    expect(secret).toBe('denied');
    expect(root).toBe('no root');
    expect(Number(uid)).toBeGreaterThanOrEqual(SLOT_UID_BASE);
  });

  it.skipIf(!asRoot)('gives sessions open at the same time different uids, and frees a uid when its session ends', async () => {
    const uidOf = async (s: SandboxSession) => Number(String((await py(s, 'import os; print(os.getuid())')).stdout).trim());
    const a = await open();
    const b = await open();
    const [ua, ub] = [await uidOf(a.session), await uidOf(b.session)];
    expect(ua).not.toBe(ub);
    await a.session.close();
    sessions.splice(sessions.indexOf(a.session), 1);
    const c = await open();
    expect(await uidOf(c.session)).toBe(ua);
  });

  it('sets the resource limits', async () => {
    const { session } = await open(3000);
    const run = await py(session, 'import resource as r; print(*(r.getrlimit(x)[0] for x in (r.RLIMIT_AS, r.RLIMIT_FSIZE, r.RLIMIT_NOFILE, r.RLIMIT_CORE, r.RLIMIT_NPROC)))');
    expect(String(run.stdout).trim().split(' ').map(Number)).toEqual([3000 * 1024 * 1024, SANDBOX_LIMITS.fileSizeBytes, SANDBOX_LIMITS.openFiles, 0, SANDBOX_LIMITS.processes]);
    const small = await open(100);
    const floor = await py(small.session, 'import resource as r; print(r.getrlimit(r.RLIMIT_AS)[0])');
    expect(Number(String(floor.stdout).trim())).toBe(SANDBOX_LIMITS.minMemoryMb * 1024 * 1024);
  });

  it('has no network but a loopback, and a cleared environment', async () => {
    const { session } = await open();
    const run = await py(
      session,
      `
import os, socket
try:
    socket.create_connection(("1.1.1.1", 80), timeout=2); print("online")
except OSError:
    print("offline")
print(sorted(os.environ))`,
    );
    const [net, env] = String(run.stdout).trim().split('\n');
    expect(net).toBe('offline');
    expect(env).not.toMatch(/VITEST|NODE|npm_/);
  });

  it.skipIf(!asRoot)('sweep() kills what a session left running', async () => {
    const { session } = await open();
    const c = session.wrap(PYTHON, ['-I', '-S', '-c', 'import time; time.sleep(60)']);
    const child = execa(c.file, c.args, { env: c.env, cwd: c.cwd, extendEnv: false, reject: false });
    const uid = await (async () => {
      for (let i = 0; i < 100; i++) {
        for (let u = SLOT_UID_BASE; u < SLOT_UID_BASE + 64; u++) {
          const pids = await processesOfUid(u);
          for (const pid of pids) if ((await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).includes('time.sleep(60)')) return u;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      return undefined;
    })();
    expect(uid).toBeDefined();
    await session.sweep();
    const result = await child;
    expect(result.exitCode ?? result.signal).toBeTruthy();
    const left = [];
    for (const pid of await processesOfUid(uid!)) if ((await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).includes('time.sleep(60)')) left.push(pid);
    expect(left).toEqual([]);
  });
});
