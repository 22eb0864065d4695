// The re-grade cache: a finished result is reused only when nothing that could change it has changed.
import { createHash } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FixtureLock } from '../fixtures/lock.js';
import { RESULT_SCHEMA_VERSION, type ResultT } from '../result/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/** Everything a result depends on. Any difference gives a different key, so a stale result is never found. */
export interface CacheKeyParts {
  student: string;
  /** sha256 of the submission's files (or its zip's bytes). */
  submissionSha256: string;
  /** sha256 of the assignment's manifest (questions, steps, tolerances, points, limits). */
  manifestSha256: string;
  /** sha256 of the fixtures lock: every fixture file's hash, the seed, the back end, the reference version. */
  fixturesSha256: string;
  /** dlgrade's version. */
  engine: string;
  mode: string;
  /** Questions graded (empty: all). */
  questions: string[];
}

/** The cache key: sha256 over the parts (and the result format), in a fixed order. */
export function cacheKey(parts: CacheKeyParts): string {
  const canonical = JSON.stringify([
    'dlgrade-result-cache',
    RESULT_SCHEMA_VERSION,
    parts.student,
    parts.submissionSha256,
    parts.manifestSha256,
    parts.fixturesSha256,
    parts.engine,
    parts.mode,
    [...parts.questions].sort(),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** A hash of the fixtures lock that does not depend on the order of its keys. */
export function fixturesFingerprint(lock: FixtureLock): string {
  return createHash('sha256').update(stableJson(lock)).digest('hex');
}

/** JSON with object keys sorted at every level. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Results stored by cache key, one JSON file each (`<dir>/<2 hex>/<key>.json`), written atomically
 * when a submission finishes, so an interrupted batch resumes where it stopped.
 */
export class ResultCache {
  constructor(readonly dir: string) {}

  private file(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  /** The stored result for `key`, or undefined when there is none or it is unreadable. */
  async get(key: string, student: string): Promise<ResultT | undefined> {
    const file = this.file(key);
    const info = await lstat(file).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    try {
      const entry = JSON.parse(await readFile(file, 'utf8')) as { key?: string; result?: ResultT };
      // A truncated or foreign file is a miss, never an error: the submission is simply graded again.
      if (entry.key !== key || entry.result?.schemaVersion !== RESULT_SCHEMA_VERSION || entry.result.student !== student) return undefined;
      return entry.result;
    } catch {
      return undefined;
    }
  }

  async put(key: string, result: ResultT): Promise<void> {
    await writeFileAtomic(this.file(key), JSON.stringify({ key, result }) + '\n');
  }
}
