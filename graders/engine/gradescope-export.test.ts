import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findGradescopeSubmissions as findSubmissions } from './gradescope-export.js';
import { studentId } from './gradescope-export.js';

async function exportFolder(metadata: string, folders: string[]): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-gs-export-'));
  await writeFile(path.join(root, 'submission_metadata.yml'), metadata);
  for (const f of folders) {
    await mkdir(path.join(root, f));
    await writeFile(path.join(root, f, 'style_modules.py'), '# submission\n');
  }
  return root;
}

describe('a Gradescope "export submissions" folder', () => {
  it('names each submission by its students, one entry per member of a group', async () => {
    const root = await exportFolder(
      `submission_101:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1815'
    :email: ada@example.edu
  :created_at: 2024-03-01 10:00:00.000000000 -08:00
  :score: 0.0
submission_102:
  :submitters:
  - :name: Grace Hopper
    :sid: 1906
  - :name: Alan Turing
    :email: alan@example.edu
`,
      ['submission_101', 'submission_102'],
    );
    const found = await findSubmissions(root);
    expect(found.map((s) => [s.student, path.basename(s.path)])).toEqual([
      ['1815', 'submission_101'],
      ['1906', 'submission_102'],
      ['alan@example.edu', 'submission_102'],
    ]);
    // The submission time Gradescope records, and the submitter's name.
    expect(found[0].createdAt).toBe('2024-03-01T18:00:00.000Z');
    expect(found[0].original).toBe('Ada Lovelace');
  });

  it('names the folder when the metadata names it but it is missing', async () => {
    const root = await exportFolder(`submission_7:\n  :submitters:\n  - :sid: '7'\n`, []);
    await expect(findSubmissions(root)).rejects.toThrow(/submission_metadata\.yml: submission_7: the metadata names it but there is no such folder/);
  });

  it('refuses a student who appears in two submissions', async () => {
    const root = await exportFolder(`s1:\n  :submitters:\n  - :sid: '7'\ns2:\n  :submitters:\n  - :sid: '7'\n`, ['s1', 's2']);
    await expect(findSubmissions(root)).rejects.toThrow(/"7" appears in two submissions: s1 and s2/);
  });

  it('says where the YAML is broken', async () => {
    const root = await exportFolder(`submission_1: [unclosed\n`, []);
    await expect(findSubmissions(root)).rejects.toThrow(/submission_metadata\.yml: not valid YAML/);
  });

  it.each([
    [{ sid: 'A 12/3' }, 'f', 'A_12_3'],
    [{ email: 'x@y.z' }, 'f', 'x@y.z'],
    [{}, 'submission_9', 'submission_9'],
    [{ sid: '../..' }, 'submission_9', 'submission_9'],
  ])('studentId(%j, %s) is %s', (submitter, folder, id) => {
    expect(studentId(submitter, folder)).toBe(id);
  });
});
