// End to end: `dlgrade doctor` names the interpreter and where NumPy and PyTorch come from, each isolation mechanism
// in force, and for an interpreter the sandbox's uid cannot reach, says so rather than blaming user namespaces.
import { chmod, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlgrade } from './cli.js';

const PYTHON = '/usr/bin/python3';

describe('dlgrade doctor', () => {
  let work: string;
  let plain: Awaited<ReturnType<typeof dlgrade>>;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-doctor-'));
    plain = await dlgrade(['doctor', '--python', PYTHON], { timeoutMs: 300_000 });
  }, 320_000);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('names the interpreter, where NumPy and PyTorch were found, the BLAS, and every isolation mechanism', () => {
    const out = String(plain.stdout);
    expect(out).toMatch(/python\s+\/usr\/bin\/python3 \(Python 3\./);
    expect(out).toMatch(/numpy\s+\S+ from \/\S+numpy/);
    expect(out).toMatch(/torch\s+\S+ from \/\S+torch/);
    expect(out).toMatch(/blas\s+/);
    expect(out).toMatch(/huge pages\s+(warm workers move their memory to 2 MiB pages|.*warm workers fork with 4 KiB pages)/);
    for (const topic of ['sandbox', 'uid per slot', 'cgroups', 'write limit', 'cpu limit', 'seccomp']) expect(out).toContain(topic);
  });

  it.runIf(process.getuid?.() === 0)('as root, an interpreter under a folder other users cannot enter is explained as such', async () => {
    // As /root/.pyenv is: a folder only its owner may enter, in one everybody may.
    await chmod(work, 0o755);
    const hidden = path.join(work, 'private');
    await mkdir(hidden);
    await chmod(hidden, 0o700);
    await symlink(PYTHON, path.join(hidden, 'python3'));
    const run = await dlgrade(['doctor', '--python', path.join(hidden, 'python3')], { timeoutMs: 300_000 });
    expect(run.exitCode).toBe(1);
    expect(String(run.stdout)).toContain(`lies under ${hidden}, which other users cannot enter`);
    expect(String(run.stdout)).not.toMatch(/user namespaces/);
  }, 320_000);
});
