// `dlgrade new`: the skeleton of a new assignment or question, to be edited from there.
import type { Command } from 'commander';
import { Option } from 'commander';
import { projectRoot } from '../../graders/manifest/load-manifest.js';
import { KIND_NAMES, newAssignment, newQuestion } from '../../graders/authoring/scaffold.js';

export function registerNew(program: Command): void {
  const group = program.command('new').description('write the skeleton of a new assignment or question (fixtures and validate accept it as it is)');
  group
    .command('assignment')
    .description('a new assignment: manifest, handout, starter, solution, answer key with its test, registered in reference/index.ts')
    .argument('<id>', 'assignment id: lower case letters, digits and dashes')
    .addOption(new Option('--kind <kind>', 'code: students write Python functions; answers: students fill in answers.yaml').choices(KIND_NAMES).default('code'))
    .option('--question <id>', 'the id of its first question', 'example')
    .action(async (id: string, opts: { kind: string; question: string }) => {
      const written = await newAssignment({ root: projectRoot() }, id, opts.kind, opts.question);
      report(written);
      console.log(`next: edit the formula in reference/${id}/ and the solution in examples/${id}/correct/, then`);
      if (opts.kind === 'code') console.log(`  dlgrade fixtures ${id}\n  dlgrade validate ${id}`);
      else console.log(`  dlgrade validate ${id}`);
    });
  group
    .command('question')
    .description('a new question of an assignment made with "new assignment": manifest entry, reference, starter stub, solution, handout row')
    .argument('<assignment>', 'assignment id')
    .argument('<id>', 'question id: lower case letters, digits and underscores (the function students write)')
    .action(async (assignment: string, id: string) => {
      report(await newQuestion({ root: projectRoot() }, assignment, id));
      console.log(`next: edit the formula, then dlgrade fixtures ${assignment} (code assignments) and dlgrade validate ${assignment}`);
    });
}

function report(written: string[]): void {
  console.log(`wrote or extended ${written.length} file(s):\n  ${written.join('\n  ')}`);
}
