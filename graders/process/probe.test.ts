import { describe, expect, it } from 'vitest';
import { ProbeFailed, describeProbeFailure, probe, probeStdout } from './probe.js';

describe('probe', () => {
  it.each([
    ['a command that succeeds', '/bin/sh', ['-c', 'echo out; echo err >&2'], { kind: 'ok', stdout: 'out\n', stderr: 'err\n' }],
    ['a non-zero exit', '/bin/sh', ['-c', 'echo no >&2; exit 3'], { kind: 'exited', exitCode: 3, stdout: '', stderr: 'no\n' }],
    ['a process killed by a signal', '/bin/sh', ['-c', 'kill -9 $$'], { kind: 'exited', signal: 'SIGKILL', stdout: '', stderr: '' }],
    ['a file that does not exist', '/nonexistent/tool', [], { kind: 'not-found', code: 'ENOENT' }],
    ['a file that is not executable', '/etc/passwd', [], { kind: 'not-found', code: 'EACCES' }],
    ['a command that outlives its timeout', '/bin/sh', ['-c', 'exec sleep 5'], { kind: 'timed-out', timeoutMs: 200, stderr: '' }],
  ])('types %s', async (_name, file, args, expected) => {
    expect(await probe(file, args, { timeoutMs: expected.kind === 'timed-out' ? 200 : 10_000 })).toEqual(expected);
  });

  it('hands the process a minimal environment of its own, never the harness\'s', async () => {
    process.env.DLGRADE_PROBE_SECRET = 'leak';
    try {
      const outcome = await probe('/usr/bin/env', [], { timeoutMs: 10_000 });
      expect(outcome).toEqual({ kind: 'ok', stdout: 'PATH=/usr/bin:/bin\n', stderr: '' });
      expect(await probe('/usr/bin/env', [], { timeoutMs: 10_000, env: { A: '1' } })).toMatchObject({ stdout: 'A=1\n' });
    } finally {
      delete process.env.DLGRADE_PROBE_SECRET;
    }
  });

  it('keeps at most the output cap', async () => {
    const outcome = await probe('/bin/sh', ['-c', 'head -c 100000 /dev/zero | tr "\\0" x'], { timeoutMs: 10_000, outputCapBytes: 1000 });
    expect(outcome.kind).toBe('exited');
    expect(outcome.kind === 'exited' && outcome.stdout.length).toBeLessThanOrEqual(1000);
  });

  it('probeStdout gives the output, or throws with the typed outcome and words for it', async () => {
    expect(await probeStdout('/bin/echo', ['hi'], { timeoutMs: 10_000 })).toBe('hi\n');
    const error = await probeStdout('/bin/sh', ['-c', 'echo "bad things" >&2; exit 2'], { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProbeFailed);
    expect((error as ProbeFailed).outcome).toMatchObject({ kind: 'exited', exitCode: 2 });
    expect((error as ProbeFailed).message).toBe('/bin/sh exited with code 2: bad things');
    expect((error as ProbeFailed).stderr).toBe('bad things\n');
    expect(describeProbeFailure({ kind: 'timed-out', timeoutMs: 10_000, stderr: '' })).toBe('timed out after 10 s');
    expect(describeProbeFailure({ kind: 'not-found', code: 'ENOENT' })).toBe('could not be started (ENOENT)');
  });
});
