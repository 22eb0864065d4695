// `dlgrade check`: a student's own run of the public tests.
import type { Command } from 'commander';
import path from 'node:path';
import { createContext } from '../../graders/engine/context.js';
import { stat } from 'node:fs/promises';
import { gradeSubmission, memoryLimitMb } from '../../graders/engine/grade-submission.js';
import type { ResultT } from '../../graders/result/schema.js';
import { gradeStaged, recordIntake, submissionFromPath } from '../../graders/intake/grade-intake.js';
import { stageSubmission } from '../../graders/intake/stage.js';
import { defaultPython } from '../../graders/runners/python-runner.js';
import { applyAnswersOptions } from '../../graders/answers/grade-submission.js';
import { createReporters } from '../../graders/reporters/index.js';
import { renderConsole } from '../../graders/reporters/console.js';
import { diffResults } from '../../graders/reporters/check-diff.js';
import { watchSubmission } from '../../graders/engine/watch.js';
import { answerKeys, collect, pythonOption, reporterOption, studentIdFromConfig, studentIdOption } from './common.js';
import { assertSubmissionPath } from '../../graders/engine/submission-folder.js';
import { leaveServerBehind } from '../../graders/check-server/client.js';
import type { ContextOptions } from '../../graders/engine/context.js';

/** What the check server lends the checks it runs (scripts/check-server.ts): its warm workers and parsed fixtures. */
export type ServerLoans = Pick<ContextOptions, 'sharedRunner' | 'fixtureFiles'>;

/** Registers `check`; `loans` is given only inside the check server. */
export function registerCheck(program: Command, loans?: ServerLoans): void {
  program
    .command('check')
    .description("run the public tests on one submission (a student's own check)")
    .argument('<assignment>', 'assignment id, e.g. style-transfer')
    .option('-s, --submission <path>', 'submission: a folder, a .zip, a notebook (.ipynb) or a .py file', '.')
    .option('-q, --question <id>', 'only this question (repeatable)', collect)
    .option('--json', 'print the result as JSON instead of a table (the json reporter)')
    .addOption(reporterOption())
    .option('-v, --verbose', 'show passing cases too')
    .option('-w, --watch', 'keep running: check again on every save of the submission, printing only what changed')
    .addOption(studentIdOption())
    .addOption(pythonOption())
    .option('--no-server', 'check in this process only: neither use nor leave behind a check server (also DLGRADE_CHECK_SERVER=off)')
    .action(async (assignmentId: string, opts: { submission: string; question?: string[]; json?: boolean; verbose?: boolean; python?: string; studentId?: string; reporter?: string[]; watch?: boolean }) => {
      const names = [...(opts.reporter ?? []), ...(opts.json ? ['json'] : [])];
      // Built before grading, so an unknown or unusable reporter is a usage error, not a lost run.
      const reporters = createReporters('check', { names, verbose: opts.verbose });
      const info = await stat(opts.submission).catch(() => undefined);
      const kind = info?.isFile() ? (opts.submission.toLowerCase().endsWith('.zip') ? 'zip' : 'file') : 'dir';
      // One warm worker, started before the fixtures load, so importing PyTorch overlaps the harness's own work; a
      // folder or file that holds no submission is refused before it (after the options, so a wrong question id is named).
      const ctx = await createContext(assignmentId, {
        mode: 'check',
        keys: await answerKeys(),
        questionIds: opts.question,
        python: opts.python,
        workers: 1,
        ...loans,
        beforeRunner: (assignment) => assertSubmissionPath(opts.submission, assignment.manifest),
      });
      // The same id the instructor grades under: from --student-id, DLGRADE_STUDENT_ID or the kit's config file.
      const studentId = opts.studentId ?? (await studentIdFromConfig());
      if (ctx.answersKey) await applyAnswersOptions(ctx, { studentId });
      const { manifest } = ctx.assignment;
      // --student-id names the result as the course's reports do, so a report's reproduce command gives the same header.
      const student = studentId ?? path.basename(path.resolve(opts.submission));
      if (opts.watch && kind === 'dir') {
        const submission = { student, dir: opts.submission };
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
      const inPlace = kind === 'dir' && (await Promise.all(manifest.files.map((f) => stat(path.join(opts.submission, f)).then((i) => i.isFile(), () => false)))).every(Boolean);
      let result: ResultT;
      if (inPlace) {
        // The usual case, a student's own folder with the files in place: graded where it is, whatever else it holds.
        result = await gradeSubmission(ctx, { student, dir: opts.submission }).finally(() => ctx.runner.close?.());
      } else {
        // A notebook, a zip, a .py file, or a folder whose module is a notebook or under a sub-folder.
        const submission = submissionFromPath(opts.submission, kind);
        if (kind === 'dir') submission.student = submission.original = student;
        else if (studentId) submission.student = studentId;
        const staged = await stageSubmission(submission, manifest.files).catch(async (error) => {
          await ctx.runner.close?.();
          throw error;
        });
        result = await gradeStaged(ctx, submission, staged, defaultPython(opts.python))
          .then((r) => recordIntake(r, submission, staged, {}))
          .finally(() => Promise.all([ctx.runner.close?.(), staged.cleanup()]));
      }
      await reporters.onResult(result);
      await reporters.onEnd([result]);
      if (!loans && ctx.kind.runsCode) {
        // This check found no check server (bin/dlgrade.js asked first): it leaves one for the next check.
        const pid = leaveServerBehind({ python: defaultPython(opts.python), memoryMb: memoryLimitMb(manifest) });
        if (pid && opts.verbose) process.stderr.write(`dlgrade: started a check server (pid ${pid}) for the next check ("dlgrade server stop" stops it)\n`);
      }
    });
}

