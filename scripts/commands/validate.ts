// `dlgrade validate`: an assignment's self-test.
import type { Command } from 'commander';
import { createContext } from '../../graders/engine/context.js';
import { validateAssignment } from '../../graders/engine/validate.js';
import { loadReference } from '../../reference/index.js';
import { pythonOption } from './common.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description("self-test an assignment: schema, fixtures, reference, the solution's full marks, the starter's zero")
    .argument('<assignment>', 'assignment id')
    .addOption(pythonOption())
    .action(async (assignmentId: string, opts: { python?: string }) => {
      // The solution and starter are the instructor's own code: sandboxed when possible, never refused.
      const ctx = await createContext(assignmentId, { mode: 'grade', python: opts.python, sandboxPolicy: 'preferred' });
      const checks = await validateAssignment(ctx, await loadReference(ctx.assignment.manifest.id));
      for (const c of checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
      if (checks.some((c) => !c.ok)) process.exitCode = 1;
    });
}
