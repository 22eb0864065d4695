// `dlgrade variant`: prints a student's variant values (the numbers their answers must use).
import type { Command } from 'commander';
import { loadAssignment } from '../../graders/manifest/load-manifest.js';
import { DlgradeError } from '../../graders/errors.js';
import { requireCommand } from '../../graders/engine/assignment-kind.js';
import { requireAnswersKey } from '../../graders/answer-key/registry.js';
import { variantOf } from '../../graders/answer-key/variants.js';
import { answerKeys } from './common.js';

export function registerVariant(program: Command): void {
  program
    .command('variant')
    .description("print a student's per-student values of an answers assignment (the canonical ones without --student-id)")
    .argument('<assignment>', 'assignment id, e.g. written')
    .option('--student-id <id>', 'the student id (case and surrounding spaces do not matter)')
    .option('--json', 'print the values as JSON')
    .action(async (assignmentId: string, opts: { studentId?: string; json?: boolean }) => {
      const { manifest } = await loadAssignment(assignmentId);
      requireCommand(manifest, 'variant');
      const key = await requireAnswersKey(await answerKeys(), manifest.id);
      if (!key.variants) throw new DlgradeError('USAGE', `${manifest.id} has no per-student values: every student answers the same questions`);
      const variant = variantOf(key, opts.studentId);
      process.stdout.write(opts.json ? `${JSON.stringify(variant, null, 2)}\n` : `${key.variants.describe(variant, manifest.id).join('\n')}\n`);
    });
}
