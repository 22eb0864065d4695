// `npm run bench`: how fast batch grading is, where its time goes, and how it compares, in the same run, with a
// fresh process per submission and with a grader written the way a course writes one.
// Usage: npm run bench -- [--n 200] [--scale 1000] [--runs 3] [--assignments style-transfer,mlp-backprop]
//                         [--only overhead,batch,check,watch,breakdown,scale,fresh,npz,reference] [--no-sandbox]
// Every figure is the median of --runs runs unless said. The targets are printed at the end.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { loadAssignment, projectRoot } from '../graders/manifest/load-manifest.js';
import { FixtureStore } from '../graders/fixtures/load-case.js';
import { createRunner } from '../graders/runners/create-runner.js';
import { selectSandbox } from '../graders/runners/select-sandbox.js';
import { defaultPython } from '../graders/runners/python-runner.js';
import { memoryLimitMb, runnerQuestion, selectedCases, type GradingContext } from '../graders/engine/grade-submission.js';
import type { Runner, RunnerJob } from '../graders/runners/runner.js';
import type { Sandbox } from '../graders/runners/sandbox.js';
import { loadNpz, writeNpz } from '../graders/npz/npz.js';
import { crc32, crc32Implementation } from '../graders/util/crc32.js';
import type { ProfileReport } from '../graders/util/profile.js';

const run = promisify(execFile);
const ROOT = projectRoot();
const BIN = path.join(ROOT, 'bin', 'dlgrade.js');

const SECTIONS = ['overhead', 'batch', 'check', 'watch', 'breakdown', 'scale', 'fresh', 'npz', 'reference'] as const;
type Section = (typeof SECTIONS)[number];

interface Options {
  n: number;
  /** The class size of the scale run (style-transfer); peak memory is compared with the run at --n. */
  scale: number;
  runs: number;
  assignments: string[];
  sandbox: boolean;
  /** The sections to run (all by default). */
  only: Set<Section>;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { n: 200, scale: 1000, runs: 3, assignments: ['style-transfer', 'mlp-backprop'], sandbox: true, only: new Set(SECTIONS) };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--n') ((options.n = Number(value)), i++);
    else if (flag === '--scale') ((options.scale = Number(value)), i++);
    else if (flag === '--runs') ((options.runs = Number(value)), i++);
    else if (flag === '--assignments') ((options.assignments = value.split(',')), i++);
    else if (flag === '--no-sandbox') options.sandbox = false;
    else if (flag === '--only') {
      const wanted = value.split(',') as Section[];
      const unknown = wanted.filter((w) => !SECTIONS.includes(w));
      if (unknown.length) throw new Error(`--only takes ${SECTIONS.join(', ')}; got ${unknown.join(', ')}`);
      options.only = new Set(wanted);
      i++;
    } else throw new Error(`unknown option ${flag} (expected --n N, --scale N, --runs N, --assignments a,b, --only ${SECTIONS.join(',')}, --no-sandbox)`);
  }
  if (!Number.isInteger(options.n) || options.n < 2 || !Number.isInteger(options.runs) || options.runs < 1) throw new Error('--n must be >= 2 and --runs >= 1');
  return options;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 2 : 0)} ms`);
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
const now = () => performance.now();
const log = (line = '') => process.stdout.write(line + '\n');
const progress = (line: string) => process.stderr.write(`  … ${line}\n`);

/** Rows as an aligned text table. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map(
      (r, i) =>
        r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ') +
        (i === 0 ? '\n' + widths.map((w) => '-'.repeat(w)).join('  ') : ''),
    )
    .join('\n');
}

// ------------------------------------------------------------------------------------------------------------
// Synthetic submissions: the bundled examples (correct and each wrong one), each copy made distinct.

/** Examples that end in a timeout measure the time limit, not grading: they are left out of the mix. */
const SLOW_EXAMPLES = new Set(['hangs-in-tv']);

async function generateSubmissions(assignment: string, n: number, into: string, correctOnly = false): Promise<{ dir: string; mix: string }> {
  const examples = path.join(ROOT, 'examples', assignment);
  const names = (await readdir(examples, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !SLOW_EXAMPLES.has(e.name))
    .map((e) => e.name)
    .sort();
  const wrong = correctOnly ? [] : names.filter((x) => x !== 'correct');
  const dir = path.join(into, `${assignment}-${n}${correctOnly ? '-correct' : ''}`);
  await mkdir(dir, { recursive: true });
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    // Half correct, half spread over the wrong examples.
    const from = i % 2 === 0 || wrong.length === 0 ? 'correct' : wrong[(i >> 1) % wrong.length];
    counts.set(from, (counts.get(from) ?? 0) + 1);
    const target = path.join(dir, `student-${String(i).padStart(4, '0')}`);
    await cp(path.join(examples, from), target, { recursive: true, filter: (src) => path.basename(src) !== 'expected.json' });
    for (const file of await readdir(target)) {
      if (file.endsWith('.py')) await writeFile(path.join(target, file), (await readFile(path.join(target, file), 'utf8')) + `\n# synthetic submission ${i}\n`);
    }
  }
  return { dir, mix: [...counts].map(([k, v]) => `${v} ${k}`).join(', ') };
}

// ------------------------------------------------------------------------------------------------------------
// 1. Per-submission overhead: warm worker vs a fresh process, on a job whose own work is one tiny case.

async function tinyJob(assignment: string, submissionDir: string): Promise<RunnerJob> {
  const a = await loadAssignment(assignment);
  const store = new FixtureStore(a);
  const ctx = { assignment: a } as GradingContext;
  for (const q of a.manifest.questions) {
    for (const c of selectedCases(q, 'check')) {
      if (c.source) continue;
      const loaded = await store.load(q, c);
      const size = Object.values(loaded.inputs).reduce((s, x) => s + x.data.length, 0);
      if (size > 4096) continue;
      return {
        submissionDir,
        questions: { [q.id]: runnerQuestion(q, ctx) },
        cases: [{ index: 0, question: q.id, case: c.id, inputs: loaded.inputs }],
        memoryMb: memoryLimitMb(a.manifest),
      };
    }
  }
  throw new Error(`${assignment} has no small public case`);
}

