// Runs Python submissions on a pool of warm workers (PyTorch imported once per worker, a fresh forked child per
// submission), falling back to a fresh process per submission where a warm worker cannot be used.
import path from 'node:path';
import type { RunOutcome, Runner, RunnerJob } from './runner.js';
import { noSandbox, type Sandbox } from './sandbox.js';
import { PythonRunner, checkInterpreter, defaultPython, pythonRunnerScript } from './python-runner.js';
import { WarmWorker } from './warm-worker.js';
import { encodeJobInputs } from './python-job.js';

export interface WarmPythonRunnerOptions {
  python?: string;
  sandbox?: Sandbox;
  /** Most workers at once (the batch's --jobs). */
  workers: number;
  /** Time allowed for starting Python and importing PyTorch. */
  startupTimeoutS?: number;
  /** Where the one-line notice goes when warm workers cannot be used. */
  notify?: (line: string) => void;
}

/** A worker started at process start (prestart.ts), waiting for the first warm runner it fits. */
let prestarted: Promise<WarmWorker | undefined> | undefined;

/**
 * Starts one warm worker now, loosely held (it does not keep Node running), for the runner a command creates
 * later: PyTorch then imports while Node is still loading the CLI. A worker nobody adopts ends with the process.
 */
export function prestartWorker(python: string, sandbox: Promise<Sandbox>, memoryMb: number): Promise<void> {
  let spawned!: () => void;
  const started = new Promise<void>((resolve) => (spawned = resolve));
  prestarted = sandbox
    .then((sb) => WarmWorker.start({ python, sandbox: sb, runnerDir: path.dirname(pythonRunnerScript()), memoryMb, startupTimeoutS: 60, loose: true, onSpawn: spawned }))
    .catch(() => undefined);
  void prestarted.finally(spawned);
  return started;
}

/** A worker that dies this many times in a row at startup makes the pool give up on warm workers. */
const MAX_START_FAILURES = 2;

/** A pool of warm workers, one job at a time each; jobs wait for a free worker. */
export class WarmPythonRunner implements Runner {
  readonly language = 'python';
  private readonly python: string;
  private readonly sandbox: Sandbox;
  private readonly idle: WarmWorker[] = [];
  private readonly queue: ((worker: WarmWorker | undefined) => void)[] = [];
  private readonly starting = new Set<Promise<WarmWorker | undefined>>();
  private readonly all = new Set<WarmWorker>();
  private fresh?: PythonRunner;
  /** Jobs running or waiting for a worker: no more workers are started than there are jobs to take them. */
  private demand = 0;
  private startFailures = 0;
  private lastStartError?: string;
  private closed = false;
  /** Why warm workers are not used, once they are not. */
  fallbackReason?: string;

  constructor(private readonly options: WarmPythonRunnerOptions) {
    this.python = defaultPython(options.python);
    this.sandbox = options.sandbox ?? noSandbox;
  }

  /** Workers running or starting. */
  get workerCount(): number {
    return this.all.size + this.starting.size;
  }

  /** "warm" while workers serve the jobs, "fresh" after falling back. */
  get mode(): 'warm' | 'fresh' {
    return this.fallbackReason ? 'fresh' : 'warm';
  }

  /** Starts one worker ahead of the first job, so PyTorch imports while the harness loads fixtures. */
  warm(memoryMb: number): void {
    if (this.all.size + this.starting.size === 0 && !this.fallbackReason) {
      // A worker that could not start wakes a waiting job all the same: it tries again or falls back.
      const early = prestarted;
      prestarted = undefined;
      if (!early) {
        void this.startWorker(memoryMb).then((w) => this.release(w));
        return;
      }
      // The pre-started worker does not keep Node running until adopted: this timer does meanwhile.
      const keepAlive = setInterval(() => {}, 60_000);
      const adopting = early.then((w) => {
        clearInterval(keepAlive);
        if (w && w.alive && w.python === this.python && w.sandbox === this.sandbox && w.memoryMb === memoryMb) {
          w.hold(true);
          this.all.add(w);
          return w;
        }
        void w?.close();
        return undefined;
      });
      this.starting.add(adopting);
      void adopting.then(async (w) => {
        this.starting.delete(adopting);
        this.release(w ?? (await this.startWorker(memoryMb)));
      });
    }
  }

