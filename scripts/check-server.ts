// The check server process (graders/check-server/), started detached by a cold `dlgrade check`: it keeps a warm
// Python worker per interpreter and sandbox and runs each check it is sent exactly as the caller's own process
// would have (the same command, in the caller's folder and environment), one at a time, until it is idle.
//   node dist/scripts/check-server.js --socket PATH --python PATH --memory-mb N --idle-ms N
import { Command, CommanderError } from 'commander';
import { buildStamp } from '../graders/check-server/location.js';
import { AlreadyRunning, CheckServer, type CheckRequest, type CheckOutput } from '../graders/check-server/server.js';
import { asCaller } from '../graders/check-server/as-caller.js';
import { FixtureCache } from '../graders/check-server/fixture-cache.js';
import { WarmPythonRunner } from '../graders/runners/warm-python-runner.js';
import { selectSandbox } from '../graders/runners/select-sandbox.js';
import type { Runner } from '../graders/runners/runner.js';
import type { Sandbox } from '../graders/runners/sandbox.js';
import { registerCheck } from './commands/check.js';
import { reportCommandError } from './command-errors.js';

function argument(name: string): string {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? process.argv[at + 1] : undefined;
  if (!value) {
    process.stderr.write(`dlgrade check server: missing ${name} (usage: check-server.js --socket PATH --python PATH --memory-mb N --idle-ms N)\n`);
    process.exit(2);
  }
  return value;
}

const socketPath = argument('--socket');
const python = argument('--python');
const memoryMb = Number(argument('--memory-mb'));
const idleMs = Number(argument('--idle-ms'));
const build = buildStamp();

/** One pool of warm workers per interpreter and sandbox; a worker serves one check at a time, each in fresh children. */
const runners = new Map<string, WarmPythonRunner>();
function sharedRunner(interpreter: string, sandbox: Sandbox): Runner {
  const key = `${interpreter}\0${sandbox.name}`;
  let runner = runners.get(key);
  if (!runner) runners.set(key, (runner = new WarmPythonRunner({ python: interpreter, sandbox, workers: 1 })));
  const pool = runner;
  // Without close(): the check that borrows it must not stop the server's workers.
  return { language: pool.language, run: (job) => pool.run(job), warm: (mb) => pool.warm(mb) };
}
const fixtures = new FixtureCache();
const loans = { sharedRunner, fixtureFiles: (assignment: Parameters<FixtureCache['filesFor']>[0]) => fixtures.filesFor(assignment) };

/** Runs `dlgrade check …` for a caller, as its own process would have, and returns the exit code. */
async function handle(request: CheckRequest, output: CheckOutput): Promise<number> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const code = await asCaller(request, output, async () => {
    const program = new Command('dlgrade').exitOverride();
    registerCheck(program, loans);
    try {
      await program.parseAsync(request.argv, { from: 'user' });
    } catch (error) {
      process.exitCode = error instanceof CommanderError ? error.exitCode : reportCommandError(error);
    }
  });
  const used = process.cpuUsage(cpu);
  log(`${request.argv.join(' ')} in ${request.cwd}: exit ${code}, ${Math.round(performance.now() - started)} ms (this process's CPU ${Math.round((used.user + used.system) / 1000)} ms)`);
  return code;
}

/** A line in the server's log (the .log file beside its socket). */
function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

const server = new CheckServer({
  socketPath,
  build,
  idleMs,
  handle,
  details: () => ({ python, workers: [...runners.keys()].map((k) => k.replace('\0', ' in ')).join('; ') || 'none yet' }),
});
try {
  await server.listen();
} catch (error) {
  // Another cold check started the same server a moment earlier: that one serves.
  if (error instanceof AlreadyRunning) process.exit(0);
  throw error;
}
log(`check server ${process.pid} listening on ${socketPath} (build ${build})`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void server.stop(`got ${signal}`));
// The worker starts importing PyTorch now, for the assignment the cold check that started this server was about.
void selectSandbox('preferred', python, () => {}).then((sandbox) => sharedRunner(python, sandbox).warm?.(memoryMb), () => undefined);

const why = await server.stopped;
await Promise.all([...runners.values()].map((r) => r.close()));
log(`check server ${process.pid} stopped: ${why}`);
process.exit(0);