/** Wall time per submission minus the time the case itself took in Python: what running it costs on top. */
async function overheadPerSubmission(runner: Runner, job: RunnerJob, count: number): Promise<number[]> {
  const overheads: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = now();
    const outcome = await runner.run(job);
    const wall = now() - started;
    const inCase = [...outcome.cases.values()].reduce((s, c) => s + c.durationMs, 0);
    if ([...outcome.cases.values()].some((c) => c.status !== 'ok'))
      throw new Error(`the overhead job failed: ${JSON.stringify([...outcome.cases.values()][0]?.error)}`);
    overheads.push(wall - inCase);
  }
  return overheads;
}

async function benchOverhead(assignment: string, sandbox: Sandbox, options: Options) {
  const a = await loadAssignment(assignment);
  const job = await tinyJob(assignment, path.join(ROOT, 'examples', assignment, 'correct'));
  const warmRuns: number[] = [];
  const freshRuns: number[] = [];
  const startups: number[] = [];
  for (let r = 0; r < options.runs; r++) {
    const warm = createRunner(a.manifest, { sandbox, workers: 1, notify: (l) => progress(l) });
    const t = now();
    await warm.run(job); // the first job waits for the worker to import PyTorch
    startups.push(now() - t);
    warmRuns.push(median(await overheadPerSubmission(warm, job, 20)));
    await warm.close?.();
    const fresh = createRunner(a.manifest, { sandbox });
    freshRuns.push(median(await overheadPerSubmission(fresh, job, 4)));
    progress(`overhead ${assignment} run ${r + 1}/${options.runs}: warm ${ms(warmRuns.at(-1)!)}, fresh ${ms(freshRuns.at(-1)!)}`);
  }
  return { warm: median(warmRuns), fresh: median(freshRuns), startup: median(startups), caseId: `${job.cases[0].question}/${job.cases[0].case}` };
}

// ------------------------------------------------------------------------------------------------------------
// 2. Batch throughput: the real CLI, end to end, at --jobs 1 and --jobs 2.

/** Seconds the submissions spent inside their cases (their own work: loading inputs, computing, saving outputs). */
async function inCaseSeconds(out: string): Promise<number> {
  let ms = 0;
  for (const file of await readdir(path.join(out, 'results'))) {
    const result = JSON.parse(await readFile(path.join(out, 'results', file), 'utf8')) as { questions: { cases: { durationMs: number }[] }[] };
    for (const q of result.questions) for (const c of q.cases) ms += c.durationMs;
  }
  return ms / 1000;
}

/**
 * Runs a command and returns its wall time and the CPU time of its whole process tree (every worker and child is
 * reaped up the tree, so /usr/bin/time sees them all): on a shared machine the CPU time says what the work costs.
 */
async function timed(args: string[], env: Record<string, string> = {}): Promise<{ wall: number; cpu?: number }> {
  return timedCommand(process.execPath, args, { ...process.env, NO_COLOR: '1', ...env });
}

/** `timed` for any program: wall time and the CPU time of its process tree. */
async function timedCommand(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ wall: number; cpu?: number }> {
  const useTime = existsSync('/usr/bin/time');
  const t = now();
  const { stderr } = useTime
    ? await run('/usr/bin/time', ['-f', 'dlgrade-bench-cpu %U %S', file, ...args], { maxBuffer: 64 * 1024 * 1024, env })
    : await run(file, args, { maxBuffer: 64 * 1024 * 1024, env });
  const wall = now() - t;
  const m = /dlgrade-bench-cpu ([\d.]+) ([\d.]+)/.exec(stderr);
  return { wall, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : undefined };
}

async function benchBatch(
  assignment: string,
  submissions: string,
  jobs: number,
  options: Options,
  warm = true,
): Promise<{ wall: number; inCase: number; cpu?: number }> {
  const times: number[] = [];
  const inCase: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < options.runs; r++) {
    const out = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-bench-out-'));
    const args = [
      BIN,
      'grade',
      assignment,
      submissions,
      '--out',
      out,
      '--jobs',
      String(jobs),
      '--force',
      '--no-progress',
      ...(options.sandbox ? [] : ['--no-sandbox']),
      ...(warm ? [] : ['--no-warm']),
    ];
    const { wall, cpu } = await timed(args);
    times.push(wall);
    if (cpu !== undefined) cpus.push(cpu);
    inCase.push(await inCaseSeconds(out));
    await rm(out, { recursive: true, force: true });
    progress(`batch ${assignment} --jobs ${jobs}${warm ? '' : ' --no-warm'} run ${r + 1}/${options.runs}: ${ms(times.at(-1)!)}`);
  }
  return { wall: median(times), inCase: median(inCase), cpu: cpus.length ? median(cpus) : undefined };
}

// ------------------------------------------------------------------------------------------------------------
// 2b. Where each submission's time goes, and the class-size run: `dlgrade grade` with DLGRADE_PROFILE set
//     (graders/util/profile.ts), the CPU time of its whole process tree, and the harness's own peak memory.

interface ProfiledGrade {
  wall: number;
  /** CPU ms of the whole process tree (Node, workers, every child). */
  cpu?: number;
  profile: ProfileReport;
  inCase: number;
  classReport: { indexBytes: number; summaryBytes: number; summaryParseMs: number; indexLoadMs?: number };
}

async function gradeProfiled(submissions: string, jobs: number, options: Options, openReport = false): Promise<ProfiledGrade> {
  const out = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-bench-out-'));
  const profileFile = path.join(out, '..', `${path.basename(out)}.profile.json`);
  try {
    const args = [BIN, 'grade', 'style-transfer', submissions, '--out', out, '--jobs', String(jobs), '--force', '--no-progress', ...(options.sandbox ? [] : ['--no-sandbox'])];
    const { wall, cpu } = await timed(args, { DLGRADE_PROFILE: profileFile });
    const profile = JSON.parse(await readFile(profileFile, 'utf8')) as ProfileReport;
    const summaryText = await readFile(path.join(out, 'summary.json'), 'utf8');
    const t = now();
    JSON.parse(summaryText);
    const classReport = {
      indexBytes: (await stat(path.join(out, 'index.html'))).size,
      summaryBytes: Buffer.byteLength(summaryText),
      summaryParseMs: now() - t,
      indexLoadMs: openReport ? await pageLoadMs(path.join(out, 'index.html')) : undefined,
    };
    return { wall, cpu, profile, inCase: await inCaseSeconds(out), classReport };
  } finally {
    await rm(out, { recursive: true, force: true });
    await rm(profileFile, { force: true });
  }
}

