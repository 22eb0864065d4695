// Sharding a batch over many machines: which submissions shard K of N grades, and the versioned file each shard writes.
import path from 'node:path';
import { DlgradeError } from '../errors.js';
import type { ResultT } from '../result/schema.js';
import { writeFileAtomicFrom } from '../util/atomic-write.js';

/** One shard of a batch: `index` counts from 1, as in `--shard 1/4` (Playwright's convention). */
export interface Shard {
  index: number;
  total: number;
}

/** Bumped when a shard file changes shape; `merge` refuses files newer than it reads. */
export const SHARD_FORMAT_VERSION = 1;
export const SHARD_FORMAT = 'dlgrade-shard';

/** Parses "K/N" (1 ≤ K ≤ N) or says what was expected. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = match ? Number(match[1]) : NaN;
  const total = match ? Number(match[2]) : NaN;
  if (!match || !Number.isSafeInteger(index) || !Number.isSafeInteger(total) || total < 1 || index < 1 || index > total) {
    throw new DlgradeError(
      'USAGE',
      `--shard must be K/N with 1 <= K <= N (e.g. 1/4; in a Kubernetes Indexed Job use $((JOB_COMPLETION_INDEX + 1))/N), got ${JSON.stringify(text)}`,
    );
  }
  return { index, total };
}

/**
 * The items shard K of N grades: the items sorted by `key` (code-point order, so every machine agrees
 * whatever its locale or directory order), then every N-th one starting at K-1. Round-robin keeps the
 * shards within one submission of each other in size, and every item lands in exactly one shard.
 * Pure: the same set of items gives the same shards on every machine.
 */
export function selectShard<T>(items: readonly T[], shard: Shard, key: (item: T) => string): T[] {
  const sorted = [...items].sort((a, b) => compareCodePoints(key(a), key(b)));
  return sorted.filter((_, i) => i % shard.total === shard.index - 1);
}

/** Code-point order (not localeCompare), identical on every machine. */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What every result of a batch must agree on for shards to be merged. */
export interface ShardIdentity {
  assignment: { id: string; version: string; manifestSha256: string };
  /** dlgrade version that graded the shard. */
  engine: string;
  mode: string;
  fixtures: { referenceVersion: string; backend: string; seed: number; lockSha256: string };
  /** The questions graded (empty: all). */
  questions: string[];
}

/** The file a sharded `grade` writes next to its outputs; `merge` reads it. */
export interface ShardFile extends ShardIdentity {
  format: typeof SHARD_FORMAT;
  version: number;
  shard: Shard;
  /** False when the run was interrupted: merge refuses an incomplete shard. */
  complete: boolean;
  /** The student ids this shard was responsible for, sorted. */
  students: string[];
  /** Every result of the shard (graded now or taken from the cache), sorted by student. */
  results: ResultT[];
}

/** shard-K-of-N.json: distinct names, so the files of all shards can be collected in one folder. */
export function shardFileName(shard: Shard): string {
  return `shard-${shard.index}-of-${shard.total}.json`;
}

/** What writeShardFile needs: the header, and each graded student's full result read one at a time. */
export interface ShardFileSource extends Omit<ShardFile, 'format' | 'version' | 'results'> {
  /** The students whose result this run has (graded now or taken from the cache). */
  graded: string[];
  /** The full result of one of them (from results/<student>.json: the batch keeps only slim copies in memory). */
  readResult: (student: string) => ResultT;
}

/**
 * Writes the shard file atomically into `outDir` and returns its path. Results are read and written one at a time,
 * so a shard of a thousand students is never held in memory whole.
 */
export async function writeShardFile(outDir: string, source: ShardFileSource): Promise<string> {
  const target = path.join(outDir, shardFileName(source.shard));
  const { graded, readResult, ...rest } = source;
  const header: Omit<ShardFile, 'results'> = { format: SHARD_FORMAT, version: SHARD_FORMAT_VERSION, ...rest, students: [...rest.students].sort(compareCodePoints) };
  await writeFileAtomicFrom(target, shardChunks(header, graded, readResult));
  return target;
}

function* shardChunks(header: Omit<ShardFile, 'results'>, graded: string[], readResult: (student: string) => ResultT): Generator<string> {
  // The header's closing brace is reopened to append the results array one result at a time.
  yield JSON.stringify(header).slice(0, -1) + ',"results":[';
  let first = true;
  for (const student of [...graded].sort(compareCodePoints)) {
    yield (first ? '' : ',') + JSON.stringify(readResult(student));
    first = false;
  }
  yield ']}\n';
}
