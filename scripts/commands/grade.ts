// `dlgrade grade`: a whole folder of submissions, public and hidden tests.
import type { Command } from 'commander';
import os from 'node:os';
import path from 'node:path';
import { createContext } from '../../graders/engine/context.js';
import { gradeBatch } from '../../graders/engine/batch.js';
import { fixturesFingerprint } from '../../graders/engine/cache.js';
import { parseShard, writeShardFile } from '../../graders/engine/shard.js';
import { ENGINE_VERSION } from '../../graders/version.js';
import { applyAnswersOptions, NO_KNOWN_ID, withRosterIds } from '../../graders/answers/grade-submission.js';
import { attachStaffScores, unmatchedStaffScoreWarnings } from '../../graders/manual/manual-questions.js';
import { answerKeys, batchReporters, collect, describeSkipped, parsePositiveInt, plural, pythonOption, reporterOption, scoreLines } from './common.js';
import { gradebookFromOptions, readRoster } from '../../graders/reporters/gradebook.js';
import { defaultPython } from '../../graders/runners/python-runner.js';
import { readExtensions } from '../../graders/intake/deadlines.js';
import { canvasRosterIds } from '../../graders/intake/roster-ids.js';
import { statSubmissions } from '../../graders/intake/layouts.js';
import { DlgradeError } from '../../graders/errors.js';
import { resultPath } from '../../graders/reporters/student-files.js';
import type { ResultT } from '../../graders/result/schema.js';
import { readFileSync } from 'node:fs';
import { prepareOutputFolder } from '../../graders/util/output-folder.js';

