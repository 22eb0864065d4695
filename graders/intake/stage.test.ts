import { mkdir, mkdtemp, readdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IntakeSubmission } from './layouts.js';
import { stageSubmission, stagingParent } from './stage.js';
import { buildZip } from './zip-builder.js';

async function folder(files: Record<string, string | Buffer>): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-stagetest-'));
  for (const [name, data] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), data);
  }
  return root;
}

const sub = (sources: IntakeSubmission['sources']): IntakeSubmission => ({ student: 's', original: 's', format: 'folder', path: sources[0].path, sources, notes: [] });

// Other test files stage submissions at the same time; a TMPDIR of this file's own keeps their folders out of the
// leftover counts below (stagingParent() uses TMPDIR when it is set).
beforeAll(async () => {
  process.env.TMPDIR = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-stagetest-own-'));
});

async function leftovers(): Promise<string[]> {
  return (await readdir(stagingParent())).filter((n) => n.startsWith('dlgrade-sub-'));
}

describe('staging a submission', () => {
  it('grades the one sub-folder that holds the module, and takes an LMS rename when it is the only candidate', async () => {
    const dir = await folder({ 'hw3/style_modules (1).py': 'x = 1\n', 'hw3/helpers.py': '', 'README.md': '' });
    const staged = await stageSubmission(sub([{ path: dir, kind: 'dir' }]), ['style_modules.py']);
    try {
      expect(path.relative(staged.root, staged.dir)).toBe('hw3');
      expect(staged.files).toEqual(['helpers.py', 'style_modules.py']);
      expect(staged.renames).toEqual([{ from: 'hw3/style_modules (1).py', to: 'hw3/style_modules.py' }]);
      expect(staged.notes).toEqual(['graded the files under hw3/', 'took hw3/style_modules (1).py as style_modules.py']);
    } finally {
      await staged.cleanup();
    }
  });

  it('takes none of several candidates, and says so', async () => {
    const dir = await folder({ 'style_modules-1.py': '', 'style_modules-2.py': '' });
    const staged = await stageSubmission(sub([{ path: dir, kind: 'dir' }]), ['style_modules.py']);
    await staged.cleanup();
    expect(staged.notes[0]).toMatch(/style_modules\.py is missing and 2 files could be it/);
  });

  it('finds the notebook handed in for a module, or the only notebook', async () => {
    const named = await stageSubmission(sub([{ path: await folder({ 'style_modules.ipynb': '{}' }), kind: 'dir' }]), ['style_modules.py']);
    const only = await stageSubmission(sub([{ path: await folder({ 'HW3 final.ipynb': '{}' }), kind: 'dir' }]), ['style_modules.py']);
    await Promise.all([named.cleanup(), only.cleanup()]);
    expect(named.notebooks).toEqual([{ module: 'style_modules.py', notebook: 'style_modules.ipynb' }]);
    expect(only.notebooks).toEqual([{ module: 'style_modules.py', notebook: 'HW3 final.ipynb' }]);
  });

  it('leaves out links, hidden files and clutter, and unpacks a zip a Moodle folder holds', async () => {
    const dir = await folder({ 'hw3.zip': buildZip([{ name: 'hw3/style_modules.py', data: 'x = 1\n' }, { name: '__MACOSX/hw3/._style_modules.py', data: '' }]), '.git/config': '' });
    await symlink('/etc/passwd', path.join(dir, 'passwd'));
    const staged = await stageSubmission(sub([{ path: dir, kind: 'dir' }]), ['style_modules.py']);
    await staged.cleanup();
    expect(staged.files).toEqual(['style_modules.py']);
    expect(staged.notes).toContain('left out passwd: a symbolic link inside a submission is not followed');
    expect(staged.notes).toContain('unpacked hw3.zip');
  });

  it('refuses a file over the size cap by name, without reading it, and leaves no folder behind', async () => {
    const dir = await folder({ 'style_modules.py': 'x = 1\n', 'data/weights.bin': '' });
    // Sparse: 3 GiB on paper, nothing on disk.
    await truncate(path.join(dir, 'data/weights.bin'), 3 * 1024 ** 3);
    const before = await leftovers();
    const error = await stageSubmission(sub([{ path: dir, kind: 'dir' }]), ['style_modules.py']).catch((e: Error) => e);
    expect((error as Error).message).toBe('data/weights.bin is 3 GiB; a submission may hold at most 200 MiB in all');
    expect(await leftovers()).toEqual(before);
  });

  it('leaves no temporary folder when a zip cannot be unpacked', async () => {
    const dir = await folder({ 'hw.zip': buildZip([{ name: 'a.py', data: 'x' }, { name: '../evil.py', data: 'y' }]) });
    const before = await leftovers();
    const error = await stageSubmission(sub([{ path: path.join(dir, 'hw.zip'), kind: 'zip' }]), ['style_modules.py']).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^hw\.zip: the member "\.\.\/evil\.py" has a "\.\." segment/);
    expect(await leftovers()).toEqual(before);
  });

  it('hashes names and bytes: the same content gives the same hash from a folder and a zip', async () => {
    const a = await stageSubmission(sub([{ path: await folder({ 'style_modules.py': 'x = 1\n' }), kind: 'dir' }]), ['style_modules.py']);
    const zipDir = await folder({ 'hw.zip': buildZip([{ name: 'style_modules.py', data: 'x = 1\n' }]) });
    const b = await stageSubmission(sub([{ path: path.join(zipDir, 'hw.zip'), kind: 'zip' }]), ['style_modules.py']);
    expect(await readFile(path.join(b.dir, 'style_modules.py'), 'utf8')).toBe('x = 1\n');
    await Promise.all([a.cleanup(), b.cleanup()]);
    expect(a.sha256).toBe(b.sha256);
  });
});

describe('where staged copies go', () => {
  it('in TMPDIR when it is set, else on /dev/shm when it is a tmpfs with room, else in the temporary folder', async () => {
    const { statfs } = await import('node:fs/promises');
    const shm = await statfs('/dev/shm').catch(() => undefined);
    const usable = !process.env.TMPDIR && shm !== undefined && shm.type === 0x01021994 && shm.bavail * shm.bsize >= 512 * 1024 * 1024;
    expect(stagingParent()).toBe(usable ? '/dev/shm' : os.tmpdir());
    const staged = await stageSubmission(sub([{ path: await folder({ 'style_modules.py': 'x = 1\n' }), kind: 'dir' }]), ['style_modules.py']);
    expect(path.dirname(staged.root)).toBe(stagingParent());
    await staged.cleanup();
    expect(await leftovers()).not.toContain(path.basename(staged.root));
  });
});
