import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classroomPrefix, discoverSubmissions } from './layouts.js';
import { buildZip } from './zip-builder.js';

async function folder(files: Record<string, string | Buffer>): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-layout-'));
  for (const [name, data] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    if (name.endsWith('/')) continue;
    await writeFile(path.join(root, name), data);
  }
  return root;
}

describe('Canvas "Download Submissions"', () => {
  it('groups files by user id, keeps the newer of two uploads, records LATE_ and skips what is not a submission', async () => {
    const root = await folder({
      'doejane_1001_500_style_modules.py': 'a',
      'doejane_1001_501_helpers.py': 'b',
      'smithjohn_LATE_1002_600_style_modules-1.py': 'c',
      'leeann_1003_700_style_modules.py': 'old',
      'leeann_1003_701_style_modules.py': 'new',
      'notes.txt': 'instructor notes',
    });
    const found = await discoverSubmissions(root);
    expect(found.format).toBe('canvas');
    expect(found.submissions.map((s) => [s.student, s.original, s.lmsLate ?? false, s.sources.map((x) => x.name)])).toEqual([
      ['1001', 'doejane', false, ['style_modules.py', 'helpers.py']],
      ['1002', 'smithjohn', true, ['style_modules-1.py']],
      ['1003', 'leeann', false, ['style_modules.py']],
    ]);
    expect(path.basename(found.submissions[2].sources[0].path)).toBe('leeann_1003_701_style_modules.py');
    expect(found.skipped).toEqual([{ entry: 'notes.txt', reason: expect.stringMatching(/not named as Canvas names/) }]);
  });

  it('reads the zip itself, and errors never name the temporary folder', async () => {
    const root = await folder({});
    const zip = path.join(root, 'submissions.zip');
    await writeFile(zip, buildZip([{ name: 'doejane_1001_500_style_modules.py', data: 'a' }, { name: 'smithjohn_1002_600_hw.zip', data: buildZip([{ name: 'hw/style_modules.py', data: 'b' }]) }]));
    const found = await discoverSubmissions(zip);
    try {
      expect(found.format).toBe('canvas');
      expect(found.submissions.map((s) => [s.student, s.path, s.sources[0].kind])).toEqual([
        ['1001', `${zip}!/doejane_1001_500_style_modules.py`, 'file'],
        ['1002', `${zip}!/smithjohn_1002_600_hw.zip`, 'zip'],
      ]);
    } finally {
      await found.cleanup();
    }
  });
});

describe('a zip of the class folder', () => {
  it('grades the folder inside, one student per entry', async () => {
    const root = await folder({});
    const zip = path.join(root, 'class.zip');
    await writeFile(zip, buildZip([{ name: 'hw3/jane/style_modules.py', data: 'a' }, { name: 'hw3/bob.zip', data: buildZip([{ name: 'style_modules.py', data: 'b' }]) }]));
    const found = await discoverSubmissions(zip);
    await found.cleanup();
    expect(found.submissions.map((s) => [s.student, s.format])).toEqual([
      ['bob', 'zip'],
      ['jane', 'folder'],
    ]);
  });
});

describe('Moodle downloads', () => {
  it('names each participant by id and keeps the full name', async () => {
    const root = await folder({
      'Jane Doe_12345_assignsubmission_file_/style_modules.py': 'a',
      'José García_12346_assignsubmission_file_/hw3.zip': buildZip([{ name: 'style_modules.py', data: 'b' }]),
    });
    const found = await discoverSubmissions(root);
    expect(found.format).toBe('moodle');
    expect(found.submissions.map((s) => [s.student, s.original, s.sources[0].kind])).toEqual([
      ['12345', 'Jane Doe', 'dir'],
      ['12346', 'José García', 'dir'],
    ]);
  });
});