  async run(job: RunnerJob): Promise<RunOutcome> {
    checkInterpreter(this.python);
    this.demand++;
    try {
      return await this.runOnWorker(job);
    } finally {
      this.demand--;
    }
  }

  private async runOnWorker(job: RunnerJob): Promise<RunOutcome> {
    const acquiring = this.fallbackReason ? undefined : this.acquire(job.memoryMb);
    // While the worker is busy (importing PyTorch, or finishing another job), the inputs are encoded.
    encodeJobInputs(job);
    const worker = await acquiring;
    if (!worker) return this.freshRunner().run(job);
    let retire = false;
    try {
      const { outcomes, runtime } = await worker.runJob(job);
      retire = worker.broken !== undefined;
      return { cases: outcomes, runtime: { ...worker.runtime, ...runtime, worker: 'warm' }, sandbox: this.sandbox.name };
    } catch (error) {
      // A job's own problem (a submission too large to copy) leaves the worker as it was.
      retire = worker.broken !== undefined || !worker.alive;
      throw error;
    } finally {
      if (retire || this.closed) {
        this.all.delete(worker);
        void worker.close();
        this.release(undefined);
      } else this.release(worker);
    }
  }

  /** A free worker with this memory limit: an idle one, a new one, or the next one released. */
  private async acquire(memoryMb: number): Promise<WarmWorker | undefined> {
    for (;;) {
      const idle = this.idle.shift();
      if (idle) {
        if (idle.alive && !idle.broken && idle.memoryMb === memoryMb) return idle;
        // A different limit (another assignment) or a dead worker: replace it.
        this.all.delete(idle);
        void idle.close();
        continue;
      }
      // A lone job waits for the worker warm() started rather than importing PyTorch a second time.
      if (this.workerCount < Math.min(Math.max(1, this.options.workers), this.demand)) {
        const worker = await this.startWorker(memoryMb);
        if (worker || this.fallbackReason) return worker;
        continue;
      }
      const next = await new Promise<WarmWorker | undefined>((resolve) => this.queue.push(resolve));
      if (next) {
        this.idle.push(next);
      } else if (this.fallbackReason) return undefined;
    }
  }

  private startWorker(memoryMb: number): Promise<WarmWorker | undefined> {
    const starting = WarmWorker.start({
      python: this.python,
      sandbox: this.sandbox,
      runnerDir: path.dirname(pythonRunnerScript()),
      memoryMb,
      startupTimeoutS: this.options.startupTimeoutS ?? 60,
    }).then(
      (worker) => {
        this.startFailures = 0;
        this.all.add(worker);
        return worker;
      },
      (error: Error) => {
        this.lastStartError = error.message;
        if (++this.startFailures >= MAX_START_FAILURES) this.fallBack(error.message);
        return undefined;
      },
    );
    this.starting.add(starting);
    void starting.finally(() => this.starting.delete(starting));
    return starting;
  }

  /** Hands a worker to the next waiting job, or keeps it idle; `undefined` wakes a waiter to start one itself. */
  private release(worker: WarmWorker | undefined): void {
    const waiter = this.queue.shift();
    if (waiter) waiter(worker);
    else if (worker) this.idle.push(worker);
  }

  private fallBack(reason: string): void {
    if (this.fallbackReason) return;
    this.fallbackReason = reason;
    (this.options.notify ?? ((l) => process.stderr.write(`${l}\n`)))(`note: warm Python workers are not available (${reason}); starting a fresh Python process per submission instead`);
    for (const waiter of this.queue.splice(0)) waiter(undefined);
  }

  private freshRunner(): PythonRunner {
    this.fresh ??= new PythonRunner({ python: this.python, sandbox: this.sandbox, startupTimeoutS: this.options.startupTimeoutS });
    return this.fresh;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.starting]);
    const workers = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(workers.map((w) => w.close()));
  }
}