/** How long Chromium takes to load and lay out a page (undefined when there is no Chromium). */
async function pageLoadMs(file: string): Promise<number | undefined> {
  if (!existsSync('/usr/bin/chromium')) return undefined;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const t = now();
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    await page.evaluate(() => document.body.getBoundingClientRect().height);
    return now() - t;
  } finally {
    await browser.close();
  }
}

/** Python pinned to one thread, as the sandbox runs it. */
const ONE_THREAD_ENV = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

/**
 * glibc's malloc otherwise gives a freed block of a few MiB back to the kernel and maps it again on the next call,
 * so that a pass of the same calls costs 6 ms or 26 ms by how many of its blocks were page-faulted in afresh: fixed
 * thresholds leave the calls' own computing, the same in every pass.
 */
const STEADY_MALLOC_ENV = { GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456' };

/** fresh_grader.py in one of its measuring modes, on every case dlgrade runs; its last line of output. */
async function freshGraderMeasure(submission: string, mode: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(
    defaultPython(),
    [
      path.join(ROOT, 'scripts', 'bench', 'fresh_grader.py'),
      path.join(ROOT, 'fixtures', 'style-transfer'),
      submission,
      ...mode,
      // The course cases are calls dlgrade makes too: counted as the submission's own work.
      '--course',
      path.join(ROOT, 'assignments', 'style-transfer', 'course', 'style-answers.npz'),
    ],
    { env: { ...ONE_THREAD_ENV, ...env } },
  );
  return stdout.trim().split('\n').at(-1)!;
}

/** The CPU ms of the submission's own calls on every case dlgrade runs, timed alone in one process. */
async function ownWorkMs(submission: string, hugePages = false): Promise<number> {
  return Number(await freshGraderMeasure(submission, ['--own-work', ...(hugePages ? ['--huge-pages'] : [])], STEADY_MALLOC_ENV));
}

type ForkFloor = Record<'exit' | 'import' | 'calls', { cpu_ms: number; faults: number }>;

/** What a process per submission costs on this machine with no harness at all (fresh_grader.py --fork-floor). */
async function forkFloor(submission: string): Promise<ForkFloor> {
  return JSON.parse(await freshGraderMeasure(submission, ['--fork-floor'])) as ForkFloor;
}

/** The course-style grader (a fresh Python per submission, two at a time): its throughput, submissions/s. */
async function freshGraderRate(submissions: string, count: number): Promise<{ rate: number; wall: number; count: number }> {
  const dirs = (await readdir(submissions)).sort().slice(0, count);
  const t = now();
  let next = 0;
  const lane = async () => {
    while (next < dirs.length) {
      const dir = path.join(submissions, dirs[next++]);
      await run(defaultPython(), [path.join(ROOT, 'scripts', 'bench', 'fresh_grader.py'), path.join(ROOT, 'fixtures', 'style-transfer'), dir], {
        env: ONE_THREAD_ENV,
      });
    }
  };
  await Promise.all([lane(), lane()]);
  const wall = now() - t;
  return { rate: dirs.length / (wall / 1000), wall, count: dirs.length };
}

/** A figure split into what one more submission costs and what a run pays once, from runs of two sizes. */
interface Split {
  perSubmission: number;
  once: number;
}

function splitFigure(few: number, many: number, small: number, large: number): Split {
  const perSubmission = (many - few) / (large - small);
  return { perSubmission, once: few - perSubmission * small };
}

/** Every figure of two profiled grades (of `small` and `large` submissions) split into per submission and once. */
function steadyState(few: ProfiledGrade, many: ProfiledGrade, small: number, large: number) {
  const split = (a: number, b: number) => splitFigure(a, b, small, large);
  const zero = { cpuMs: 0, wallMs: 0, calls: 0 };
  const names = [...new Set([...Object.keys(few.profile.phases), ...Object.keys(many.profile.phases)])];
  const phases = names.map((name) => {
    const [a, b] = [few.profile.phases[name] ?? zero, many.profile.phases[name] ?? zero];
    return [name, { cpu: split(a.cpuMs, b.cpuMs), wall: split(a.wallMs, b.wallMs) }] as const;
  });
  const node = split(few.profile.processCpuMs, many.profile.processCpuMs);
  const tree = few.cpu !== undefined && many.cpu !== undefined ? split(few.cpu, many.cpu) : undefined;
  const python = tree && { perSubmission: tree.perSubmission - node.perSubmission, once: tree.once - node.once };
  // What the warm workers report of each run (warm-worker.ts): the forked child's own CPU and the worker's.
  const counted = (name: string) => split(few.profile.counts[name] ?? 0, many.profile.counts[name] ?? 0);
  const children = counted('python: forked children, CPU ms');
  const workers = counted('python: warm workers for their runs, CPU ms');
  const pythonRest = python && { perSubmission: python.perSubmission - children.perSubmission - workers.perSubmission, once: python.once - children.once - workers.once };
  return { phases, node, tree, python, children, workers, pythonRest, wall: split(few.wall, many.wall), inCase: split(few.inCase * 1000, many.inCase * 1000) };
}

// ------------------------------------------------------------------------------------------------------------
// 3. `dlgrade check` on one submission, end to end: cold (Node start, modules, sandbox probe, PyTorch import,
// grading) and served by a check server (graders/check-server/), with the floor of any cold check, `import torch`.

interface CheckFigures {
  cold: { wall: number; cpu?: number };
  /** Wall and CPU time of the calling process, and the CPU time the server's process tree spent on the check. */
  warm: { wall: number; cpu?: number; serverCpu: number };
  torch: { wall: number; cpu?: number };
}

async function benchCheck(assignment: string, options: Options, work: string): Promise<CheckFigures> {
  const args = [BIN, 'check', assignment, '--submission', path.join(ROOT, 'examples', assignment, 'correct')];
  const runs = Math.max(5, options.runs);
  const medians = (xs: { wall: number; cpu?: number }[]) => ({
    wall: median(xs.map((x) => x.wall)),
    cpu: xs.every((x) => x.cpu !== undefined) ? median(xs.map((x) => x.cpu!)) : undefined,
  });
  const cold: { wall: number; cpu?: number }[] = [];
  for (let r = 0; r < runs; r++) cold.push(await timed(args, { DLGRADE_CHECK_SERVER: 'off' }));
  const torch: { wall: number; cpu?: number }[] = [];
  for (let r = 0; r < runs; r++) torch.push(await timedCommand(defaultPython(), ['-c', 'import torch']));

  // A server folder of the bench's own: the first check starts the server, one more warms its worker.
  const serverEnv = { DLGRADE_CHECK_SERVER: 'on', XDG_RUNTIME_DIR: await mkdtemp(path.join(work, 'runtime-')) };
  const serverPid = async () => {
    const { stdout } = await run(process.execPath, [BIN, 'server', 'status', '--json'], { env: { ...process.env, ...serverEnv } });
    return (JSON.parse(stdout) as { pid: number }[])[0]?.pid;
  };
  const warm: { wall: number; cpu?: number; serverCpu: number }[] = [];
  try {
    await timed(args, serverEnv);
    const end = Date.now() + 60_000;
    let pid: number | undefined;
    while (!(pid = await serverPid()) && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    if (!pid) throw new Error('the check server did not start within a minute');
    await timed(args, serverEnv);
    for (let r = 0; r < runs; r++) {
      const server0 = treeCpuMs(pid);
      const client = await timed(args, serverEnv);
      // The worker reaps the child it forked just before the result is sent.
      await new Promise((r) => setTimeout(r, 50));
      warm.push({ ...client, serverCpu: treeCpuMs(pid) - server0 });
    }
  } finally {
    await run(process.execPath, [BIN, 'server', 'stop'], { env: { ...process.env, ...serverEnv } });
  }
  return { cold: medians(cold), warm: { ...medians(warm), serverCpu: median(warm.map((w) => w.serverCpu)) }, torch: medians(torch) };
}

// ------------------------------------------------------------------------------------------------------------
// 3b. `dlgrade check --watch`: from a save of the submission to the printed change, on the warm worker it keeps.

/**
 * CPU milliseconds of a live process tree: each process's own time plus that of its reaped children (a warm worker
 * reaps the child it forks per submission). On a loaded machine this, not the wall time, is what a re-check costs.
 */
function treeCpuMs(root: number): number {
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  const parents = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parents.set(Number(entry), Number(fields[1]));
    cpu.set(Number(entry), (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * tick);
  }
  let total = 0;
  for (const pid of cpu.keys()) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parents.get(p)) {
      if (p === root) {
        total += cpu.get(pid)!;
        break;
      }
    }
  }
  return total;
}

