// The harness side of the Python runner protocol, shared by the fresh-process and the warm-worker runners:
// writing a job, watching a pass, reading outcomes strictly, and re-running past a case that hung or crashed.
import { inPhase } from '../util/profile.js';
import { chmod, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, constants as fsConstants, fstatSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeNpz } from '../npz/npz.js';
import { decodeNpy } from '../npz/npy.js';
import type { NdArray } from '../npz/ndarray.js';
import type { SupervisedExit } from '../process/supervise.js';
import { runDelaySeconds } from './cpu-usage.js';
import { WRITABLE_FOLDER_BYTES } from './sandbox.js';
import type { CaseError, CaseOutcome, RunnerJob } from './runner.js';

/**
 * Where one job lives on the host. A fresh runner keeps everything in one folder; a warm worker keeps job.json
 * and inputs/ in a folder its sandbox sees read-only and outputs/ and status/ in one it may write.
 */
export interface JobFolders {
  /** Holds job.json and inputs/. */
  specDir: string;
  /** Holds outputs/ and status/, the only places the runner writes that the harness reads. */
  resultDir: string;
}

/** How the runner inside the sandbox names the same places. */
export interface InsideFolders {
  specDir: string;
  submissionDir: string;
}

const OUTPUT_LIMITS = { maxEntries: 256, maxTotalBytes: 256 * 1024 * 1024, maxArrayBytes: 128 * 1024 * 1024 };
const STATUS_CAP_BYTES = 1024 * 1024;
/** What a run may leave in outputs/ and status/ (the host folders it can write) before it is stopped. */
const WRITABLE_CAP = { entriesPerCase: 4, extraEntries: 32, bytes: WRITABLE_FOLDER_BYTES };
/** Time a case gets beyond its limit before the harness stops it (the runner's own alarm comes first). */
const GRACE_MS = 2000;
/** CPU seconds a case gets beyond its limit, as the harness measures it, before it is stopped (the alarm comes first). */
const CPU_GRACE_S = 1;
/**
 * The runner limits a case's CPU time; the harness's wall-clock limit is this many times longer, so a case that
 * only waits (sleep, a blocked read) is still stopped, while one slowed by a busy neighbour is not.
 */
export const WALL_CLOCK_FACTOR = 3;

/** How long the harness lets a case run, by the wall clock, before it kills the process. */
export function wallClockLimitMs(timeoutS: number): number {
  return timeoutS * 1000 * WALL_CLOCK_FACTOR + GRACE_MS;
}

/**
 * The case inputs (never the expected outputs) and the folders the runner writes into. With `sharedDir` (a
 * folder of the harness's on the same file system, which no sandbox sees), each distinct input file is written
 * there once and hard-linked into the job: only for a sandbox that exposes inputs/ read-only, since every job
 * then shares the file.
 */
export async function writeInputs(folders: JobFolders, job: RunnerJob, sharedDir?: string): Promise<void> {
  const shared = sharedDir ? await Promise.all(job.cases.map((c) => sharedInputFile(sharedDir, c.inputs))) : undefined;
  // Synchronous: a handful of small files in a tmpfs, where a promise per call costs more than the call itself.
  const inputsDir = path.join(folders.specDir, 'inputs');
  for (const dir of [inputsDir, path.join(folders.resultDir, 'outputs'), path.join(folders.resultDir, 'status')]) mkdirSync(dir, { recursive: true });
  // Readable by the sandbox's unprivileged uid whatever the umask (shared files were made so once).
  chmodSync(inputsDir, 0o755);
  job.cases.forEach((c, i) => {
    const target = path.join(inputsDir, `${c.index}.npz`);
    if (shared) linkSync(shared[i], target);
    else {
      writeFileSync(target, encodeInputs(c.inputs));
      chmodSync(target, 0o644);
    }
  });
}

const sharedFiles = new Map<string, Promise<string>>();

