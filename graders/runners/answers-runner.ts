// The runner of answers assignments (runner: answers): no student code runs, so there is nothing to execute.
import type { RunOutcome, Runner, RunnerJob } from './runner.js';

/**
 * Answers files are read and graded in the harness process by graders/answers (gradeSubmission hands them over
 * before any runner job is built). This runner exists so the factory stays exhaustive; a job with cases is a bug.
 */
export class AnswersRunner implements Runner {
  readonly language = 'answers';

  async run(job: RunnerJob): Promise<RunOutcome> {
    if (job.cases.length > 0) throw new Error('internal: answers assignments are graded by graders/answers, not through a runner job');
    return { cases: new Map(), runtime: {}, sandbox: 'none (answers are read, no student code runs)' };
  }
}
