import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareOutputFile, prepareOutputFolder } from './output-folder.js';

describe('prepareOutputFolder', () => {
  it('makes the folder and its missing parents', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-out-'));
    await prepareOutputFolder(path.join(root, 'a', 'b'), '--out');
    expect((await stat(path.join(root, 'a', 'b'))).isDirectory()).toBe(true);
  });

  it('names the file in the way, and the flag', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-out-'));
    await writeFile(path.join(root, 'grades'), 'x');
    await expect(prepareOutputFolder(path.join(root, 'grades'), '--out')).rejects.toThrow(/^--out .*grades: it is a file, not a folder$/);
    await expect(prepareOutputFolder(path.join(root, 'grades', 'hw1'), '-o')).rejects.toThrow(/^-o .*hw1: .*grades is a file, not a folder$/);
  });

  it('returns, with a reason, where a parent refuses new folders (Node\'s own recursive mkdir never returns under /proc)', { timeout: 10_000 }, async () => {
    await expect(prepareOutputFolder('/proc/dlgrade-out/results', '--out')).rejects.toThrow(/cannot write there/);
  });
});

describe('prepareOutputFile', () => {
  it('refuses a folder where the file should go, with an example of what to give', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-out-'));
    await expect(prepareOutputFile(root, '--junit', 'junit.xml')).rejects.toThrow(/^--junit .* is a folder: give the name of the file to write, e\.g\. .*\/junit\.xml$/);
  });

  it('makes the folder the file goes in', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-out-'));
    await prepareOutputFile(path.join(root, 'reports', 'junit.xml'), '--junit', 'junit.xml');
    expect((await stat(path.join(root, 'reports'))).isDirectory()).toBe(true);
  });
});
