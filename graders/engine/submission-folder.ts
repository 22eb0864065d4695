// The one-submission commands (check, ci) refuse a folder or file that holds no submission, with a sentence instead
// of a run.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DlgradeError } from '../errors.js';
import type { ManifestT } from '../manifest/schema.js';

/** Extensions a submission file may arrive under: a module as a notebook, an answers file as YAML or JSON. */
const ALTERNATE_EXTENSIONS = ['.py', '.ipynb', '.yaml', '.yml', '.json'];

/**
 * Throws a USAGE error (exit 2) when `dir` is missing, not a folder, empty, or holds none of the manifest's files
 * (under any of their usual extensions) and no notebook: grading it would only repeat "missing file" per question.
 */
export async function assertSubmissionFolder(dir: string, manifest: Pick<ManifestT, 'id' | 'files'>): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  const expected = manifest.files.join(', ');
  if (!info) throw new DlgradeError('USAGE', `there is no submission folder ${dir}: give the folder that holds your ${expected} with --submission DIR`);
  if (!info.isDirectory()) throw new DlgradeError('USAGE', `${dir} is a file, not a folder: give the folder that holds your ${expected} with --submission DIR`);
  const entries = (await readdir(dir)).filter((name) => !name.startsWith('.'));
  if (entries.length === 0) throw new DlgradeError('USAGE', `the submission folder ${dir} is empty: ${manifest.id} needs ${expected} in it`);
  const stems = new Set(manifest.files.map((f) => f.slice(0, f.length - path.extname(f).length)));
  const found = entries.some((name) => {
    const ext = path.extname(name);
    return ext === '.ipynb' || (ALTERNATE_EXTENSIONS.includes(ext) && stems.has(name.slice(0, name.length - ext.length)));
  });
  if (!found) {
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} entries)` : '');
    throw new DlgradeError('USAGE', `the submission folder ${dir} holds no submission for ${manifest.id}: expected ${expected}, found ${shown}`);
  }
}

/**
 * As assertSubmissionFolder, for what check accepts besides a folder: a .zip, or the submission as one file (a
 * module, a notebook, an answers file) under one of the usual extensions. Anything else is a USAGE error.
 */
export async function assertSubmissionPath(target: string, manifest: Pick<ManifestT, 'id' | 'files'>): Promise<void> {
  const info = await stat(target).catch(() => undefined);
  if (!info?.isFile()) return assertSubmissionFolder(target, manifest);
  if (isSubmissionFileName(target)) return;
  throw new DlgradeError(
    'USAGE',
    `${target} is not a submission for ${manifest.id}: give the folder that holds your ${manifest.files.join(', ')}, a .zip of it, or one file (${ALTERNATE_EXTENSIONS.join(', ')})`,
  );
}

/** Whether a file of this name may be a whole submission for check: a .zip, or one of the usual extensions. */
export function isSubmissionFileName(file: string): boolean {
  const ext = path.extname(file).toLowerCase();
  return ext === '.zip' || ALTERNATE_EXTENSIONS.includes(ext);
}
