// `dlgrade list`: the assignments and their questions.
import type { Command } from 'commander';
import { listAssignments, loadAssignment } from '../../graders/manifest/load-manifest.js';

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list the assignments and their questions')
    .action(async () => {
      for (const id of await listAssignments()) {
        const { manifest } = await loadAssignment(id);
        const points = manifest.questions.reduce((s, q) => s + q.points, 0);
        console.log(`${id}  ${manifest.title} — ${manifest.questions.length} questions, ${points} points (${manifest.files.join(', ')})`);
        for (const q of manifest.questions) {
          const pub = q.cases.filter((c) => c.visibility === 'public').length;
          console.log(`    ${q.id.padEnd(26)} ${String(q.points).padStart(3)} pt  ${pub} public / ${q.cases.length - pub} hidden cases`);
        }
      }
    });
}
