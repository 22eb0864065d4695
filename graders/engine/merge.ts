// Combines the shard files of a sharded batch into the results of one run, refusing shards that do not belong together.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { DlgradeError } from '../errors.js';
import { RESULT_SCHEMA_VERSION, type ResultT } from '../result/schema.js';
import { ENGINE_VERSION } from '../version.js';
import { SHARD_FORMAT, SHARD_FORMAT_VERSION, compareCodePoints, type ShardFile } from './shard.js';

/** A shard file and where it was read from (for messages). */
export interface LoadedShard {
  file: string;
  shard: ShardFile;
}

const SHARD_NAME = /^shard-(\d+)-of-(\d+)\.json$/;

/** Finds the shard files named on the command line: files, or folders holding shard-K-of-N.json files. */
export async function findShardFiles(inputs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (!info) throw new DlgradeError('USAGE', `${input} does not exist; expected a folder written by "dlgrade grade --shard K/N" or its shard-K-of-N.json`);
    if (info.isFile()) {
      files.push(input);
      continue;
    }
    const names = (await readdir(input)).filter((n) => SHARD_NAME.test(n)).sort(compareCodePoints);
    if (names.length === 0) {
      throw new DlgradeError('RESULTS_INCOMPATIBLE', 'holds no shard-K-of-N.json: was it written by "dlgrade grade --shard K/N"?', { file: input });
    }
    files.push(...names.map((n) => path.join(input, n)));
  }
  return files;
}

/** Reads one shard file, refusing anything that is not one or was written by a newer dlgrade. */
export async function readShardFile(file: string): Promise<LoadedShard> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new DlgradeError('RESULTS_INCOMPATIBLE', `is not a readable shard file: ${(cause as Error).message}`, { file, cause });
  }
  const shard = data as Partial<ShardFile>;
  if (!shard || typeof shard !== 'object' || shard.format !== SHARD_FORMAT || typeof shard.version !== 'number') {
    throw new DlgradeError('RESULTS_INCOMPATIBLE', `is not a dlgrade shard file (expected "format": "${SHARD_FORMAT}" and a "version")`, { file });
  }
  if (shard.version > SHARD_FORMAT_VERSION) {
    throw new DlgradeError(
      'RESULTS_INCOMPATIBLE',
      `was written by a newer dlgrade (shard format ${shard.version}, graded by dlgrade ${String(shard.engine)}); this dlgrade ${ENGINE_VERSION} reads shard format ${SHARD_FORMAT_VERSION} and older: upgrade dlgrade where you merge`,
      { file },
    );
  }
  if (!Array.isArray(shard.results) || !Array.isArray(shard.students) || !shard.shard || !shard.assignment) {
    throw new DlgradeError('RESULTS_INCOMPATIBLE', 'is a truncated or damaged shard file (no results, students, shard or assignment)', { file });
  }
  const newer = shard.results.find((r) => typeof r?.schemaVersion !== 'number' || r.schemaVersion > RESULT_SCHEMA_VERSION);
  if (newer) {
    throw new DlgradeError(
      'RESULTS_INCOMPATIBLE',
      `holds a result of a newer format (result schema ${String(newer?.schemaVersion)}; this dlgrade reads ${RESULT_SCHEMA_VERSION}): upgrade dlgrade where you merge`,
      { file },
    );
  }
  return { file, shard: shard as ShardFile };
}

const label = (s: LoadedShard) => `${path.basename(s.file)} (shard ${s.shard.shard.index}/${s.shard.shard.total})`;

/** Says how two shards differ in one respect, or nothing when they agree. */
function differ(a: LoadedShard, b: LoadedShard, what: string, show: (s: ShardFile) => string, advice: string): void {
  const va = show(a.shard);
  const vb = show(b.shard);
  if (va !== vb) {
    throw new DlgradeError('RESULTS_INCOMPATIBLE', `cannot merge: the shards were graded with different ${what}: ${va} in ${a.file}, ${vb} in ${b.file}; ${advice}`);
  }
}