/** The file in `sharedDir` holding these inputs, written (atomically, read-only) the first time they are asked for. */
function sharedInputFile(sharedDir: string, inputs: Record<string, NdArray>): Promise<string> {
  const file = path.join(sharedDir, `${createHash('sha256').update(inputsKey(inputs)).digest('hex').slice(0, 32)}.npz`);
  let written = sharedFiles.get(file);
  if (!written) {
    written = (async () => {
      await mkdir(sharedDir, { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, encodeInputs(inputs));
      // Every job hard-links this file: readable by any sandbox uid (whatever the umask), writable by nobody.
      await chmod(tmp, 0o444);
      await rename(tmp, file);
      return file;
    })();
    // A failed write is tried again next time rather than remembered.
    written.catch(() => sharedFiles.delete(file));
    sharedFiles.set(file, written);
  }
  return written;
}

// Every submission of a batch gets the same inputs for a case: each set is encoded once (an .npz of a case can
// be 10 MB, and encoding it includes a CRC-32 over every byte). Arrays are identified by object identity, which
// the fixture store keeps for the life of the process.
const arrayIds = new WeakMap<NdArray, number>();
let nextArrayId = 0;
const encoded = new Map<string, Uint8Array>();
/** Bytes of encoded inputs kept (oldest dropped first): a few assignments' worth of cases. */
const ENCODED_CACHE_BYTES = 256 * 1024 * 1024;
let encodedBytes = 0;

/** Encodes the job's inputs ahead of writing them (e.g. while waiting for a worker), so writing is a copy. */
export function encodeJobInputs(job: RunnerJob): void {
  for (const c of job.cases) encodeInputs(c.inputs);
}

/** Names and array identities: equal keys mean the same inputs for the life of the process. */
function inputsKey(inputs: Record<string, NdArray>): string {
  return Object.entries(inputs)
    .map(([name, array]) => {
      let id = arrayIds.get(array);
      if (id === undefined) arrayIds.set(array, (id = nextArrayId++));
      return `${JSON.stringify(name)}:${id}`;
    })
    .join(',');
}

function encodeInputs(inputs: Record<string, NdArray>): Uint8Array {
  const key = inputsKey(inputs);
  let bytes = encoded.get(key);
  if (!bytes) {
    bytes = writeNpz(inputs);
    for (const [oldKey, old] of encoded) {
      if (encodedBytes + bytes.length <= ENCODED_CACHE_BYTES) break;
      encoded.delete(oldKey);
      encodedBytes -= old.length;
    }
    if (bytes.length <= ENCODED_CACHE_BYTES) {
      encoded.set(key, bytes);
      encodedBytes += bytes.length;
    }
  }
  return bytes;
}

/** job.json, with the submission's and the inputs' paths as the sandboxed runner sees them. */
export async function writeSpec(folders: JobFolders, job: RunnerJob, inside: InsideFolders): Promise<void> {
  // Relative to the job folder when job.json sits in it (a fresh runner); absolute otherwise (a warm worker).
  const inputsPrefix = folders.specDir === folders.resultDir ? 'inputs' : path.posix.join(inside.specDir, 'inputs');
  const spec = {
    protocol: 1,
    submission: inside.submissionDir,
    questions: job.questions,
    cases: job.cases.map((c) => ({ index: c.index, question: c.question, case: c.case, inputs: `${inputsPrefix}/${c.index}.npz` })),
  };
  const file = path.join(folders.specDir, 'job.json');
  writeFileSync(file, JSON.stringify(spec));
  // Readable by the sandbox's unprivileged uid whatever the umask.
  chmodSync(file, 0o644);
}

/** Why the watchdog stopped a case: its CPU time as measured from outside, or the wall clock. */
export interface CaseKill {
  index: number;
  kind: 'cpu' | 'wall';
  /** CPU seconds the case had used when it was stopped (undefined where it cannot be measured). */
  cpuS?: number;
  wallS: number;
  limitS: number;
}

/** How a pass ended, and which case the watchdog stopped, if it did. */
export type PassExit = SupervisedExit & { caseKill?: CaseKill };

/** How the watchdog measures a pass's processes from outside (see SandboxSession). */
export interface PassUsage {
  cpuSeconds?: () => Promise<number | undefined>;
  processIds?: () => Promise<number[]>;
}

/** The watchdog of one pass; `caseKill` says which case it stopped and why. */
export interface PassWatchdog {
  (): Promise<string | undefined>;
  caseKill?: CaseKill;
}

/**
 * Runs the job's cases in passes until each has an outcome: a pass that dies costs only the case it was in,
 * and the next pass starts after it. `runPass` runs the given cases (a fresh process, or a warm worker's child).
 */
export async function runInPasses(
  job: RunnerJob,
  folders: JobFolders,
  runPass: (indexes: number[]) => Promise<PassExit>,
): Promise<{ outcomes: Map<number, CaseOutcome>; runtime: Record<string, string> }> {
  const outcomes = new Map<number, CaseOutcome>();
  let remaining = job.cases.map((c) => c.index);
  let runtime: Record<string, string> = {};
  const statusDir = path.join(folders.resultDir, 'status');
  // A case blamed for a death it may not have caused, to be run again on its own.
  let alone: number | undefined;
  const triedAlone = new Set<number>();
  // Cases stopped by the wall clock with CPU time to spare: the machine's fault until they fail again on their own.
  const starved = new Map<number, CaseKill>();
  while (remaining.length > 0) {
    const batch = alone !== undefined ? [alone] : remaining;
    alone = undefined;
    // What earlier passes wrote has been read: a pass starts with empty folders (and a flood costs one pass only).
    if (outcomes.size > 0 || remaining.length < job.cases.length) await emptyResultFolders(folders.resultDir);
    const exit = await runPass(batch);
    runtime = { ...runtime, ...(await readJson(path.join(statusDir, 'runtime.json')).catch(() => ({}))) };
    let progressed = false;
    const finished = await inPhase('  read outputs', () => readPassResults(folders.resultDir));
    // Only the cases this pass ran: a record for any other was written by the submission, not the runner.
    for (const index of batch) {
      const outcome = finished.get(index);
      if (outcome) {
        outcomes.set(index, outcome);
        progressed = true;
      }
    }
    remaining = remaining.filter((i) => !outcomes.has(i));
    if (remaining.length === 0) break;
    // The case of this pass that was started but never finished is the one that hung or crashed.
    const culprit = (await startedIndexes(folders.resultDir)).find((i) => remaining.includes(i) && batch.includes(i));
    if (culprit === undefined && progressed) continue; // it died between cases (or ran a case alone): go on
    if (culprit === undefined) {
      // Nothing started: the process could not even begin; every remaining case gets the reason.
      for (const index of remaining) outcomes.set(index, crashOutcome(describeExit(exit, 'before running any case')));
      break;
    }
    const question = job.questions[job.cases.find((c) => c.index === culprit)!.question];
    const timedOut = exit.kind === 'killed-by-harness' && exit.killReason?.startsWith('case');
    const kill = exit.caseKill?.index === culprit ? exit.caseKill : undefined;
    const wallOnly = timedOut && kill?.kind === 'wall' && (kill.cpuS === undefined || kill.cpuS < question.timeout_s);
    if (wallOnly && !starved.has(culprit)) {
      // Stopped by the wall clock before using its CPU time: a busy machine, not the student, until it happens
      // again with the case run on its own.
      starved.set(culprit, kill!);
      alone = culprit;
      continue;
    }
    if (exit.unattributed && !timedOut && batch.length > 1 && !triedAlone.has(culprit)) {
      // Another process died (a warm worker killed by its child, which ran on for a moment): the case that
      // was running may be innocent. It counts as a crash only if it crashes again on its own.
      triedAlone.add(culprit);
      alone = culprit;
      continue;
    }
    outcomes.set(culprit, timedOut ? timeoutOutcome(question.timeout_s, kill, wallOnly ? starved.get(culprit) : undefined) : crashOutcome(describeExit(exit, 'while running this case')));
    remaining = remaining.filter((i) => i !== culprit);
    if (timedOut) {
      // As in the runner: later cases of a question that hung are not run.
      const culpritCase = job.cases.find((c) => c.index === culprit)!;
      for (const c of job.cases.filter((x) => remaining.includes(x.index) && x.question === culpritCase.question)) {
        outcomes.set(c.index, { status: 'timeout', outputs: new Map(), outputErrors: {}, durationMs: 0, error: { type: 'Timeout', message: `not run: case ${culpritCase.case} of this question did not finish in time` } });
      }
      remaining = remaining.filter((i) => !outcomes.has(i));
    }
    if (!progressed && !timedOut && exit.kind === 'spawn-failed') break;
  }
  for (const [index, first] of starved) {
    const outcome = outcomes.get(index);
    if (outcome && outcome.error?.type !== WALL_CLOCK_TIMEOUT) {
      outcome.notice = `stopped after ${first.wallS.toFixed(0)} s of wall-clock time having used ${formatCpu(first.cpuS)} of CPU time (limit ${first.limitS} s): the machine was busy, so it was run again on its own`;
    }
  }
  return { outcomes, runtime };
}

/**
 * The error type of a case stopped by the wall clock with CPU time to spare, even when run again on its own: it
 * waits rather than computes, or the machine is overloaded. Never cached (invariant 9): the next run tries again.
 */
export const WALL_CLOCK_TIMEOUT = 'WallClockTimeout';

function formatCpu(cpuS: number | undefined): string {
  return cpuS === undefined ? 'an unknown amount' : `${cpuS.toFixed(1)} s`;
}

function timeoutOutcome(limitS: number, kill: CaseKill | undefined, firstStarved: CaseKill | undefined): CaseOutcome {
  const base = { status: 'timeout' as const, outputs: new Map(), outputErrors: {}, durationMs: limitS * 1000 };
  if (kill?.kind === 'cpu') {
    return { ...base, error: { type: 'Timeout', message: `did not finish within ${limitS} s of CPU time (it had used ${formatCpu(kill.cpuS)}, measured by the harness)` } };
  }
  if (kill && firstStarved) {
    return {
      ...base,
      error: {
        type: WALL_CLOCK_TIMEOUT,
        message:
          `stopped after ${kill.wallS.toFixed(0)} s of wall-clock time having used only ${formatCpu(kill.cpuS)} of its ${limitS} s of CPU time, ` +
          'twice (the second time run on its own): it waits (sleep, input, a lock) instead of computing, or the machine is overloaded; ' +
          'this verdict is not cached, the next run grades it again',
      },
    };
  }
  return { ...base, error: { type: 'Timeout', message: `did not finish within ${limitS} s (stopped after ${wallClockLimitMs(limitS) / 1000} s of wall-clock time)` } };
}

/** Removes what a pass left in outputs/ and status/ (the folders themselves stay, with their owner). */
async function emptyResultFolders(resultDir: string): Promise<void> {
  for (const dir of ['outputs', 'status']) {
    for (const name of await readdir(path.join(resultDir, dir)).catch(() => [] as string[])) {
      await rm(path.join(resultDir, dir, name), { recursive: true, force: true }).catch(() => {});
    }
  }
}

/** The whole-pass time limit: startup, every case's limit, and a margin. */
export function passTimeoutMs(job: RunnerJob, indexes: number[], startupTimeoutS: number): number {
  const timeoutOf = new Map(job.cases.map((c) => [c.index, job.questions[c.question].timeout_s]));
  return startupTimeoutS * 1000 + indexes.reduce((s, i) => s + wallClockLimitMs(timeoutOf.get(i) ?? 0), 0) + 10_000;
}

/**
 * The watchdog of one pass: a reason to stop it when a case overruns its limit (from when the harness first saw
 * its start marker: the marker's mtime is the submission's to change), when it fills the folders the harness
 * reads, or when nothing started within `startupTimeoutS`. The runner's own alarm stops Python-level loops;
 * this catches hangs inside C code and ignored alarms.
 */
export function passWatchdog(
  job: RunnerJob,
  resultDir: string,
  indexes: number[],
  startupTimeoutS: number,
  usage: PassUsage = {},
): PassWatchdog {
  const cpuSeconds = usage.cpuSeconds ?? (async () => undefined);
  const timeoutOf = new Map(job.cases.map((c) => [c.index, job.questions[c.question].timeout_s]));
  const passStarted = Date.now();
  const firstSeen = new Map<number, number>();
  const cpuAtStart = new Map<number, number | undefined>();
  const delaysAtStart = new Map<number, Map<number, number>>();
  const writableCap = { entries: job.cases.length * WRITABLE_CAP.entriesPerCase + WRITABLE_CAP.extraEntries, bytes: WRITABLE_CAP.bytes };
  const watchdog: PassWatchdog = async () => {
    const flooded = await writableOverflow(resultDir, writableCap);
    if (flooded) return flooded;
    const running = await runningCase(resultDir, indexes, firstSeen);
    if (!running) {
      return Date.now() - passStarted > startupTimeoutS * 1000 && (await startedIndexes(resultDir)).length === 0 ? `startup took longer than ${startupTimeoutS} s` : undefined;
    }
    const limitS = timeoutOf.get(running.index) ?? 10;
    const cpuNow = await cpuSeconds().catch(() => undefined);
    if (!cpuAtStart.has(running.index)) cpuAtStart.set(running.index, cpuNow);
    const start = cpuAtStart.get(running.index);
    const cpuS = cpuNow !== undefined && start !== undefined ? cpuNow - start : undefined;
    const wallS = (Date.now() - running.since) / 1000;
    // The wall clock runs while a busy machine keeps the case waiting for a CPU: that time is not the case's.
    const delays = usage.processIds ? await runDelaySeconds(await usage.processIds().catch(() => [])) : new Map<number, number>();
    if (!delaysAtStart.has(running.index)) delaysAtStart.set(running.index, delays);
    const before = delaysAtStart.get(running.index)!;
    const waitedS = Math.max(0, ...[...delays].map(([pid, d]) => d - (before.get(pid) ?? 0)));
    if (cpuS !== undefined && cpuS > limitS + CPU_GRACE_S) {
      watchdog.caseKill = { index: running.index, kind: 'cpu', cpuS, wallS, limitS };
      return `case ${running.index} used more than ${limitS} s of CPU time`;
    }
    if ((wallS - waitedS) * 1000 > wallClockLimitMs(limitS)) {
      watchdog.caseKill = { index: running.index, kind: 'wall', cpuS, wallS, limitS };
      return `case ${running.index} exceeded its time limit`;
    }
    return undefined;
  };
  return watchdog;
}

/** The case started but not finished, and since when the harness has known it. */
async function runningCase(resultDir: string, indexes: number[], firstSeen: Map<number, number>): Promise<{ index: number; since: number } | undefined> {
  const names = new Set(listFolder(path.join(resultDir, 'status')));
  for (const index of indexes) {
    if (names.has(`${index}.start`) && !names.has(`${index}.done`)) {
      if (!firstSeen.has(index)) firstSeen.set(index, Date.now());
      return { index, since: firstSeen.get(index)! };
    }
  }
  return undefined;
}

/** The names in a folder, none when it cannot be read (synchronous: a small tmpfs folder, read on every tick). */
function listFolder(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

async function startedIndexes(resultDir: string): Promise<number[]> {
  const names = listFolder(path.join(resultDir, 'status'));
  return names.filter((n) => n.endsWith('.start')).map((n) => Number(n.slice(0, -'.start'.length))).filter(Number.isInteger);
}

/** The one results file of a pass (see dlgrade_runner.py's ResultsFile): a record per finished case. */
const RESULTS_FILE = 'cases.bin';
const RECORD_MAGIC = Buffer.from('DLGRCASE');
const RECORD_PREAMBLE = RECORD_MAGIC.length + 4;

/**
 * Reads a pass's results file strictly: a regular file, size-capped; each record's header capped, its outputs numeric
 * arrays within the output limits. Reading stops at the first record that is torn (a pass killed while writing it)
 * or malformed: the cases after it have no outcome, as if never finished. A later record of a case replaces an
 * earlier one (what the runner writes after a case comes after anything the case itself wrote).
 */
function readPassResults(resultDir: string): Map<number, CaseOutcome> {
  const found = new Map<number, CaseOutcome>();
  const bytes = readRegularFile(path.join(resultDir, 'outputs', RESULTS_FILE), WRITABLE_CAP.bytes);
  if (!bytes) return found;
  let at = 0;
  while (at + RECORD_PREAMBLE <= bytes.length && bytes.subarray(at, at + RECORD_MAGIC.length).equals(RECORD_MAGIC)) {
    const headLength = bytes.readUInt32LE(at + RECORD_MAGIC.length);
    const bodyStart = at + RECORD_PREAMBLE + headLength;
    if (headLength > STATUS_CAP_BYTES || bodyStart > bytes.length) break;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(bytes.toString('utf8', at + RECORD_PREAMBLE, bodyStart)) as Record<string, unknown>;
    } catch {
      break;
    }
    const arrays = Array.isArray(record.arrays) ? (record.arrays as unknown[]) : [];
    const sizes = arrays.map((a) => (Array.isArray(a) ? Number(a[1]) : NaN));
    const bodyLength = sizes.reduce((sum, n) => sum + n, 0);
    if (!sizes.every((n) => Number.isSafeInteger(n) && n >= 0) || bodyStart + bodyLength > bytes.length) break;
    const index = record.index;
    if (typeof index === 'number' && Number.isSafeInteger(index)) {
      const names = arrays.map((a) => String((a as unknown[])[0]));
      found.set(index, outcomeOfRecord(record, index, names, sizes, bytes.subarray(bodyStart, bodyStart + bodyLength)));
    }
    at = bodyStart + bodyLength;
  }
  return found;
}

/** One case's outcome from its record and the .npy bytes of its outputs. */
function outcomeOfRecord(record: Record<string, unknown>, index: number, names: string[], sizes: number[], body: Buffer): CaseOutcome {
  const durationMs = typeof record.duration_ms === 'number' ? record.duration_ms : 0;
  const stdout = typeof record.stdout === 'string' ? record.stdout.slice(0, 16 * 1024) : undefined;
  const kind = record.status;
  if (kind !== 'ok') {
    const error = sanitizeError(record.error);
    return { status: kind === 'timeout' ? 'timeout' : 'error', outputs: new Map(), outputErrors: {}, error, durationMs, stdout };
  }
  const source = `outputs of case ${index}`;
  const outputs = new Map<string, NdArray>();
  try {
    if (names.length > OUTPUT_LIMITS.maxEntries) throw new Error(`${names.length} arrays, more than ${OUTPUT_LIMITS.maxEntries}`);
    if (body.length > OUTPUT_LIMITS.maxTotalBytes) throw new Error(`${body.length} bytes, more than ${OUTPUT_LIMITS.maxTotalBytes}`);
    let offset = 0;
    names.forEach((name, i) => {
      // Views into the file's own buffer (readRegularFile allocates one per read), not copies.
      outputs.set(name, decodeNpy(body.subarray(offset, offset + sizes[i]), { source, member: name }, OUTPUT_LIMITS.maxArrayBytes, true));
      offset += sizes[i];
    });
  } catch (error) {
    return { ...crashOutcome(`the outputs could not be read: ${(error as Error).message}`), durationMs };
  }
  const outputErrors: Record<string, string> = {};
  if (record.output_errors && typeof record.output_errors === 'object') {
    for (const [k, v] of Object.entries(record.output_errors as Record<string, unknown>)) outputErrors[k] = String(v).slice(0, 500);
  }
  // A step that raised but let the runner go on (`recover`): its error travels with the outputs that were computed.
  const stepError = record.step_error ? { error: sanitizeError(record.step_error) } : {};
  return { status: 'ok', outputs, outputErrors, durationMs, stdout, ...stepError };
}

export function crashOutcome(message: string): CaseOutcome {
  return { status: 'crash', outputs: new Map(), outputErrors: {}, durationMs: 0, error: { type: 'Crash', message } };
}

function describeExit(exit: SupervisedExit, when: string): string {
  const stderr = lastLines(exit.stderrTail, 3);
  const detail = stderr ? `; its last words: ${stderr}` : '';
  switch (exit.kind) {
    case 'spawn-failed':
      return `the Python runner could not be started (${String((exit.cause as Error)?.message ?? exit.stderrTail).split('\n')[0]})`;
    case 'killed-by-harness':
      return `the process was stopped ${when}: ${exit.killReason}${detail}`;
    case 'signaled':
      return `the process died from ${exit.signal} ${when}${exit.signal === 'SIGSEGV' ? ' (a segmentation fault)' : ''}${detail}`;
    case 'exited': {
      // The sandbox's init passes on a signal death as 128 + the signal's number, as a shell does.
      const signal = exit.exitCode !== undefined && exit.exitCode > 128 ? signalName(exit.exitCode - 128) : undefined;
      if (signal) return `the process died from ${signal} ${when}${signal === 'SIGSEGV' ? ' (a segmentation fault)' : ''}${detail}`;
      return `the process exited with code ${exit.exitCode} ${when}, before reporting a result${detail}`;
    }
  }
}

function signalName(n: number): string | undefined {
  return Object.entries(os.constants.signals).find(([, v]) => v === n)?.[0];
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ').slice(0, 400);
}

/**
 * Reads a file the sandbox wrote only if it is a regular file no larger than `cap`: opened without following a
 * symlink and without blocking on a FIFO, then checked on the open descriptor, so it cannot be swapped in between.
 * Synchronous: the files are small and local, and the harness reads a few per case.
 */
export function readRegularFile(file: string, cap: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.size > cap) return undefined;
    // Its own memory (not a slice of the shared pool): the arrays read from it may be views into it.
    const buffer = Buffer.allocUnsafeSlow(info.size);
    let filled = 0;
    while (filled < buffer.length) {
      const bytesRead = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * A reason to stop the run when it has filled a host folder it can write (outputs/ or status/), counting every
 * file at every depth: files across both, bytes in each (a tmpfs of `cap.bytes` each where the sandbox mounts them
 * as root, so a folder the kernel filled to its cap is no reason). Elsewhere the kernel sets no cap; this is it.
 */
async function writableOverflow(resultDir: string, cap: { entries: number; bytes: number }): Promise<string | undefined> {
  let entries = 0;
  let bytes = 0;
  // Synchronous: it runs on every tick of every pass, over a few dozen entries of a tmpfs.
  const walk = (dir: string, depth: number): string | undefined => {
    let found: import('node:fs').Dirent[];
    try {
      found = readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
    entries += found.length;
    if (entries > cap.entries) return `it wrote more than ${cap.entries} files where the harness reads its results`;
    for (const entry of found) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && !entry.isSymbolicLink()) {
        // Deeper than any job writes: itself a reason to stop.
        if (depth >= 8) return 'it nested folders too deep where the harness reads its results';
        const reason = walk(full, depth + 1);
        if (reason) return reason;
        continue;
      }
      bytes += lstatSync(full, { throwIfNoEntry: false })?.size ?? 0;
      if (bytes > cap.bytes) return `it wrote more than ${Math.round(cap.bytes / 1024 / 1024)} MiB where the harness reads its results`;
    }
    return undefined;
  };
  for (const dir of ['outputs', 'status']) {
    bytes = 0;
    const reason = walk(path.join(resultDir, dir), 0);
    if (reason) return reason;
  }
  return undefined;
}

async function readJson(file: string): Promise<Record<string, string>> {
  const bytes = readRegularFile(file, 64 * 1024);
  if (!bytes) return {};
  const data = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(data).filter(([, v]) => typeof v === 'string').map(([k, v]) => [k, String(v).slice(0, 100)]));
}

/** Keeps only the fields of an error record we show, as strings and numbers of bounded size. */
function sanitizeError(raw: unknown): CaseError {
  const e = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const location = (v: unknown) => {
    const f = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
    return { file: String(f.file ?? '?').slice(0, 200), line: Number(f.line) || 0, name: String(f.name ?? '').slice(0, 100), code: String(f.code ?? '').slice(0, 300) };
  };
  return {
    type: String(e.type ?? 'Error').slice(0, 100),
    message: String(e.message ?? 'unknown error').slice(0, 2000),
    traceback: Array.isArray(e.traceback) ? e.traceback.slice(0, 10).map(location) : undefined,
    student_line: e.student_line ? location(e.student_line) : undefined,
  };
}
