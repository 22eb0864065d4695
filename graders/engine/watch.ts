// `check --watch`: grade a submission again every time it is saved, on the same warm worker, until stopped.
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ResultT } from '../result/schema.js';
import { gradeSubmission, hashSubmission, type GradingContext, type SubmissionInput } from './grade-submission.js';

export interface WatchHandlers {
  /** Called after every grading run that saw changed content; `previous` is undefined for the first run. */
  onResult(result: ResultT, previous: ResultT | undefined, elapsedMs: number): void;
  /** Called once the watcher is listening. */
  onWatching?(target: string): void;
  /** A grading run failed for a reason that is not the submission's (reported, then watching goes on). */
  onError?(error: unknown): void;
}

/** Editors save through temporary files; one save is often several events within a few milliseconds. */
const SETTLE_MS = 60;

/** Names an edit produces that are never part of a submission: editor swap and backup files, caches, dot files. */
function ignored(name: string): boolean {
  const base = path.basename(name);
  return base.startsWith('.') || base.endsWith('~') || base.endsWith('.swp') || base.endsWith('.swx') || name.split(path.sep).includes('__pycache__') || /^\d+$/.test(base);
}

/** The content a re-check depends on: a folder's files, or one file (a notebook). */
async function fingerprint(target: string): Promise<string> {
  const info = await stat(target).catch(() => undefined);
  if (info?.isFile()) return createHash('sha256').update(await readFile(target)).digest('hex');
  return hashSubmission(target);
}

/**
 * Grades `submission` now and after every change to it until `signal` aborts. Runs never overlap: changes during a
 * run cause one more run after it. A save that leaves the content as it was (a touch, an editor's save-all) is not
 * graded again.
 */
export async function watchSubmission(ctx: GradingContext, submission: SubmissionInput, handlers: WatchHandlers, signal: AbortSignal): Promise<void> {
  const target = path.resolve(submission.dir);
  const isFile = (await stat(target).catch(() => undefined))?.isFile() ?? false;
  let previous: ResultT | undefined;
  let lastPrint: string | undefined;
  let running = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  const run = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const print = await fingerprint(target);
        if (print === lastPrint) continue;
        const started = performance.now();
        try {
          const result = await gradeSubmission(ctx, submission);
          lastPrint = print;
          handlers.onResult(result, previous, performance.now() - started);
          previous = result;
        } catch (error) {
          handlers.onError?.(error);
        }
      } while (again && !signal.aborted);
    } finally {
      running = false;
    }
  };

  await run();
  if (signal.aborted) return;
  const watchDir = isFile ? path.dirname(target) : target;
  const onEvent = (_event: string, name: string | Buffer | null) => {
    const file = name === null ? '' : String(name);
    if (file && ignored(file)) return;
    if (isFile && file && file !== path.basename(target)) return;
    clearTimeout(timer);
    timer = setTimeout(() => void run(), SETTLE_MS);
  };
  let watcher: FSWatcher;
  try {
    watcher = watch(watchDir, { recursive: !isFile }, onEvent);
  } catch {
    // A platform without recursive watching: the folder itself is enough for a flat submission.
    watcher = watch(watchDir, onEvent);
  }
  handlers.onWatching?.(isFile ? target : watchDir);
  await new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  clearTimeout(timer);
  watcher.close();
  // Let a run in progress finish before the caller closes the runner under it.
  while (running) await new Promise((r) => setTimeout(r, 20));
}
