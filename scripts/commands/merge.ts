// `dlgrade merge`: combines the outputs of `grade --shard K/N` runs into the outputs of one run.
import type { Command } from 'commander';
import path from 'node:path';
import { findShardFiles, mergeShards, readShardFile } from '../../graders/engine/merge.js';
import { batchReporters, plural } from './common.js';
import { prepareOutputFolder } from '../../graders/util/output-folder.js';

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('combine sharded grade runs (folders written by "grade --shard K/N", or their shard-K-of-N.json) into one set of outputs')
    .argument('<shards...>', 'shard output folders or shard-K-of-N.json files')
    .requiredOption('-o, --out <dir>', 'output folder for the merged reports, grades.csv and summary.json')
    .action(async (inputs: string[], opts: { out: string }) => {
      const shards = await Promise.all((await findShardFiles(inputs)).map(readShardFile));
      const results = mergeShards(shards);
      const outDir = path.resolve(opts.out);
      await prepareOutputFolder(outDir, '--out');
      const reporters = batchReporters(outDir);
      for (const result of results) await reporters.onResult(result);
      await reporters.onEnd(results);
      const { assignment, shard } = shards[0].shard;
      console.log(`merged ${plural(shard.total, 'shard')} of ${assignment.id} ${assignment.version}: ${plural(results.length, 'submission')}`);
      console.log(`grades: ${path.join(path.relative(process.cwd(), outDir), 'grades.csv')}, summary: ${path.join(path.relative(process.cwd(), outDir), 'summary.json')}`);
      if (reporters.failures.length) process.exitCode = 1;
    });
}
