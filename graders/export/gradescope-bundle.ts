// `export-gradescope`: autograder.zip — setup.sh and run_autograder at the root, dlgrade with every case under dlgrade/.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Assignment } from '../manifest/load-manifest.js';
import { projectRoot } from '../manifest/load-manifest.js';
import { DlgradeError } from '../errors.js';
import { writeBundleToZip, type Bundle } from './bundle.js';
import { addEngine } from './engine-files.js';
import { addAssignment, type AssignmentFilesReport } from './assignment-files.js';

export interface GradescopeBundleReport extends AssignmentFilesReport {
  zip: string;
  bytes: number;
  fileCount: number;
}

/** The scripts Gradescope runs, from graders/export/gradescope/, with the assignment filled in. */
async function script(name: string, assignment: Assignment): Promise<string> {
  const text = await readFile(path.join(projectRoot(), 'graders', 'export', 'gradescope', name), 'utf8');
  return text.replaceAll('@ASSIGNMENT@', assignment.manifest.id).replaceAll('@FIRST_FILE@', assignment.manifest.files[0]);
}

/** Writes the Gradescope autograder zip for the assignment. */
export async function exportGradescope(assignment: Assignment, zipFile: string): Promise<GradescopeBundleReport> {
  const { manifest } = assignment;
  if (manifest.runner !== 'python') {
    throw new DlgradeError('USAGE', `${manifest.id} is graded from an answers file; export-gradescope supports code assignments (runner: python) only`);
  }
  if (/["'$`\\\s]/.test(manifest.files[0])) {
    throw new DlgradeError('MANIFEST_INVALID', `files[0] "${manifest.files[0]}" must be a plain file name to be used in run_autograder`, { file: assignment.manifestPath });
  }
  const bundle: Bundle = new Map();
  bundle.set('setup.sh', { content: await script('setup.sh', assignment), executable: true });
  bundle.set('run_autograder', { content: await script('run_autograder', assignment), executable: true });
  await addEngine(bundle, 'dlgrade');
  const report = await addAssignment(bundle, assignment, { cases: 'all', studentMaterial: false }, 'dlgrade');
  const bytes = await writeBundleToZip(bundle, zipFile);
  return { ...report, zip: zipFile, bytes, fileCount: bundle.size };
}
