// `dlgrade validate`: an assignment's self-test.
import type { Command } from 'commander';
import { createContext } from '../../graders/engine/context.js';
import { validateAssignment } from '../../graders/engine/validate.js';
import { isAnswersKey } from '../../graders/answer-key/registry.js';
import { answerKeys, pythonOption } from './common.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description("self-test an assignment: schema, fixtures, reference, the solution's full marks, the starter's zero")
    .argument('<assignment>', 'assignment id')
    .addOption(pythonOption())
    .action(async (assignmentId: string, opts: { python?: string }) => {
      // The solution and starter are the instructor's own code: sandboxed when possible, never refused.
      const keys = await answerKeys();
      const ctx = await createContext(assignmentId, { mode: 'grade', keys, python: opts.python, sandboxPolicy: 'preferred' });
      const key = await keys.load(ctx.assignment.manifest.id);
      const checks = await validateAssignment(ctx, key && !isAnswersKey(key) ? key : undefined);
      for (const c of checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
      if (checks.some((c) => !c.ok)) process.exitCode = 1;
    });
}
