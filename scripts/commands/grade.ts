// `dlgrade grade`: a whole folder of submissions, public and hidden tests.
import type { Command } from 'commander';
import os from 'node:os';
import path from 'node:path';
import { createContext } from '../../graders/engine/context.js';
import { gradeBatch } from '../../graders/engine/batch.js';
import { ReporterMultiplexer } from '../../graders/reporters/reporter.js';
import { JsonResultReporter, StudentReportReporter, GradescopeReporter } from '../../graders/reporters/student-files.js';
import { ClassFilesReporter } from '../../graders/reporters/class-files.js';
import { collect, parsePositiveInt, pythonOption } from './common.js';

export function registerGrade(program: Command): void {
  program
    .command('grade')
    .description('grade every submission in a folder (one sub-folder or .zip per student) on public and hidden tests')
    .argument('<assignment>', 'assignment id')
    .argument('<submissions>', 'folder of submissions')
    .option('-o, --out <dir>', 'output folder', 'dlgrade-out')
    .option('-j, --jobs <n>', 'submissions graded at once', String(os.availableParallelism()))
    .option('-q, --question <id>', 'only this question (repeatable)', collect)
    .option('--force', 're-grade submissions that already have a finished result')
    .option('--no-progress', 'no progress bar')
    .addOption(pythonOption())
    .action(
      async (
        assignmentId: string,
        submissions: string,
        opts: { out: string; jobs: string; question?: string[]; force?: boolean; progress: boolean; python?: string },
      ) => {
        const ctx = await createContext(assignmentId, { mode: 'grade', questionIds: opts.question, python: opts.python });
        const outDir = path.resolve(opts.out);
        const reporters = new ReporterMultiplexer([
          new JsonResultReporter(outDir),
          new StudentReportReporter(outDir),
          new GradescopeReporter((student) => path.join(outDir, student, 'results.json')),
          new ClassFilesReporter(outDir),
        ]);
        const controller = new AbortController();
        const onSigint = () => {
          if (controller.signal.aborted) process.exit(130);
          process.stderr.write('\nstopping after the submissions in progress (Ctrl-C again to quit now)…\n');
          controller.abort();
        };
        process.on('SIGINT', onSigint);
        const outcome = await gradeBatch(ctx, submissions, reporters, {
          outDir,
          jobs: parsePositiveInt(opts.jobs, '--jobs'),
          force: opts.force,
          progress: opts.progress && process.stderr.isTTY,
          signal: controller.signal,
        });
        process.off('SIGINT', onSigint);
        for (const r of outcome.results) {
          console.log(`${r.student.padEnd(28)} ${String(r.score.points).padStart(6)}/${r.score.maxPoints}${r.notices.length ? `  (${r.notices[0]})` : ''}`);
        }
        const seconds = (outcome.durationMs / 1000).toFixed(1);
        console.log(
          `\n${outcome.results.length} submission(s) in ${seconds} s (${outcome.graded} graded, ${outcome.reused} unchanged since the last run)${outcome.interrupted ? ' — interrupted, run again to finish' : ''}`,
        );
        console.log(
          `reports: ${path.relative(process.cwd(), outDir) || '.'}/<student>/report.html, grades: ${path.join(path.relative(process.cwd(), outDir), 'grades.csv')}, summary: ${path.join(path.relative(process.cwd(), outDir), 'summary.json')}`,
        );
        if (outcome.interrupted) process.exitCode = 130;
      },
    );
}
