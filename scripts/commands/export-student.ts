// `dlgrade export-student`: the student kit — starter, handout, public fixtures and the engine, without the answers.
import type { Command } from 'commander';
import { plural } from './common.js';
import path from 'node:path';
import { loadAssignment } from '../../graders/manifest/load-manifest.js';
import { exportStudentKit } from '../../graders/export/student-kit.js';

export function registerExportStudent(program: Command): void {
  program
    .command('export-student')
    .description('write the student kit: starter code, handout, public fixtures and what "dlgrade check" needs; no reference, no hidden cases')
    .argument('<assignment>', 'assignment id')
    .requiredOption('-o, --out <dir>', 'kit folder (new, empty, or a previous kit, which is replaced)')
    .action(async (assignmentId: string, opts: { out: string }) => {
      const assignment = await loadAssignment(assignmentId);
      const outDir = path.resolve(opts.out);
      const kit = await exportStudentKit(assignment, outDir);
      const where = path.relative(process.cwd(), outDir) || '.';
      console.log(`wrote the ${assignment.manifest.id} student kit to ${where}: ${kit.fileCount} files, ${plural(kit.shipped.length, 'public case')}; ${plural(kit.left.length, 'hidden case')} left out`);
      if (kit.droppedQuestions.length) console.log(`questions with hidden cases only, not in the kit: ${kit.droppedQuestions.join(', ')}`);
      console.log(`students run: cd ${where} && npm ci --omit=dev --ignore-scripts && node bin/dlgrade.js check ${assignment.manifest.id} --submission <their folder>`);
    });
}
