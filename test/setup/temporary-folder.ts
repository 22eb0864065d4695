// Every temporary folder the suite makes (tests, the CLIs they run, their sandboxes) goes under one folder per run,
// removed at the end, so a run leaves nothing in /tmp even when a test fails before its own clean-up.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mountsUnder } from '../../graders/runners/sandbox.js';

export default function setup(): () => Promise<void> {
  const previous = process.env.TMPDIR;
  const folder = mkdtempSync(path.join(os.tmpdir(), 'dlgrade-tests-'));
  // Sandboxed runs use other uids, which must be able to pass through to folders the tests hand them.
  chmodSync(folder, 0o755);
  process.env.TMPDIR = folder;
  return async () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    // A CLI a test killed on purpose (SIGKILL) leaves the tmpfs its sandbox mounted; the harness sweeps such folders
    // an hour later, the suite at once.
    for (const mount of await mountsUnder(folder)) spawnSync('umount', ['-l', mount]);
    rmSync(folder, { recursive: true, force: true });
  };
}