describe('GitHub Classroom clones', () => {
  it('strips the repository prefix and records the last commit', async () => {
    const root = await folder({ 'hw3-style-transfer-janedoe/style_modules.py': 'a', 'hw3-style-transfer-jsmith/style_modules.py': 'b' });
    for (const repo of ['hw3-style-transfer-janedoe', 'hw3-style-transfer-jsmith']) {
      const cwd = path.join(root, repo);
      const env = { ...process.env, GIT_AUTHOR_DATE: '2026-03-01T12:00:00Z', GIT_COMMITTER_DATE: '2026-03-01T12:00:00Z', GIT_AUTHOR_NAME: 's', GIT_AUTHOR_EMAIL: 's@x', GIT_COMMITTER_NAME: 's', GIT_COMMITTER_EMAIL: 's@x' };
      execFileSync('git', ['init', '-q'], { cwd, env });
      execFileSync('git', ['add', '.'], { cwd, env });
      execFileSync('git', ['commit', '-qm', 'submit'], { cwd, env });
    }
    const found = await discoverSubmissions(root);
    expect(found.format).toBe('github-classroom');
    expect(found.submissions.map((s) => [s.student, s.submittedAt, s.git?.commit.length])).toEqual([
      ['janedoe', '2026-03-01T12:00:00.000Z', 40],
      ['jsmith', '2026-03-01T12:00:00.000Z', 40],
    ]);
    expect(found.submissions[0].submittedAtSource).toMatch(/^git \(commit [0-9a-f]{12}\)$/);
  });

  it.each([
    [['hw3-janedoe', 'hw3-jsmith'], undefined, 'hw3-'],
    [['style-transfer-ann'], 'style-transfer', 'style-transfer-'],
    [['janedoe'], undefined, ''],
  ])('prefix of %j', (names, id, prefix) => {
    expect(classroomPrefix(names, id)).toBe(prefix);
  });
});

describe('a folder per student, named in any way', () => {
  it('accepts any name with a safe id, follows symbolic links, and skips only the ambiguous', async () => {
    const root = await folder({
      'Jane Doe/style_modules.py': 'a',
      'José-García/style_modules.py': 'b',
      '-rf/style_modules.py': 'c',
      [`${'x'.repeat(200)}/style_modules.py`]: 'd',
      'ann/style_modules.py': 'e',
      'ann.zip': buildZip([{ name: 'style_modules.py', data: 'f' }]),
      'bob.ipynb': '{}',
      'grades.csv': 'x',
    });
    const elsewhere = await folder({ 'style_modules.py': 'linked' });
    await symlink(elsewhere, path.join(root, 'linked-student'));
    await symlink(path.join(root, 'nowhere'), path.join(root, 'dangling'));
    const found = await discoverSubmissions(root);
    const ids = found.submissions.map((s) => s.student);
    expect(ids).toContain('bob');
    expect(ids).toContain('linked-student');
    expect(ids).not.toContain('ann');
    for (const s of found.submissions) expect(s.student).toMatch(/^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/);
    expect(found.submissions.find((s) => s.original === 'Jane Doe')?.student).toMatch(/^Jane-Doe-[0-9a-f]{8}$/);
    expect(found.submissions.find((s) => s.original === '-rf')?.student).toMatch(/^rf-/);
    expect(found.submissions.find((s) => s.student === 'linked-student')?.notes).toEqual(['the submission is a symbolic link; its target was graded']);
    expect(found.skipped.map((s) => s.entry).sort()).toEqual(['ann', 'ann.zip', 'dangling', 'grades.csv']);
    expect(found.skipped.find((s) => s.entry === 'dangling')?.reason).toMatch(/symbolic link to nothing/);
  });
});

describe("dlgrade's own folders among the submissions", () => {
  it('an output folder inside the class folder is neither a student nor a skipped entry, even through a symbolic link', async () => {
    const root = await folder({ 'jane/style_modules.py': 'a', 'john/style_modules.py': 'b', 'dlgrade-out/jane/report.html': '<p>', 'cache/x.json': '{}' });
    const linked = path.join(await mkdtemp(path.join(os.tmpdir(), 'dlgrade-link-')), 'class');
    await symlink(root, linked);
    const found = await discoverSubmissions(linked, { ownFolders: [path.join(root, 'dlgrade-out'), path.join(root, 'cache')] });
    expect(found.submissions.map((s) => s.student)).toEqual(['jane', 'john']);
    expect(found.skipped).toEqual([]);
  });
});
