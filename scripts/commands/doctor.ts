// `dlgrade doctor`: what this machine gives dlgrade, and what to install for what is missing.
import type { Command } from 'commander';
import { diagnose } from '../../graders/doctor/diagnose.js';
import { pythonOption } from './common.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('show the Python, libraries, sandbox and isolation in force here, and how to install what is missing')
    .option('--json', 'print the findings as JSON')
    .addOption(pythonOption())
    .action(async (opts: { json?: boolean; python?: string }) => {
      const report = await diagnose({ python: opts.python });
      if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else {
        for (const f of report.findings) {
          process.stdout.write(`${f.state.padEnd(7)} ${f.topic.padEnd(12)} ${f.detail}\n`);
          if (f.fix) process.stdout.write(`${''.padEnd(20)} → ${f.fix}\n`);
        }
        process.stdout.write(report.ready ? '\nready to grade, sandboxed\n' : '\nnot ready to grade sandboxed: see "missing" above\n');
      }
      // 1 when grade could not run sandboxed here, so scripts can test for it.
      process.exitCode = report.ready ? 0 : 1;
    });
}