/**
 * Checks that the shards are all the shards of one batch — same assignment and version, fixtures, engine,
 * mode and questions; each of 1..N exactly once; complete; no student twice — and returns every result,
 * sorted by student as a single run sorts them.
 */
export function mergeShards(shards: LoadedShard[]): ResultT[] {
  if (shards.length === 0) throw new DlgradeError('USAGE', 'merge needs at least one shard');
  const [first] = shards;
  const regrade = 'grade every shard with the same dlgrade, assignment and fixtures';
  for (const other of shards.slice(1)) {
    differ(first, other, 'assignments', (s) => `"${s.assignment.id}"`, 'only shards of one assignment can be merged');
    differ(
      first,
      other,
      `versions of ${first.shard.assignment.id}`,
      (s) => `version ${s.assignment.version} (manifest sha256 ${s.assignment.manifestSha256.slice(0, 12)})`,
      regrade,
    );
    differ(first, other, 'fixtures', (s) => `reference ${s.fixtures.referenceVersion}, seed ${s.fixtures.seed}, lock sha256 ${s.fixtures.lockSha256.slice(0, 12)}`, regrade);
    differ(first, other, 'dlgrade versions', (s) => s.engine, regrade);
    differ(first, other, 'modes', (s) => s.mode, regrade);
    differ(first, other, 'question selections', (s) => (s.questions.length ? s.questions.join(',') : 'all questions'), regrade);
    differ(first, other, 'shard counts', (s) => `${s.shard.total} shards`, 'merge the shards of one run');
  }
  const total = first.shard.shard.total;
  const byIndex = new Map<number, LoadedShard>();
  for (const s of shards) {
    const { index } = s.shard.shard;
    const seen = byIndex.get(index);
    if (seen) throw new DlgradeError('RESULTS_INCOMPATIBLE', `cannot merge: shard ${index}/${total} was given twice: ${seen.file} and ${s.file}`);
    byIndex.set(index, s);
  }
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) {
    throw new DlgradeError(
      'RESULTS_INCOMPATIBLE',
      `cannot merge: shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${total}`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing (given: ${[...byIndex.keys()].sort((a, b) => a - b).map((i) => `${i}/${total}`).join(', ')}); a merge of part of a class would leave students out of grades.csv`,
    );
  }
  const owner = new Map<string, LoadedShard>();
  const results: ResultT[] = [];
  for (const s of shards) {
    if (!s.shard.complete) {
      throw new DlgradeError(
        'RESULTS_INCOMPATIBLE',
        `cannot merge: ${label(s)} was interrupted with ${s.shard.results.length} of ${s.shard.students.length} submissions graded; run its "dlgrade grade --shard ${s.shard.shard.index}/${total}" again to finish it`,
        { file: s.file },
      );
    }
    const graded = new Set(s.shard.results.map((r) => r.student));
    const ungraded = s.shard.students.filter((st) => !graded.has(st));
    if (ungraded.length || graded.size !== s.shard.results.length) {
      throw new DlgradeError('RESULTS_INCOMPATIBLE', `${label(s)} lists students without a result (${ungraded.slice(0, 5).join(', ')}) or a student twice; it is damaged`, { file: s.file });
    }
    for (const r of s.shard.results) {
      if (r.assignment.id !== s.shard.assignment.id || r.assignment.manifestSha256 !== s.shard.assignment.manifestSha256) {
        throw new DlgradeError('RESULTS_INCOMPATIBLE', `the result of ${r.student} in ${label(s)} is for ${r.assignment.id} ${r.assignment.version}, not the shard's assignment`, { file: s.file });
      }
      const other = owner.get(r.student);
      if (other) throw new DlgradeError('RESULTS_INCOMPATIBLE', `cannot merge: student ${r.student} is in both ${other.file} and ${s.file}; were the shards graded from different submission folders?`);
      owner.set(r.student, s);
      results.push(r);
    }
  }
  return results.sort((a, b) => compareCodePoints(a.student, b.student));
}
