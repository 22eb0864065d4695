// `export-gradescope`: autograder.zip — setup.sh and run_autograder at the root, dlgrade with every case under dlgrade/.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Assignment } from '../manifest/load-manifest.js';
import { projectRoot } from '../manifest/load-manifest.js';
import { DlgradeError } from '../errors.js';
import { writeBundleToZip, type Bundle } from './bundle.js';
import { addEngine, addKeys } from './engine-files.js';
import { addAssignment, type AssignmentFilesReport } from './assignment-files.js';
import { assignmentKind } from '../engine/assignment-kind.js';

/** An answers assignment in a bundle: its manifest and its compiled key; it has no fixtures. */
async function addAnswersAssignment(bundle: Bundle, assignment: Assignment, prefix: string): Promise<AssignmentFilesReport> {
  const { manifest } = assignment;
  const manifestPath = `${prefix}/assignments/${manifest.id}/manifest.yaml`;
  bundle.set(manifestPath, { source: assignment.manifestPath });
  await addKeys(bundle, [manifest.id], prefix);
  const sha256 = createHash('sha256').update(await readFile(assignment.manifestPath)).digest('hex');
  return { files: { [manifestPath]: sha256 }, shipped: manifest.questions.flatMap((q) => q.cases.map((c) => `${q.id}/${c.id}`)), left: [], droppedQuestions: [] };
}

export interface GradescopeBundleReport extends AssignmentFilesReport {
  zip: string;
  bytes: number;
  fileCount: number;
}

/** The scripts Gradescope runs, from graders/export/gradescope/, with the assignment filled in. */
async function script(name: string, assignment: Assignment): Promise<string> {
  const text = await readFile(path.join(projectRoot(), 'graders', 'export', 'gradescope', name), 'utf8');
  const kind = assignmentKind(assignment.manifest);
  return text
    .replaceAll('@ASSIGNMENT@', assignment.manifest.id)
    .replaceAll('@FIRST_FILE@', assignment.manifest.files[0])
    .replaceAll('@RUNS_CODE@', kind.runsCode ? '1' : '0')
    // A key with per-student values needs the student's id: run_autograder reads it from submission_metadata.json.
    .replaceAll('@STUDENT_IDS@', kind.gradescopeKeys ? '1' : '0');
}

/**
 * Writes the Gradescope autograder zip for the assignment. A code assignment ships its fixtures (public and hidden)
 * and no reference code; an answers assignment ships its manifest and its compiled answer key, which only the
 * harness reads (no student code runs), and nothing of any other assignment.
 */
export async function exportGradescope(assignment: Assignment, zipFile: string): Promise<GradescopeBundleReport> {
  const { manifest } = assignment;
  if (/["'$`\\\s]/.test(manifest.files[0])) {
    throw new DlgradeError('MANIFEST_INVALID', `files[0] "${manifest.files[0]}" must be a plain file name to be used in run_autograder`, { file: assignment.manifestPath });
  }
  const bundle: Bundle = new Map();
  bundle.set('setup.sh', { content: await script('setup.sh', assignment), executable: true });
  bundle.set('run_autograder', { content: await script('run_autograder', assignment), executable: true });
  await addEngine(bundle, 'dlgrade');
  const report = assignmentKind(manifest).gradescopeKeys ? await addAnswersAssignment(bundle, assignment, 'dlgrade') : await addAssignment(bundle, assignment, { cases: 'all', studentMaterial: false }, 'dlgrade');
  const bytes = await writeBundleToZip(bundle, zipFile);
  return { ...report, zip: zipFile, bytes, fileCount: bundle.size };
}
