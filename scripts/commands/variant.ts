// `dlgrade variant`: prints a student's variant values (the numbers their written answers must use).
import type { Command } from 'commander';
import { loadAssignment } from '../../graders/manifest/load-manifest.js';
import { DlgradeError } from '../../graders/errors.js';
import { formatVariant, variantFor } from '../../graders/answers/variant.js';

export function registerVariant(program: Command): void {
  program
    .command('variant')
    .description("print a student's per-student values of an answers assignment (the canonical ones without --student-id)")
    .argument('<assignment>', 'assignment id, e.g. written')
    .option('--student-id <id>', 'the student id (case and surrounding spaces do not matter)')
    .option('--json', 'print the values as JSON')
    .action(async (assignmentId: string, opts: { studentId?: string; json?: boolean }) => {
      const { manifest } = await loadAssignment(assignmentId);
      if (manifest.id !== 'written') throw new DlgradeError('USAGE', `${manifest.id} has no per-student values (only written does)`);
      const variant = variantFor(opts.studentId);
      process.stdout.write(opts.json ? `${JSON.stringify(variant, null, 2)}\n` : `${formatVariant(variant, manifest.id).join('\n')}\n`);
    });
}
