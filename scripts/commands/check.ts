// `dlgrade check`: a student's own run of the public tests.
import type { Command } from 'commander';
import path from 'node:path';
import { createContext } from '../../graders/engine/context.js';
import { gradeSubmission } from '../../graders/engine/grade-submission.js';
import { applyAnswersOptions } from '../../graders/answers/grade-submission.js';
import { createReporters } from '../../graders/reporters/index.js';
import { renderConsole } from '../../graders/reporters/console.js';
import { diffResults } from '../../graders/reporters/check-diff.js';
import { watchSubmission } from '../../graders/engine/watch.js';
import { answerKeys, collect, pythonOption, reporterOption, studentIdFromConfig, studentIdOption } from './common.js';
import { assertSubmissionFolder } from '../../graders/engine/submission-folder.js';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description("run the public tests on one submission (a student's own check)")
    .argument('<assignment>', 'assignment id, e.g. style-transfer')
    .option('-s, --submission <dir>', 'submission folder', '.')
    .option('-q, --question <id>', 'only this question (repeatable)', collect)
    .option('--json', 'print the result as JSON instead of a table (the json reporter)')
    .addOption(reporterOption())
    .option('-v, --verbose', 'show passing cases too')
    .option('-w, --watch', 'keep running: check again on every save of the submission, printing only what changed')
    .addOption(studentIdOption())
    .addOption(pythonOption())
    .action(async (assignmentId: string, opts: { submission: string; question?: string[]; json?: boolean; verbose?: boolean; python?: string; studentId?: string; reporter?: string[]; watch?: boolean }) => {
      const names = [...(opts.reporter ?? []), ...(opts.json ? ['json'] : [])];
      // Built before grading, so an unknown or unusable reporter is a usage error, not a lost run.
      const reporters = createReporters('check', { names, verbose: opts.verbose });
      // One warm worker, started before the fixtures load, so importing PyTorch overlaps the harness's own work.
      const ctx = await createContext(assignmentId, { mode: 'check', keys: await answerKeys(), questionIds: opts.question, python: opts.python, workers: 1 });
      // The same id the instructor grades under: from --student-id, DLGRADE_STUDENT_ID or the kit's config file.
      const studentId = opts.studentId ?? (await studentIdFromConfig());
      if (ctx.answersKey) await applyAnswersOptions(ctx, { studentId });
      // After the options are checked, so a wrong question id is reported as such.
      await assertSubmissionFolder(opts.submission, ctx.assignment.manifest).catch(async (error: unknown) => {
        await ctx.runner.close?.();
        throw error;
      });

      // --student-id names the result as the course's reports do, so a report's reproduce command gives the same header.
      const submission = { student: studentId ?? path.basename(path.resolve(opts.submission)), dir: opts.submission };
      if (opts.watch) {
        const controller = new AbortController();
        const stop = () => controller.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        const color = process.stdout.isTTY && !process.env.NO_COLOR;
        await watchSubmission(
          ctx,
          submission,
          {
            onResult: (result, previous, ms) => {
              const stamp = `[${new Date().toTimeString().slice(0, 8)}] checked in ${Math.round(ms)} ms`;
              if (opts.json) process.stdout.write(JSON.stringify(result) + '\n');
              else if (!previous) process.stdout.write(renderConsole(result, !!color, opts.verbose) + `${stamp}\n`);
              else process.stdout.write(`\n${stamp}\n${diffResults(previous, result).join('\n')}\n`);
            },
            onWatching: (target) => process.stderr.write(`watching ${path.relative(process.cwd(), target) || '.'} for changes (Ctrl-C to stop)\n`),
            onError: (error) => process.stderr.write(`warning: the re-check failed: ${(error as Error).message}\n`),
          },
          controller.signal,
        ).finally(() => ctx.runner.close?.());
        return;
      }
      const result = await gradeSubmission(ctx, submission).finally(() => ctx.runner.close?.());
      await reporters.onResult(result);
      await reporters.onEnd([result]);
    });
}
