// The dlgrade command line: thin wrappers over graders/.
import path from 'node:path';
import { Command, Option } from 'commander';
import { DlgradeError } from '../graders/errors.js';
import { listAssignments, loadAssignment } from '../graders/manifest/load-manifest.js';
import { createContext } from '../graders/engine/context.js';
import { gradeSubmission } from '../graders/engine/grade-submission.js';
import { gradeBatch } from '../graders/engine/batch.js';
import { validateAssignment } from '../graders/engine/validate.js';
import { generateFixtures } from '../graders/fixtures/generate.js';
import { ReporterMultiplexer } from '../graders/reporters/reporter.js';
import { ConsoleReporter } from '../graders/reporters/console.js';
import { JsonResultReporter, StudentReportReporter, GradescopeReporter } from '../graders/reporters/student-files.js';
import { ClassFilesReporter } from '../graders/reporters/class-files.js';
import { loadReference } from '../reference/index.js';
import { ENGINE_VERSION } from '../graders/version.js';
import os from 'node:os';

const program = new Command('dlgrade')
  .description('Autograder for deep-learning courses: PyTorch submissions checked against TensorFlow.js references')
  .version(ENGINE_VERSION);

const collect = (value: string, previous: string[] = []) => [...previous, value];
const pythonOption = () => new Option('--python <path>', 'Python interpreter with NumPy and PyTorch').env('DLGRADE_PYTHON');

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

program
  .command('check')
  .description("run the public tests on one submission (a student's own check)")
  .argument('<assignment>', 'assignment id, e.g. style-transfer')
  .option('-s, --submission <dir>', 'submission folder', '.')
  .option('-q, --question <id>', 'only this question (repeatable)', collect)
  .option('--json', 'print the result as JSON instead of a table')
  .option('-v, --verbose', 'show passing cases too')
  .addOption(pythonOption())
  .action(async (assignmentId: string, opts: { submission: string; question?: string[]; json?: boolean; verbose?: boolean; python?: string }) => {
    const ctx = await createContext(assignmentId, { mode: 'check', questionIds: opts.question, python: opts.python });
    const result = await gradeSubmission(ctx, { student: path.basename(path.resolve(opts.submission)), dir: opts.submission });
    if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else await new ReporterMultiplexer([new ConsoleReporter(process.stdout, opts.verbose)]).onResult(result);
  });

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
  .action(async (assignmentId: string, submissions: string, opts: { out: string; jobs: string; question?: string[]; force?: boolean; progress: boolean; python?: string }) => {
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
    console.log(`\n${outcome.results.length} submission(s) in ${seconds} s (${outcome.graded} graded, ${outcome.reused} unchanged since the last run)${outcome.interrupted ? ' — interrupted, run again to finish' : ''}`);
    console.log(`reports: ${path.relative(process.cwd(), outDir) || '.'}/<student>/report.html, grades: ${path.join(path.relative(process.cwd(), outDir), 'grades.csv')}, summary: ${path.join(path.relative(process.cwd(), outDir), 'summary.json')}`);
    if (outcome.interrupted) process.exitCode = 130;
  });

program
  .command('fixtures')
  .description('regenerate the .npz fixtures from the TypeScript reference (seeded), or --check them')
  .argument('<assignment>', 'assignment id')
  .option('--check', 'verify the committed fixtures are byte-identical to a regeneration')
  .addOption(new Option('--backend <name>', 'TensorFlow.js back end').choices(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).env('DLGRADE_BACKEND'))
  .action(async (assignmentId: string, opts: { check?: boolean; backend?: string }) => {
    const assignment = await loadAssignment(assignmentId);
    const reference = await referenceFor(assignment.manifest.id);
    const report = await generateFixtures(assignment, reference, { check: opts.check, backend: opts.backend });
    console.log(`back end: ${report.backend}`);
    if (opts.check) {
      if (report.mismatched.length) {
        console.log(`${report.mismatched.length} fixture file(s) differ from a regeneration:\n  ${report.mismatched.join('\n  ')}`);
        process.exitCode = 1;
      } else console.log(`${report.files.length} fixture file(s) are byte-identical to a regeneration`);
    } else console.log(`wrote ${report.files.length} fixture file(s) and fixtures.lock.json for ${assignment.manifest.id}`);
  });

program
  .command('validate')
  .description("self-test an assignment: schema, fixtures, reference, the solution's full marks, the starter's zero")
  .argument('<assignment>', 'assignment id')
  .addOption(pythonOption())
  .action(async (assignmentId: string, opts: { python?: string }) => {
    const ctx = await createContext(assignmentId, { mode: 'grade', python: opts.python });
    const checks = await validateAssignment(ctx, await loadReference(ctx.assignment.manifest.id));
    for (const c of checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
    if (checks.some((c) => !c.ok)) process.exitCode = 1;
  });

async function referenceFor(id: string) {
  const reference = await loadReference(id);
  if (!reference) throw new DlgradeError('REFERENCE_INVALID', `no answer key is registered for "${id}" in reference/index.ts`);
  return reference;
}

function parsePositiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new DlgradeError('USAGE', `${flag} must be a positive whole number, got ${JSON.stringify(value)}`);
  return n;
}

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof DlgradeError) {
    process.stderr.write(`dlgrade: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`dlgrade: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(3);
});
