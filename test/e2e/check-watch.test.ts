// `dlgrade check --watch` end to end: the real CLI watches a submission folder, and each save that changes it is
// checked again and reported as what changed; a save that changes nothing is not; Ctrl-C ends it cleanly.
import { copyFile, cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { BIN, ROOT } from './cli.js';
import { leftoverProcesses } from './processes.js';

const EXAMPLES = path.join(ROOT, 'examples', 'style-transfer');
const FILE = 'style_modules.py';

let dir: string;
let child: ResultPromise;
let stdout = '';
let stderr = '';

/** Waits until `test` holds on the output so far, or fails with what was printed. */
async function until(test: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const runs = (text: string) => (text.match(/checked in \d+ ms/g) ?? []).length;

beforeAll(async () => {
  dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'dlgrade-watch-')), 'alice');
  await cp(path.join(EXAMPLES, 'tv-abs'), dir, { recursive: true });
  child = execa(process.execPath, [BIN, 'check', 'style-transfer', '--submission', dir, '--watch'], { cwd: ROOT, env: { NO_COLOR: '1' }, reject: false });
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await until(() => stderr.includes('for changes (Ctrl-C to stop)'), 'the first check', 120_000);
}, 130_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
});

describe('dlgrade check --watch', () => {
  it('prints the full report once, then watches', () => {
    expect(stdout).toMatch(/tv_loss\s+FAIL\s+0\/1/);
    expect(stdout).toMatch(/Total: 3\/4/);
    expect(runs(stdout)).toBe(1);
  });

  it('re-checks a save that fixes a question and prints only that question and the total', async () => {
    const mark = stdout.length;
    await copyFile(path.join(EXAMPLES, 'correct', FILE), path.join(dir, FILE));
    await until(() => stdout.slice(mark).includes('Total: 3/4 → 4/4'), 'the re-check after the fix');
    const block = stdout.slice(mark);
    expect(block).toMatch(/tv_loss: FAIL 0\/1 → PASS 1\/1/);
    expect(block).toMatch(/✓ passes now: small, image-192, course/);
    expect(block).not.toMatch(/content_loss|gram_matrix|style_loss/);
    expect(runs(block)).toBe(1);
  });

  it('does not re-check a save that leaves the file as it was', async () => {
    const mark = stdout.length;
    await writeFile(path.join(dir, FILE), await readFile(path.join(dir, FILE)));
    await new Promise((r) => setTimeout(r, 1500));
    expect(stdout.slice(mark)).toBe('');
  });

  it('reports a save that breaks another question, with its diagnosis, and nothing about the rest', async () => {
    const mark = stdout.length;
    await copyFile(path.join(EXAMPLES, 'content-no-weight', FILE), path.join(dir, FILE));
    await until(() => stdout.slice(mark).includes('Total: 4/4 → 3/4'), 'the re-check after the break');
    const block = stdout.slice(mark);
    expect(block).toMatch(/content_loss: PASS 1\/1 → FAIL 0\/1/);
    for (const c of ['small', 'squeezenet-layer3', 'course']) expect(block).toMatch(new RegExp(`✗ ${c}: Your loss equals .* without the content weight`));
    expect(block).not.toMatch(/tv_loss|gram_matrix|style_loss/);
  });

  it('stops on Ctrl-C with exit code 0 and leaves no process behind', async () => {
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode, stderr).toBe(0);
    expect(await leftoverProcesses({ cmdline: [dir] })).toEqual([]);
  });
});
