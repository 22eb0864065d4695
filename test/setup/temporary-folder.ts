// Every temporary folder the suite makes (tests, the CLIs they run, their sandboxes) goes under one folder per run,
// removed at the end, so a run leaves nothing in /tmp even when a test fails before its own clean-up.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const folder = mkdtempSync(path.join(os.tmpdir(), 'dlgrade-tests-'));
  // Sandboxed runs use other uids, which must be able to pass through to folders the tests hand them.
  chmodSync(folder, 0o755);
  process.env.TMPDIR = folder;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(folder, { recursive: true, force: true });
  };
}
