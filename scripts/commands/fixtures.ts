// `dlgrade fixtures`: regenerate or --check the .npz fixtures.
import type { Command } from 'commander';
import { Option } from 'commander';
import { loadAssignment } from '../../graders/manifest/load-manifest.js';
import { generateFixtures } from '../../graders/fixtures/generate.js';
import { plural, referenceFor } from './common.js';
import { requireCommand } from '../../graders/engine/assignment-kind.js';

export function registerFixtures(program: Command): void {
  program
    .command('fixtures')
    .description('regenerate the .npz fixtures from the TypeScript reference (seeded), or --check them')
    .argument('<assignment>', 'assignment id')
    .option('--check', 'verify the committed fixtures are byte-identical to a regeneration')
    .addOption(new Option('--backend <name>', 'TensorFlow.js back end').choices(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).env('DLGRADE_BACKEND'))
    .action(async (assignmentId: string, opts: { check?: boolean; backend?: string }) => {
      const assignment = await loadAssignment(assignmentId);
      requireCommand(assignment.manifest, 'fixtures');
      const reference = await referenceFor(assignment.manifest.id);
      const report = await generateFixtures(assignment, reference, { check: opts.check, backend: opts.backend });
      console.log(`back end: ${report.backend}`);
      if (opts.check) {
        if (report.mismatched.length) {
          console.log(`${plural(report.mismatched.length, 'fixture file')} ${report.mismatched.length === 1 ? 'differs' : 'differ'} from a regeneration:\n  ${report.mismatched.join('\n  ')}`);
          process.exitCode = 1;
        } else console.log(`${plural(report.files.length, 'fixture file')} ${report.files.length === 1 ? 'is' : 'are'} byte-identical to a regeneration`);
      } else console.log(`wrote ${plural(report.files.length, 'fixture file')} and fixtures.lock.json for ${assignment.manifest.id}`);
    });
}
