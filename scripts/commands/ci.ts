// `dlgrade ci`: the pull-request gate — public tests from the installed dlgrade, an exit code, JUnit, GitHub annotations.
import type { Command } from 'commander';
import { Option } from 'commander';
import path from 'node:path';
import { createContext } from '../../graders/engine/context.js';
import { gradeSubmission, selectedCases, selectedQuestions } from '../../graders/engine/grade-submission.js';
import { verifyFixtures, caseFiles } from '../../graders/fixtures/verify.js';
import { fixturesDir } from '../../graders/fixtures/paths.js';
import { assignmentsRoot, loadAssignment, projectRoot } from '../../graders/manifest/load-manifest.js';
import { assertSubmissionFolder } from '../../graders/engine/submission-folder.js';
import { templatesDir } from '../../graders/reporters/templates.js';
import { assertOutsideSubmission } from '../../graders/ci/trust.js';
import { evaluateGate, parseGate } from '../../graders/ci/gate.js';
import { onGithubActions } from '../../graders/reporters/github.js';
import { createReporters } from '../../graders/reporters/index.js';
import { DlgradeError } from '../../graders/errors.js';
import { answerKeys, plural, pythonOption, reporterOption } from './common.js';
import { prepareOutputFile } from '../../graders/util/output-folder.js';

/** Exit codes, part of the interface: workflows branch on them. */
export const CI_EXIT = { gatePassed: 0, gateFailed: 1, harnessFailed: 2 } as const;

interface CiOptions {
  submission: string;
  minScore?: string;
  require?: string;
  junit?: string;
  python?: string;
  reporter?: string[];
  /** False with --no-sandbox. */
  sandbox: boolean;
}

export function registerCi(program: Command): void {
  program
    .command('ci')
    .description('gate a pull request on the public tests: exit 0 when the gate holds, 1 when it does not, 2 when the harness could not run')
    .argument('<assignment>', 'assignment id, e.g. style-transfer')
    .option('-s, --submission <dir>', "submission folder (the student's repository checkout)", '.')
    .addOption(new Option('--min-score <fraction>', 'pass when the public points reach this share of the maximum, e.g. 0.8').conflicts('require'))
    .addOption(new Option('--require <all|ids>', 'pass when every question ("all", the default) or the listed question ids (comma-separated) pass'))
    .option('--junit <file>', 'write JUnit XML (one testcase per public case) to this file')
    .option('--no-sandbox', 'run the submission without the bubblewrap sandbox (only for code you trust)')
    .addOption(reporterOption())
    .addOption(pythonOption())
    // Commander's own usage errors exit 1 by default, which a workflow would read as "the gate does not hold".
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : CI_EXIT.harnessFailed))
    .addHelpText(
      'after',
      `
Exit codes:
  0  the gate holds
  1  the gate does not hold (a question fails, or the score is below --min-score)
  2  the harness could not run: bad manifest, missing interpreter, fixtures that do not match
     their lock, tests taken from inside the submission, bad options

Tests, fixtures and templates always come from this installation of dlgrade (or the instructor
kit it was unpacked from), never from the submission; every fixture is checked against
fixtures.lock.json before a case runs. On GitHub Actions (GITHUB_ACTIONS=true) failing cases
become ::error annotations on the student's line, and a Markdown report is appended to
$GITHUB_STEP_SUMMARY.`,
    )
    .action(async (assignmentId: string, opts: CiOptions) => {
      try {
        process.exitCode = await runCi(assignmentId, opts);
      } catch (error) {
        // Anything that stops the harness — a user error or a bug — is exit 2, never a verdict on the student.
        const message = error instanceof DlgradeError ? error.message : `internal error: ${(error as Error)?.stack ?? String(error)}`;
        process.stderr.write(`dlgrade ci: ${message}\n`);
        process.exitCode = CI_EXIT.harnessFailed;
      }
    });
}

async function runCi(assignmentId: string, opts: CiOptions): Promise<number> {
  const submissionDir = path.resolve(opts.submission);
  // Without bubblewrap ci refuses (exit 2) unless --no-sandbox says to run the submission as it is.
  const ctx = await createContext(assignmentId, {
    mode: 'ci',
    keys: await answerKeys(),
    python: opts.python,
    sandboxPolicy: opts.sandbox ? 'required' : 'off',
    // A JUnit file that cannot be written would leave the CI service without its report: said before anything runs.
    beforeRunner: async () => (opts.junit ? prepareOutputFile(opts.junit, '--junit', 'dlgrade-junit.xml') : undefined),
  });
  const { assignment } = ctx;
  const gate = parseGate({ minScore: opts.minScore, require: opts.require }, assignment.manifest.questions.map((q) => q.id));

  // Tamper resistance: nothing the harness trusts may live in the student's tree, and the fixtures must match the lock.
  const cases = selectedQuestions(ctx).flatMap((question) => selectedCases(question, ctx.mode).map((c) => ({ question, c })));
  const root = fixturesDir(assignment);
  await assertOutsideSubmission(submissionDir, [
    { label: 'the dlgrade installation', path: projectRoot() },
    { label: 'the assignments folder', path: assignmentsRoot() },
    { label: 'the manifest', path: assignment.manifestPath },
    { label: 'the fixtures folder', path: root },
    { label: 'the report templates', path: templatesDir() },
    ...cases.flatMap(({ question, c }) => caseFiles(assignment, question, c).map((rel) => ({ label: `the fixture of ${question.id}/${c.id}`, path: path.join(root, rel) }))),
  ]);
  // After the trust check: a kit or repository passed as the submission is refused as such, not as "no files".
  await assertSubmissionFolder(submissionDir, assignment.manifest);
  const checked = await verifyFixtures(assignment, ctx.lock, cases);

  let verdict: ReturnType<typeof evaluateGate> | undefined;
  const multiplexer = createReporters('ci', {
    names: opts.reporter,
    ...(opts.junit ? { junitFile: path.resolve(opts.junit) } : {}),
    ...(onGithubActions()
      ? {
          github: {
            submissionDir,
            workspace: process.env.GITHUB_WORKSPACE ?? process.cwd(),
            summaryFile: process.env.GITHUB_STEP_SUMMARY || undefined,
            write: (text: string) => process.stdout.write(text),
            gate: () => verdict!,
            defaultFile: assignment.manifest.files[0],
          },
        }
      : {}),
  });
  const result = await gradeSubmission(ctx, { student: path.basename(submissionDir), dir: submissionDir });
  verdict = evaluateGate(result, gate);
  await multiplexer.onResult(result);
  await multiplexer.onEnd([result]);
  process.stdout.write(`fixtures: ${plural(checked, 'file')} ${checked === 1 ? 'matches' : 'match'} fixtures.lock.json (back end ${ctx.lock.backend}, reference ${ctx.lock.referenceVersion})\n`);
  process.stdout.write(`gate: ${verdict.pass ? 'passed' : 'FAILED'} — ${verdict.reason}\n`);
  return verdict.pass ? CI_EXIT.gatePassed : CI_EXIT.gateFailed;
}