export function registerGrade(program: Command): void {
  program
    .command('grade')
    .description('grade every submission in a folder or zip (a folder, .zip or notebook per student, or a Canvas, Moodle, GitHub Classroom or Gradescope download) on public and hidden tests')
    .argument('<assignment>', 'assignment id')
    .argument('<submissions>', 'folder (or .zip) of submissions')
    .option('-o, --out <dir>', 'output folder', 'dlgrade-out')
    .option('-j, --jobs <n>', 'submissions graded at once', String(os.availableParallelism()))
    .option('-q, --question <id>', 'only this question (repeatable)', collect)
    .option('--force', 're-grade even submissions whose result is cached (same submission, assignment, fixtures and dlgrade version)')
    .option('--cache-dir <dir>', 'where graded results are cached (default: <out>/.dlgrade-cache)')
    .option('--shard <K/N>', 'grade only shard K of N of the sorted submissions and write shard-K-of-N.json for "dlgrade merge"')
    .option('--no-progress', 'no progress bar')
    .option('--no-warm', 'start a fresh Python process per submission instead of warm workers (PyTorch imported once per worker)')
    .option('--roster <csv>', 'class roster (e.g. a Canvas gradebook export): also write gradebook.csv in Canvas import format and gradebook-issues.csv')
    .option('--roster-key <column>', 'roster column(s) holding the student ids, comma-separated (default: SIS Login ID, SIS User ID, ID, Email)')
    .option('--gradebook-column <name>', 'the assignment column in the gradebook (default: the assignment title)')
    .option('--no-sandbox', 'run student code without the bubblewrap sandbox (only for code you trust)')
    .option('--extensions <csv>', 'per-student deadlines for the manifest\'s late policy: a CSV with the columns student and deadline (ISO 8601)')
    .option('--staff-scores <file>', 'a CSV student_id,question,item,points,comment of staff scores for the manual questions (item optional)')
    .option('--variant-id <source>', 'answers assignments: whose variant values to grade with — submission (its name, default), file (its student_id) or canonical')
    .addOption(reporterOption())
    .addOption(pythonOption())
    .action(
      async (
        assignmentId: string,
        submissions: string,
        opts: { out: string; roster?: string; rosterKey?: string; jobs: string; question?: string[]; force?: boolean; cacheDir?: string; shard?: string; progress: boolean; warm: boolean; sandbox: boolean; python?: string; extensions?: string; staffScores?: string; variantId?: string; reporter?: string[] },
      ) => {
        const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
        const extensions = opts.extensions ? await readExtensions(path.resolve(opts.extensions)) : undefined;
        const jobs = parsePositiveInt(opts.jobs, '--jobs');
        // A mistyped path, or an output folder that cannot be written, is said before the workers start importing PyTorch
        // (the folders are made once the assignment is known to exist).
        await statSubmissions(path.resolve(submissions));
        const ctx = await createContext(assignmentId, {
          mode: 'grade',
          keys: await answerKeys(),
          questionIds: opts.question,
          python: opts.python,
          workers: opts.warm ? jobs : 0,
          sandboxPolicy: opts.sandbox ? 'required' : 'off',
          beforeRunner: async () => {
            await prepareOutputFolder(opts.out, '--out');
            if (opts.cacheDir !== undefined) await prepareOutputFolder(opts.cacheDir, '--cache-dir');
          },
        });
        await applyAnswersOptions(ctx, { variantId: opts.variantId });
        if (opts.staffScores !== undefined) await attachStaffScores(ctx, opts.staffScores);
        // A roster says which submission names are student ids, so variants follow the roster, not the folder names.
        if (ctx.answersKey && opts.roster) await withRosterIds(ctx, opts.roster, opts.rosterKey);
        const outDir = path.resolve(opts.out);
        const reporters = batchReporters(outDir, await gradebookFromOptions(outDir, ctx.assignment.manifest.title, opts as { roster?: string; rosterKey?: string; gradebookColumn?: string }), opts.reporter);
        const controller = new AbortController();
        const onSigint = () => {
          if (controller.signal.aborted) process.exit(130);
          process.stderr.write('\nstopping after the submissions in progress (Ctrl-C again to quit now)…\n');
          controller.abort();
        };
        process.on('SIGINT', onSigint);
        if (extensions && !ctx.assignment.manifest.late) throw new DlgradeError('USAGE', `--extensions needs a late policy in the manifest (late: { deadline, penalty_percent_per_day, … }); ${ctx.assignment.manifest.id} has none`);
        const rosterIds = opts.roster ? canvasRosterIds(await readRoster(path.resolve(opts.roster)), opts.rosterKey) : undefined;
        const outcome = await gradeBatch(ctx, submissions, reporters, {
          outDir,
          python: defaultPython(opts.python),
          late: { policy: ctx.assignment.manifest.late, extensions },
          renameStudent: rosterIds ? (s) => (s.format === 'canvas' ? rosterIds.get(s.student) : undefined) : undefined,
          jobs,
          force: opts.force,
          cacheDir: opts.cacheDir === undefined ? undefined : path.resolve(opts.cacheDir),
          shard,
          progress: opts.progress && process.stderr.isTTY,
          signal: controller.signal,
        }).finally(() => ctx.runner.close?.());
        process.off('SIGINT', onSigint);
        const { manifest } = ctx.assignment;
        const shardFile = shard
          ? await writeShardFile(outDir, {
              shard,
              complete: !outcome.interrupted && outcome.results.length === outcome.students.length,
              assignment: { id: manifest.id, version: manifest.version, manifestSha256: ctx.assignment.manifestSha256 },
              engine: ENGINE_VERSION,
              mode: ctx.mode,
              fixtures: { referenceVersion: ctx.lock.referenceVersion, backend: ctx.lock.backend, seed: ctx.lock.seed, lockSha256: fixturesFingerprint(ctx.lock) },
              questions: ctx.questionIds ?? [],
              students: outcome.students,
              graded: outcome.results.map((r) => r.student),
              readResult: (student) => readFullResult(outDir, student),
            })
          : undefined;
        if (outcome.students.length === 0 && !shard) {
          // Nothing to grade is a mistake in the command, not an empty class: say what was there and why it was passed over.
          const skipped = outcome.skipped.slice(0, 20).map((s) => `  ${s.entry}: ${s.reason}`);
          const more = outcome.skipped.length > skipped.length ? `\n  … and ${outcome.skipped.length - skipped.length} more` : '';
          const detail = skipped.length
            ? `; expected a folder, .zip or notebook per student, or a Canvas, Moodle, GitHub Classroom or Gradescope download. Skipped:\n${skipped.join('\n')}${more}`
            : await describeSkipped(submissions);
          process.stderr.write(`dlgrade: found no submission in ${submissions}${detail}\n`);
          process.exitCode = 2;
          return;
        }
        for (const skip of outcome.skipped) console.log(`skipped ${skip.entry}: ${skip.reason}`);
        for (const line of scoreLines(outcome.results)) console.log(line);
        for (const warning of unmatchedStaffScoreWarnings(ctx, outcome.students, outcome.results)) console.warn(`warning: ${warning}`);
        const unknown = outcome.results.filter((r) => r.notices.some((n) => n.startsWith(NO_KNOWN_ID)));
        if (unknown.length) {
          console.warn(
            `warning: ${plural(unknown.length, 'submission')} of ${manifestOf(ctx)} ${unknown.length === 1 ? 'has' : 'have'} no known student id (${unknown.slice(0, 5).map((r) => r.student).join(', ')}${unknown.length > 5 ? ', …' : ''}): graded with the answers file's student_id or the handout's values. Pass --roster (the class list) so each is graded with its student's own values.`,
          );
        }
        const seconds = (outcome.durationMs / 1000).toFixed(1);
        console.log(
          `\n${plural(outcome.results.length, 'submission')} (${outcome.format}) in ${seconds} s (${outcome.graded} graded, ${outcome.reused} unchanged since the last run)${outcome.interrupted ? ' — interrupted, run again to finish' : ''}`,
        );
        console.log(
          `reports: ${path.relative(process.cwd(), outDir) || '.'}/<student>/report.html, grades: ${path.join(path.relative(process.cwd(), outDir), 'grades.csv')}, summary: ${path.join(path.relative(process.cwd(), outDir), 'summary.json')}`,
        );
        if (shardFile) console.log(`shard ${shard!.index}/${shard!.total}: ${path.relative(process.cwd(), shardFile)} — combine the shards with "dlgrade merge <shard folders…> --out <dir>"`);
        if (outcome.interrupted) process.exitCode = 130;
      },
    );
}

/** A student's canonical result as the json reporter wrote it (the batch keeps slim copies only). */
function readFullResult(outDir: string, student: string): ResultT {
  const file = resultPath(outDir, student);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ResultT;
  } catch (error) {
    throw new DlgradeError('RESULTS_INCOMPATIBLE', `cannot write the shard file: the result of ${student} was to be read from ${file}, which ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `is unreadable (${(error as Error).message})`}`, { cause: error });
  }
}

const manifestOf = (ctx: { assignment: { manifest: { id: string } } }) => ctx.assignment.manifest.id;
