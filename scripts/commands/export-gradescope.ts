// `dlgrade export-gradescope`: autograder.zip for a Gradescope programming assignment.
import type { Command } from 'commander';
import { plural } from './common.js';
import path from 'node:path';
import { loadAssignment } from '../../graders/manifest/load-manifest.js';
import { exportGradescope } from '../../graders/export/gradescope-bundle.js';
import { assignmentKind } from '../../graders/engine/assignment-kind.js';
import { prepareOutputFile } from '../../graders/util/output-folder.js';

export function registerExportGradescope(program: Command): void {
  program
    .command('export-gradescope')
    .description('write autograder.zip for Gradescope: setup.sh and run_autograder that install dlgrade and grade /autograder/submission')
    .argument('<assignment>', 'assignment id')
    .option('-o, --out <file>', 'the zip to write', 'autograder.zip')
    .action(async (assignmentId: string, opts: { out: string }) => {
      const assignment = await loadAssignment(assignmentId);
      const zip = path.resolve(opts.out);
      await prepareOutputFile(zip, '--out', 'autograder.zip');
      const bundle = await exportGradescope(assignment, zip);
      const runsCode = assignmentKind(assignment.manifest).runsCode;
      const contents = runsCode ? 'public and hidden; no reference code' : `the answer key of ${assignment.manifest.id} (read by the harness only: no student code runs)`;
      console.log(`wrote ${path.relative(process.cwd(), zip)} (${(bundle.bytes / 1024 / 1024).toFixed(1)} MiB, ${bundle.fileCount} files): ${plural(bundle.shipped.length, 'case')}, ${contents}`);
      console.log(`upload it as the autograder of a Gradescope programming assignment (Ubuntu base image); setup.sh installs Node.js${runsCode ? ', PyTorch' : ''} and dlgrade`);
    });
}
