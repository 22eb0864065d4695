// A folder with nothing to grade is exit 2 with a sentence, never "internal error" and a stack, never a run of zeros.
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dlgrade } from './cli.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-e2e-nosub-'));
  await mkdir(path.join(tmp, 'empty'));
  await mkdir(path.join(tmp, 'other', 'notes'), { recursive: true });
  await writeFile(path.join(tmp, 'other', 'readme.txt'), 'not a submission\n');
  await mkdir(path.join(tmp, 'class', '.git'), { recursive: true });
  await writeFile(path.join(tmp, 'class', 'roster.txt'), 'names\n');
});

describe('check and ci on a folder that holds no submission', () => {
  it.each([
    ['a missing folder', 'check', 'missing', /there is no submission folder .*missing: give the folder that holds your style_modules\.py/],
    ['an empty folder', 'check', 'empty', /the submission folder .*empty is empty: style-transfer needs style_modules\.py/],
    ['a folder without the submission file', 'check', 'other', /holds no submission for style-transfer: expected style_modules\.py, found notes, readme\.txt/],
    ['an empty folder (ci)', 'ci', 'empty', /is empty/],
  ])('%s: exit 2 with a sentence', async (_name, command, folder, message) => {
    const run = await dlgrade([command, 'style-transfer', '--submission', path.join(tmp, folder)]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it('an answers assignment too', async () => {
    const run = await dlgrade(['check', 'written', '--submission', path.join(tmp, 'other')]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/holds no submission for written: expected answers\.yaml/);
  });
});

describe('grade that finds no submission', () => {
  it('an empty folder is exit 2 and says so', async () => {
    const run = await dlgrade(['grade', 'written', path.join(tmp, 'empty'), '--out', path.join(tmp, 'out1'), '--no-progress']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/found no submission in .*empty: the folder is empty/);
  });

  it('lists the entries it skipped and why', async () => {
    const run = await dlgrade(['grade', 'written', path.join(tmp, 'class'), '--out', path.join(tmp, 'out2'), '--no-progress']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/\.git\/: hidden/);
    expect(run.stderr).toMatch(/roster\.txt: a file, not a sub-folder, \.zip/);
    expect(run.stderr).not.toMatch(/internal error/);
  });
});
