// `dlgrade review`: serves the review page for a grade output folder until Ctrl-C.
import type { Command } from 'commander';
import path from 'node:path';
import { loadAssignment } from '../../graders/manifest/load-manifest.js';
import { startReviewServer } from '../../graders/manual/review-server.js';
import { parsePositiveInt } from './common.js';

export function registerReview(program: Command): void {
  program
    .command('review')
    .description('grade manual questions in the browser, one student at a time; writes the staff-scores CSV that grade --staff-scores reads')
    .argument('<assignment>', 'assignment id or manifest path')
    .argument('<out>', 'a grade output folder (its results/ are shown)')
    .option('--scores <file>', 'the staff-scores CSV to read and write (default: OUT/staff-scores.csv)')
    .option('--port <n>', 'port on 127.0.0.1 (default: any free port)')
    .action(async (assignmentId: string, out: string, opts: { scores?: string; port?: string }) => {
      const assignment = await loadAssignment(assignmentId);
      const outDir = path.resolve(out);
      const scoresFile = path.resolve(opts.scores ?? path.join(outDir, 'staff-scores.csv'));
      const server = await startReviewServer({ assignment, outDir, scoresFile, ...(opts.port ? { port: parsePositiveInt(opts.port, '--port') } : {}) });
      console.log(`reviewing ${server.students} submission(s) of ${assignment.manifest.id} at ${server.url}`);
      console.log(`scores are written to ${scoresFile}; then: dlgrade grade ${assignment.manifest.id} SUBMISSIONS --out ${out} --staff-scores ${path.relative(process.cwd(), scoresFile) || scoresFile}`);
      console.log('Ctrl-C stops the server');
      await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
      await server.close();
    });
}
