// `export-student`: a folder students can run `dlgrade check` from — engine, starter, handout, public fixtures, no answers.
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Assignment } from '../manifest/load-manifest.js';
import { DlgradeError } from '../errors.js';
import { requireCommand } from '../engine/assignment-kind.js';
import { ENGINE_VERSION } from '../version.js';
import { render } from '../reporters/templates.js';
import { writeBundleToDir, type Bundle } from './bundle.js';
import { addEngine } from './engine-files.js';
import { addAssignment, type AssignmentFilesReport } from './assignment-files.js';
import { prepareOutputFolder } from '../util/output-folder.js';

/** Marks a folder as a dlgrade kit and records what it holds. */
export const KIT_FILE = 'dlgrade-kit.json';

export interface KitDescription {
  kit: 1;
  assignment: string;
  title: string;
  version: string;
  dlgrade: string;
  /** Public cases shipped, as question/case ids. */
  cases: string[];
  /** sha256 of every assignment file shipped (manifest, lock, fixtures, starter, handout). */
  files: Record<string, string>;
}

export interface KitReport extends AssignmentFilesReport {
  dir: string;
  fileCount: number;
}

/** Builds the student kit in `outDir` (new, empty, or a previous kit, which is replaced). */
export async function exportStudentKit(assignment: Assignment, outDir: string): Promise<KitReport> {
  const { manifest } = assignment;
  requireCommand(manifest, 'export-student');
  await prepareOutDir(outDir);
  const bundle: Bundle = new Map();
  await addEngine(bundle);
  const report = await addAssignment(bundle, assignment, { cases: 'public', studentMaterial: true });
  const description: KitDescription = {
    kit: 1,
    assignment: manifest.id,
    title: manifest.title,
    version: manifest.version,
    dlgrade: ENGINE_VERSION,
    cases: report.shipped,
    files: report.files,
  };
  bundle.set(KIT_FILE, { content: JSON.stringify(description, null, 2) + '\n' });
  bundle.set(
    'README.md',
    {
      content: render('kit-readme.md.hbs', {
        id: manifest.id,
        title: manifest.title,
        version: manifest.version,
        dlgrade: ENGINE_VERSION,
        files: manifest.files,
        starter: manifest.starter ? `assignments/${manifest.id}/${manifest.starter}` : undefined,
        handout: manifest.handout && report.files[`assignments/${manifest.id}/${manifest.handout}`] ? `assignments/${manifest.id}/${manifest.handout}` : undefined,
        publicCases: report.shipped.length,
        hiddenCases: report.left.length,
        droppedQuestions: report.droppedQuestions,
      }),
    },
  );
  await writeBundleToDir(bundle, outDir);
  return { ...report, dir: outDir, fileCount: bundle.size };
}

/** Refuses to write into a folder with other content, so an export never mixes with or deletes unrelated files. */
async function prepareOutDir(outDir: string): Promise<void> {
  await prepareOutputFolder(outDir, '--out');
  const entries = await readdir(outDir);
  if (entries.length === 0) return;
  if (!existsSync(path.join(outDir, KIT_FILE))) {
    throw new DlgradeError('USAGE', `${outDir} is not empty and is not a previous kit (no ${KIT_FILE}); choose a new folder`);
  }
  // A previous kit: replaced whole, so files of an older export cannot linger.
  for (const entry of entries) await rm(path.join(outDir, entry), { recursive: true, force: true });
}