async function benchWatch(assignment: string, options: Options): Promise<{ saveToPrint: number; grading: number; cpu: number; count: number }> {
  const { spawn } = await import('node:child_process');
  const examples = path.join(ROOT, 'examples', assignment);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-bench-watch-'));
  await cp(path.join(examples, 'correct'), dir, { recursive: true });
  // Two versions of the submission to alternate between: the correct one and the first wrong example.
  const wrong = readdirSync(examples).filter((e) => e !== 'correct' && existsSync(path.join(examples, e, 'expected.json')) && !/hang|sleep|loop/.test(e))[0];
  const versions = await Promise.all(
    readdirSync(path.join(examples, 'correct'))
      .filter((f) => f.endsWith('.py'))
      .map(async (f) => ({ file: f, correct: await readFile(path.join(examples, 'correct', f)), wrong: await readFile(path.join(examples, wrong, f)).catch(() => undefined) })),
  );
  const child = spawn(process.execPath, [BIN, 'check', assignment, '--submission', dir, '--watch'], { env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const until = async (test: () => boolean) => {
    const end = Date.now() + 120_000;
    while (!test()) {
      if (Date.now() > end) throw new Error(`check --watch did not answer:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  const saveToPrint: number[] = [];
  const grading: number[] = [];
  const cpus: number[] = [];
  try {
    await until(() => err.includes('for changes'));
    const count = Math.max(10, options.runs * 4);
    for (let i = 0; i < count; i++) {
      const seen = (out.match(/checked in \d+ ms/g) ?? []).length;
      const cpu0 = treeCpuMs(child.pid!);
      const t = now();
      for (const v of versions) if (v.wrong) await writeFile(path.join(dir, v.file), i % 2 === 0 ? v.wrong : v.correct);
      await until(() => (out.match(/checked in \d+ ms/g) ?? []).length > seen);
      saveToPrint.push(now() - t);
      // The worker reaps its forked child when the submission ends, just before the harness prints.
      await new Promise((r) => setTimeout(r, 50));
      cpus.push(treeCpuMs(child.pid!) - cpu0);
      grading.push(Number([...out.matchAll(/checked in (\d+) ms/g)].at(-1)![1]));
      // Let the editor-settling window pass so saves stay separate re-checks.
      await new Promise((r) => setTimeout(r, 150));
    }
    return { saveToPrint: median(saveToPrint), grading: median(grading), cpu: median(cpus), count };
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------------------------------------
// 4. .npz reading against a raw read of the same files (the committed fixtures, deflated; and the same arrays
//    stored uncompressed, as np.savez writes a runner's outputs).

function npzFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = path.join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.npz')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Inflates every deflated member of a zip found by walking its local headers and computes every member's CRC-32:
 * the least a reader that verifies what it reads must do (NumPy's np.load checks the CRC too), with the CRC-32
 * loadNpz uses.
 */
function verifyMembers(zip: Buffer): void {
  let p = 0;
  while (p + 30 <= zip.length && zip.readUInt32LE(p) === 0x04034b50) {
    const method = zip.readUInt16LE(p + 8);
    const size = zip.readUInt32LE(p + 18);
    const start = p + 30 + zip.readUInt16LE(p + 26) + zip.readUInt16LE(p + 28);
    const data = zip.subarray(start, start + size);
    crc32(method === 8 ? inflateRawSync(data) : data);
    p = start + size;
  }
}

type NpzKind = 'stored' | 'deflated';
type NpzFigures = Record<NpzKind, Awaited<ReturnType<typeof measureNpz>>>;

/**
 * Each kind in a process of its own: the figures are milliseconds, and the heap and collector of a process that has
 * just run grading batches (fixture caches, encoded inputs), or inflated the other kind forty times, add noise that
 * has nothing to do with the reader.
 */
async function benchNpz(options: Options): Promise<NpzFigures> {
  const self = fileURLToPath(import.meta.url);
  const measureIn = async (kind: NpzKind) => {
    const args = ['--expose-gc', '--import', 'tsx', self, '--measure-npz', kind, options.assignments.join(','), String(options.runs)];
    const { stdout } = await run(process.execPath, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as NpzFigures[NpzKind];
  };
  return { stored: await measureIn('stored'), deflated: await measureIn('deflated') };
}

async function measureNpz(kind: NpzKind, options: Pick<Options, 'assignments' | 'runs'>) {
  const deflated = options.assignments.flatMap((a) => npzFiles(path.join(ROOT, 'fixtures', a)));
  const storedDir = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-bench-npz-'));
  const stored: string[] = [];
  for (const [i, f] of kind === 'stored' ? deflated.entries() : []) {
    const file = path.join(storedDir, `${i}.npz`);
    await writeFile(file, writeNpz(await loadNpz(f)));
    stored.push(file);
  }
  const measure = async (files: string[]) => {
    const bytes = (await Promise.all(files.map((f) => stat(f)))).reduce((s, x) => s + x.size, 0);
    const methods: [string, () => Promise<void>][] = [
      [
        'raw',
        async () => {
          for (const f of files) await readFile(f);
        },
      ],
      [
        'npz',
        async () => {
          for (const f of files) await loadNpz(f);
        },
      ],
      // The least a verifying reader must do: read the bytes, inflate and CRC-check every member (zlib, natively).
      [
        'floor',
        async () => {
          for (const f of files) verifyMembers(await readFile(f));
        },
      ],
    ];
    const times: Record<string, number[]> = { raw: [], npz: [], floor: [] };
    const ratios: { raw: number[]; floor: number[] } = { raw: [], floor: [] };
    (globalThis as { gc?: () => void }).gc?.(); // what writing the uncompressed copies left behind
    for (const [, fn] of methods) await fn(); // warm the page cache and the JIT
    // Paired runs, in an order that changes every time: the figures are milliseconds on page-cached files and a
    // shared machine's noise would otherwise decide them; the ratios are medians of the pairs.
    for (let r = 0; r < Math.max(45, options.runs * 15); r++) {
      const run: Record<string, number> = {};
      const order = [methods[r % 3], methods[(r + 1) % 3], methods[(r + 2) % 3]];
      for (const [name, fn] of r % 2 ? order.reverse() : order) {
        const t = now();
        await fn();
        run[name] = now() - t;
        times[name].push(run[name]);
      }
      ratios.raw.push(run.npz / run.raw);
      ratios.floor.push(run.npz / run.floor);
    }
    return {
      files: files.length,
      mb: bytes / 1e6,
      raw: median(times.raw),
      npz: median(times.npz),
      floor: median(times.floor),
      vsRaw: median(ratios.raw),
      vsFloor: median(ratios.floor),
    };
  };
  const result = await measure(kind === 'stored' ? stored : deflated);
  await rm(storedDir, { recursive: true, force: true });
  return result;
}

// ------------------------------------------------------------------------------------------------------------
// 5. Reference time per back end: regenerating (and checking, without writing) the fixtures, in a fresh process
//    per back end (TensorFlow.js keeps one active back end per process).

async function measureReferenceInProcess(assignment: string, backend: string): Promise<void> {
  const { generateFixtures } = await import('../graders/fixtures/generate.js');
  const { answerKeys } = await import('../reference/index.js');
  const { requireArrayKey } = await import('../graders/answer-key/registry.js');
  const a = await loadAssignment(assignment);
  const reference = await requireArrayKey(answerKeys, a.manifest.id);
  const t = now();
  await generateFixtures(a, reference, { check: true, backend });
  process.stdout.write(JSON.stringify({ ms: now() - t }) + '\n');
}

async function benchReference(assignment: string, backend: string, options: Options): Promise<number | string> {
  const times: number[] = [];
  const self = fileURLToPath(import.meta.url);
  for (let r = 0; r < options.runs; r++) {
    try {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', self, '--measure-reference', assignment, backend], {
        cwd: ROOT,
        maxBuffer: 16 * 1024 * 1024,
      });
      times.push((JSON.parse(stdout.trim().split('\n').at(-1)!) as { ms: number }).ms);
    } catch (error) {
      return `failed: ${String((error as { stderr?: string }).stderr ?? error)
        .trim()
        .split('\n')
        .at(-1)}`;
    }
  }
  return median(times);
}

// ------------------------------------------------------------------------------------------------------------

async function ensureBuilt(): Promise<void> {
  const newest = (dir: string): number => {
    let t = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) t = Math.max(t, newest(p));
      else if (e.name.endsWith('.ts') || e.name.endsWith('.py')) t = Math.max(t, statSync(p).mtimeMs);
    }
    return t;
  };
  const built = statSync(path.join(ROOT, 'dist', 'scripts', 'cli.js'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (built < Math.max(newest(path.join(ROOT, 'graders')), newest(path.join(ROOT, 'scripts')))) {
    progress('building (dist/ is older than the sources)…');
    await run('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT });
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === '--measure-reference') return measureReferenceInProcess(process.argv[3], process.argv[4]);
  if (process.argv[2] === '--measure-npz') {
    const kind = process.argv[3] as NpzKind;
    process.stdout.write(JSON.stringify(await measureNpz(kind, { assignments: process.argv[4].split(','), runs: Number(process.argv[5]) })) + '\n');
    return;
  }
  const options = parseArgs(process.argv.slice(2));
  await ensureBuilt();
  const sandbox = await selectSandbox(options.sandbox ? 'preferred' : 'off', defaultPython(), (line) => log(line));
  if (options.sandbox && sandbox.name === 'none') options.sandbox = false;
  const cores = os.availableParallelism();
  log(
    `dlgrade bench — ${options.n} synthetic submissions per assignment, median of ${options.runs} run(s); ${cores} cores; sandbox: ${sandbox.name}; node ${process.versions.node}`,
  );
  log(
    `machine load at start: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (1/5/15 min)`,
  );
  const work = await mkdtemp(path.join(os.tmpdir(), 'dlgrade-bench-'));
  const figures: Record<string, number> = {};
  try {
    // 1 + 2 per assignment
    const on = (section: Section) => options.only.has(section);
    for (const assignment of on('overhead') || on('batch') || on('check') ? options.assignments : []) {
      const { dir, mix } = await generateSubmissions(assignment, options.n, work);
      log(`\n## ${assignment}  (${options.n} submissions: ${mix})`);
      if (on('overhead')) {
        const overhead = await benchOverhead(assignment, sandbox, options);
        figures[`${assignment}.overheadRatio`] = overhead.fresh / overhead.warm;
        log(`\nPer-submission overhead (one tiny case, ${overhead.caseId}; wall time minus the case's own time)`);
        log(
          table([
            ['runner', 'overhead / submission', 'vs warm'],
            ['warm worker (forked child)', ms(overhead.warm), '1.0×'],
            ['fresh process per submission', ms(overhead.fresh), ratio(overhead.fresh, overhead.warm)],
          ]),
        );
        log(`(a warm worker's one-time start, PyTorch import included: ${ms(overhead.startup)})`);
      }
      if (on('batch')) {
        const loadBefore = os.loadavg()[0];
        const { wall: j1, inCase, cpu: cpu1 } = await benchBatch(assignment, dir, 1, options);
        const { wall: j2, cpu: cpu2 } = await benchBatch(assignment, dir, 2, options);
        figures[`${assignment}.batchJobs2Seconds`] = j2 / 1000;
        // On a machine shared with other work the wall time measures the neighbours too; the CPU time of the grade's
        // process tree does not, and on idle cores a CPU-bound batch takes about CPU time / cores.
        if (cpu2 !== undefined) figures[`${assignment}.batchJobs2CpuSeconds`] = cpu2 / 1000;
        log(
          `\nBatch throughput (dlgrade grade, end to end from Node's start, warm workers, sandbox ${sandbox.name}, --force; load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)})`,
        );
        log(
          table([
            ['--jobs', 'wall time', 'submissions/s', 'vs --jobs 1', 'CPU time (whole tree)', 'CPU / submission', 'time inside cases / jobs'],
            [
              '1',
              ms(j1),
              (options.n / (j1 / 1000)).toFixed(1),
              '1.0×',
              cpu1 === undefined ? '—' : ms(cpu1),
              cpu1 === undefined ? '—' : ms(cpu1 / options.n),
              `${inCase.toFixed(1)} s`,
            ],
            [
              '2',
              ms(j2),
              (options.n / (j2 / 1000)).toFixed(1),
              ratio(j1, j2),
              cpu2 === undefined ? '—' : ms(cpu2),
              cpu2 === undefined ? '—' : ms(cpu2 / options.n),
              `${(inCase / 2).toFixed(1)} s`,
            ],
          ]),
        );
        log(
          `(the submissions' own work — loading inputs, computing, saving outputs — is ${((inCase / options.n) * 1000).toFixed(0)} ms per submission${cpu2 === undefined ? '' : `; on ${cores} idle cores --jobs 2 would take about ${(cpu2 / 1000 / Math.min(2, cores)).toFixed(1)} s (CPU time / cores)`})`,
        );
      }
      if (on('check')) {
        const loadBefore = os.loadavg()[0];
        const { cold, warm, torch } = await benchCheck(assignment, options, work);
        figures[`${assignment}.checkSeconds`] = warm.wall / 1000;
        const cpu = (x: { cpu?: number }) => (x.cpu === undefined ? '—' : ms(x.cpu));
        log(`\ndlgrade check on one submission (examples/${assignment}/correct), end to end; load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}`);
        log(
          table([
            ['', 'wall time', 'CPU time'],
            ['cold check (--no-server: Node, PyTorch import, grading)', ms(cold.wall), `${cpu(cold)} (part overlaps: Python imports while Node loads)`],
            ['served check (a check server running)', ms(warm.wall), `${cpu(warm)} calling process + ${ms(warm.serverCpu)} server and worker`],
            [`floor of any cold check: ${defaultPython()} -c "import torch"`, ms(torch.wall), cpu(torch)],
          ]),
        );
      }
    }

    // 2b: style-transfer, the assignment the targets are about
    const st = 'style-transfer';
    if (on('watch')) {
      const watch = await benchWatch(st, options);
      figures.watchRecheckMs = watch.saveToPrint;
      log(
        `\ndlgrade check --watch (${st}): a save re-checked and its change printed in ${ms(watch.saveToPrint)} (median of ${watch.count} saves; of which grading on the warm worker ${ms(watch.grading)}, the rest the 60 ms wait for an editor's save to settle; CPU time of the whole process tree per re-check ${ms(watch.cpu)}); load average ${os.loadavg()[0].toFixed(1)}`,
      );
    }
    if (on('breakdown')) {
      // Two grades of correct submissions, a small and a full one: their difference is the steady state per
      // submission, free of what is paid once per run (Node's start, each worker's PyTorch import, the class outputs).
      const count = Math.max(10, Math.min(options.n, 100));
      const small = Math.max(2, Math.round(count / 5));
      const { dir } = await generateSubmissions(st, count, work, true);
      const smallDir = path.join(work, `${st}-${small}-of-${count}-correct`);
      await mkdir(smallDir);
      for (const name of (await readdir(dir)).sort().slice(0, small)) await cp(path.join(dir, name), path.join(smallDir, name), { recursive: true });
      const own = await ownWorkMs(path.join(ROOT, 'examples', st, 'correct'));
      const ownOnHugePages = await ownWorkMs(path.join(ROOT, 'examples', st, 'correct'), true);
      const floor = await forkFloor(path.join(ROOT, 'examples', st, 'correct'));
      const loadBefore = os.loadavg()[0];
      const few = await gradeProfiled(smallDir, 1, options);
      const many = await gradeProfiled(dir, 1, options);
      const split = steadyState(few, many, small, count);
      figures.harnessBeyondOwnMs = split.tree === undefined ? NaN : split.tree.perSubmission - own;
      const row = (label: string, cpu: { perSubmission: number } | undefined, wall?: { perSubmission: number }) => [label, cpu ? ms(cpu.perSubmission) : '—', wall ? ms(wall.perSubmission) : '—'];
      log(
        `\n## Where a submission's time goes (${st}, correct submissions, --jobs 1, warm workers, sandbox ${sandbox.name}; ` +
          `steady state = (grade of ${count} − grade of ${small}) / ${count - small}; load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)})`,
      );
      log(
        table([
          ['phase (in the Node harness unless said)', 'CPU / submission', 'wall / submission'],
          ...split.phases.map(([phase, t]) => row(phase, t.cpu, t.wall)),
          row('Node harness process, all of it', split.node),
          row('Python side: warm workers and their forked children', split.python),
          row('  the forked children (runner and submission, each its own CPU)', split.children),
          row('  the warm worker for each run (read inputs, fork, sweep, clean up)', split.workers),
          row('  the rest (the sandbox, the worker between runs, orphans it reaped)', split.pythonRest),
          ['  of which inside the cases (inputs, calls, outputs; wall)', '—', ms(split.inCase.perSubmission)],
          ["the submission's own calls, timed alone (fresh_grader.py --own-work)", ms(own), '—'],
          ['  the same, its memory on 2 MiB pages as in a warm worker (--huge-pages)', ms(ownOnHugePages), '—'],
          row('whole process tree', split.tree, split.wall),
          ["harness beyond the submission's own work", split.tree === undefined ? '—' : ms(split.tree.perSubmission - own), '—'],
          ['  the same, beyond its own work on 2 MiB pages', split.tree === undefined ? '—' : ms(split.tree.perSubmission - ownOnHugePages), '—'],
        ]),
      );
      log('(phases starting with two spaces are part of "run in the sandbox"; CPU is the whole Node process, libuv threads included)');
      // Isolation's own price here: a fork per submission, what its child touches paid in page faults.
      const faults = (kind: keyof ForkFloor) => `${ms(floor[kind].cpu_ms)} (${floor[kind].faults} page faults)`;
      log(
        table([
          ['a process per submission on this machine, no harness (fresh_grader.py --fork-floor)', 'CPU / submission'],
          ['a warm PyTorch process forks, the child exits at once', faults('exit')],
          ['  the child imports the submission', faults('import')],
          ['  the child imports it and makes every call dlgrade makes', faults('calls')],
          ['harness beyond that forked child', split.tree === undefined ? '—' : ms(split.tree.perSubmission - floor.calls.cpu_ms)],
        ]),
      );
      log(
        table([
          ['paid once per run (what the steady state leaves out)', 'CPU', 'wall'],
          ['Node harness (start, CLI, manifest, class outputs)', split.node ? ms(split.node.once) : '—', '—'],
          ['Python side (the worker starting, PyTorch imported)', split.python ? ms(split.python.once) : '—', '—'],
          ['whole run', split.tree ? ms(split.tree.once) : '—', ms(split.wall.once)],
        ]),
      );
      const starts = (g: ProfiledGrade) => g.profile.counts['python: warm workers started'] ?? 0;
      log(`(warm workers started: ${starts(few)} in the grade of ${small}, ${starts(many)} in that of ${count}; more than --jobs means a worker was restarted)`);
      log(
        `(the same run read the old way, everything divided by ${count}: whole tree ${many.cpu === undefined ? '—' : ms(many.cpu / count)} per submission, ` +
          `${many.cpu === undefined ? '—' : ms(many.cpu / count - own)} beyond the submission's own work)`,
      );
    }
    let dlgradeRate: { rate: number; label: string } | undefined;
    if (on('scale')) {
      log(`\n## A class (${st}, --jobs 2, warm workers, sandbox ${sandbox.name}, mixed submissions as in the batch section, one run each)`);
      const rows = [['submissions', 'wall time', 'submissions/s', 'CPU / submission (tree)', 'harness peak RSS', 'summary.json', 'parse', 'index.html', 'Chromium load']];
      const peaks: number[] = [];
      for (const n of [100, options.scale]) {
        const { dir } = await generateSubmissions(st, n, work);
        const grade = await gradeProfiled(dir, 2, options, true);
        peaks.push(grade.profile.peakRssMb);
        const rate = n / (grade.wall / 1000);
        if (n === options.scale) {
          figures.scaleSeconds = grade.wall / 1000;
          dlgradeRate = { rate, label: `${n} submissions, --jobs 2` };
        }
        rows.push([
          String(n),
          ms(grade.wall),
          rate.toFixed(1),
          grade.cpu === undefined ? '—' : ms(grade.cpu / n),
          `${grade.profile.peakRssMb.toFixed(0)} MiB`,
          `${(grade.classReport.summaryBytes / 1024).toFixed(0)} KiB`,
          ms(grade.classReport.summaryParseMs),
          `${(grade.classReport.indexBytes / 1024).toFixed(0)} KiB`,
          grade.classReport.indexLoadMs === undefined ? '—' : ms(grade.classReport.indexLoadMs),
        ]);
        progress(`scale ${n} done`);
      }
      figures.peakRssRatio = peaks[1] / peaks[0];
      log(table(rows));
      log(`(peak RSS of the Node harness at ${options.scale} is ${ratio(peaks[1], peaks[0])} that at 100)`);
    }
    if (on('fresh')) {
      const count = Math.min(options.n, 40);
      const { dir } = await generateSubmissions(st, count, work);
      const fresh = await freshGraderRate(dir, count);
      if (!dlgradeRate) {
        const grade = await gradeProfiled(dir, 2, options);
        dlgradeRate = { rate: count / (grade.wall / 1000), label: `the same ${count} submissions, --jobs 2, Node start included` };
      }
      figures.freshRatio = dlgradeRate.rate / fresh.rate;
      log(`\n## Against a grader written the way a course writes one (scripts/bench/fresh_grader.py: a fresh Python per submission, two at a time, no sandbox, no reports)`);
      log(
        table([
          ['grader', 'submissions/s', 'vs course-style'],
          [`course-style, ${fresh.count} submissions in ${ms(fresh.wall)}`, fresh.rate.toFixed(2), '1.0×'],
          [`dlgrade (${dlgradeRate.label})`, dlgradeRate.rate.toFixed(1), ratio(dlgradeRate.rate, fresh.rate)],
        ]),
      );
    }

    // 4
    if (on('npz')) {
      const npz = await benchNpz(options);
      figures.npzRatioStored = npz.stored.npz / npz.stored.raw;
      figures.npzRatioDeflated = npz.deflated.npz / npz.deflated.raw;
      figures.npzRatioDeflatedFloor = npz.deflated.npz / npz.deflated.floor;
      log(`\n## .npz reading (${options.assignments.join(', ')} fixtures; CRC-32 by ${crc32Implementation})`);
      const mbps = (mb: number, t: number) => `${(mb / (t / 1000)).toFixed(0)} MB/s`;
      log(
        table([
          ['files', 'size', 'raw read', 'loadNpz', 'loadNpz vs raw', 'raw read + inflate + CRC-32', 'loadNpz vs that'],
          ...(['stored', 'deflated'] as const).map((k) => {
            const m = npz[k];
            return [
              `${m.files} ${k === 'stored' ? 'uncompressed (as np.savez writes)' : 'deflated (committed fixtures)'}`,
              `${m.mb.toFixed(1)} MB`,
              `${ms(m.raw)} (${mbps(m.mb, m.raw)})`,
              `${ms(m.npz)} (${mbps(m.mb, m.npz)})`,
              ratio(m.npz, m.raw),
              ms(m.floor),
              ratio(m.npz, m.floor),
            ];
          }),
        ]),
      );
    }

    // 5
    if (on('reference')) {
      log(`\n## Reference time per back end (fixture generation for every case, checked against the committed files, not written)`);
      const rows = [['assignment', 'cpu', 'wasm', 'cpu / wasm']];
      for (const assignment of options.assignments) {
        const cpu = await benchReference(assignment, 'cpu', options);
        const wasm = await benchReference(assignment, 'wasm', options);
        rows.push([
          assignment,
          typeof cpu === 'number' ? ms(cpu) : cpu,
          typeof wasm === 'number' ? ms(wasm) : wasm,
          typeof cpu === 'number' && typeof wasm === 'number' ? ratio(cpu, wasm) : '—',
        ]);
        progress(`reference ${assignment} done`);
      }
      log(table(rows));
    }

    // Targets
    log(`\n## Targets`);
    const target = (name: string, value: number | undefined, ok: (v: number) => boolean, shown: (v: number) => string) => [
      name,
      value === undefined ? 'not measured' : shown(value),
      value === undefined ? '—' : ok(value) ? 'met' : 'NOT MET',
    ];
    log(
      table([
        ['target', 'measured', ''],
        ...options.assignments.map((a) =>
          target(
            `warm overhead ≥ 20× below fresh (${a})`,
            figures[`${a}.overheadRatio`],
            (v) => v >= 20,
            (v) => `${v.toFixed(1)}×`,
          ),
        ),
        target(
          `harness CPU / submission beyond the submission's own work ≤ 40 ms (${st}, warm)`,
          Number.isNaN(figures.harnessBeyondOwnMs) ? undefined : figures.harnessBeyondOwnMs,
          (v) => v <= 40,
          (v) => ms(v),
        ),
        target(
          `${options.scale} ${st} submissions, --jobs 2, ${sandbox.name === 'bwrap' ? 'sandbox on' : 'SANDBOX OFF'} < 60 s (wall)`,
          figures.scaleSeconds,
          (v) => v < 60 && options.scale >= 1000 && sandbox.name === 'bwrap',
          (v) => `${v.toFixed(1)} s`,
        ),
        target(
          `harness peak memory at ${options.scale} within 1.2× of that at 100`,
          figures.peakRssRatio,
          (v) => v <= 1.2,
          (v) => `${v.toFixed(2)}×`,
        ),
        target(
          '≥ 15× the course-style fresh-process grader',
          figures.freshRatio,
          (v) => v >= 15,
          (v) => `${v.toFixed(1)}×`,
        ),
        ...options.assignments.map((a) =>
          target(
            `check < 1.5 s (${a}, served by a check server)`,
            figures[`${a}.checkSeconds`],
            (v) => v < 1.5,
            (v) => `${v.toFixed(2)} s`,
          ),
        ),
        target(
          `check --watch re-check < 300 ms (${st}, save to printed change)`,
          figures.watchRecheckMs,
          (v) => v < 300,
          (v) => ms(v),
        ),
        target(
          '.npz read within 1.5× of raw (uncompressed)',
          figures.npzRatioStored,
          (v) => v <= 1.5,
          (v) => `${v.toFixed(2)}×`,
        ),
        target(
          '.npz read within 1.5× of raw + inflate + CRC-32 (deflated fixtures)',
          figures.npzRatioDeflatedFloor,
          (v) => v <= 1.5,
          (v) => `${v.toFixed(2)}×`,
        ),
      ]),
    );
    log(
      `machine load at end: ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} (1/5/15 min)`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
